"""The OpenAI-compatible client against a real HTTP server on loopback."""

from __future__ import annotations

import socket
import time
from email.utils import format_datetime
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest

from nexus_blast.ai.client import AIClient, BadCompletion, Endpoint, Limits, ModelNotFound, RateLimited
from nexus_blast.httputil import parse_retry_after as retry_after
from nexus_blast.ai.presets import PRESETS
from nexus_blast.errors import DependencyError, ExitCode, KeyRefused, Unreachable
from tests.ai.fake_openai import MODELS, Reply, completion

KEY = "sk-test-SECRET-0123456789abcdef"
PING = [{"role": "user", "content": "oi"}]


def endpoint(fake, provider="groq", path="/openai/v1", key=KEY, model="llama-3.3-70b-versatile"):
    return Endpoint(name=provider, provider=provider, base_url=fake.url + path, model=model, api_key=key)


def client(fake, limits=None, waits=None, **kw):
    waits = [] if waits is None else waits
    return AIClient(endpoint(fake, **kw), limits or Limits(attempts=3, backoff_initial=0.01), sleep=waits.append)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_path_and_auth_header(fake_ai, name):
    p = PRESETS[name]
    path = urlparse(p.base_url).path
    key = "" if not p.needs_key else KEY
    with AIClient(Endpoint(name, name, fake_ai.url + path, p.model, key)) as c:
        assert c.models() == sorted(MODELS)
        reply = c.complete(PING, temperature=0.5, max_tokens=10)
    assert reply.text and reply.prompt_tokens == 11 and reply.completion_tokens == 22
    models_req, chat_req = fake_ai.requests
    assert (models_req.method, models_req.path) == ("GET", f"{path}/models")
    assert (chat_req.method, chat_req.path) == ("POST", f"{path}/chat/completions")
    assert chat_req.body["model"] == p.model
    assert chat_req.body["messages"] == PING
    assert chat_req.body["temperature"] == 0.5 and chat_req.body["max_tokens"] == 10
    for seen in (models_req, chat_req):
        if p.needs_key:
            assert seen.headers["authorization"] == f"Bearer {KEY}"
        else:
            assert "authorization" not in seen.headers


@pytest.mark.parametrize("status", [401, 403])
def test_refused_key_is_exit_3_and_never_shows_the_key(fake_ai, status):
    fake_ai.chat = [Reply(status=status, body={"error": {"message": f"Invalid API Key {KEY}"}})]
    with client(fake_ai) as c, pytest.raises(KeyRefused) as err:
        c.complete(PING)
    assert err.value.exit_code == ExitCode.DEPENDENCY
    assert str(err.value) == "key refused by groq"
    assert KEY not in str(err.value) + str(err.value.hint)
    assert len(fake_ai.chats()) == 1  # a refusal is not retried


def test_429_honours_retry_after_then_succeeds(fake_ai):
    limited = Reply(status=429, body={"error": {"message": "slow down"}}, headers={"Retry-After": "0.05"})
    fake_ai.chat = [limited, limited, completion("ok")]
    waits: list[float] = []
    with client(fake_ai, waits=waits) as c:
        assert c.complete(PING).text == "ok"
    assert waits == [0.05, 0.05]
    assert len(fake_ai.chats()) == 3


def test_429_gives_up_after_the_attempts_with_a_clear_message(fake_ai):
    fake_ai.chat = [Reply(status=429, body={}, headers={"Retry-After": "0.01"})]
    waits: list[float] = []
    with client(fake_ai, waits=waits) as c, pytest.raises(RateLimited) as err:
        c.complete(PING)
    assert "rate limited by groq" in str(err.value) and err.value.exit_code == 3
    assert len(fake_ai.chats()) == 3 and waits == [0.01, 0.01]


def test_429_asking_for_too_long_a_wait_gives_up_at_once(fake_ai):
    fake_ai.chat = [Reply(status=429, body={}, headers={"Retry-After": "3600"})]
    with client(fake_ai, limits=Limits(max_retry_after=30)) as c, pytest.raises(RateLimited) as err:
        c.complete(PING)
    assert "3600 s" in str(err.value)
    assert len(fake_ai.chats()) == 1


def test_retry_after_parses_seconds_and_http_dates():
    assert retry_after("7") == 7.0
    assert retry_after(None) is None and retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    assert 100 < retry_after(later) <= 120


def test_5xx_is_retried_with_backoff(fake_ai):
    fake_ai.chat = [Reply(status=503, body={"error": "busy"}), completion("ok")]
    waits: list[float] = []
    with client(fake_ai, waits=waits) as c:
        assert c.complete(PING).text == "ok"
    assert waits == [0.01]


def test_5xx_every_time_is_a_dependency_error(fake_ai):
    fake_ai.chat = [Reply(status=500, body={"error": {"message": "boom"}})]
    with client(fake_ai) as c, pytest.raises(DependencyError) as err:
        c.complete(PING)
    assert "HTTP 500: boom" in str(err.value)
    assert len(fake_ai.chats()) == 3


def test_connection_refused_is_unreachable_after_retries():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits: list[float] = []
    ep = Endpoint("groq", "groq", f"http://127.0.0.1:{port}/v1", "m", KEY)
    with AIClient(ep, Limits(attempts=2, backoff_initial=0.01), sleep=waits.append) as c, pytest.raises(Unreachable) as err:
        c.models()
    assert "groq unreachable" in str(err.value)
    assert waits == [0.01]


def test_timeout_is_bounded_and_not_retried(fake_ai):
    fake_ai.chat = [Reply(delay=10.0, body={})]
    started = time.monotonic()
    with client(fake_ai, limits=Limits(timeout=0.2, attempts=3)) as c, pytest.raises(Unreachable) as err:
        c.complete(PING)
    assert "did not answer within 0.2 s" in str(err.value)
    assert time.monotonic() - started < 5  # the 10 s answer was not waited for
    assert len(fake_ai.chats()) == 1


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=404, body={"error": {"message": "The model `nope` does not exist", "code": "model_not_found"}}),
        Reply(status=400, body={"error": {"message": "nope is not a valid model ID"}}),
    ],
)
def test_unknown_model_is_exit_2_with_the_list_command(fake_ai, reply):
    fake_ai.chat = [reply]
    with client(fake_ai, model="nope") as c, pytest.raises(ModelNotFound) as err:
        c.complete(PING)
    assert err.value.exit_code == ExitCode.USAGE
    assert "'nope' not found on groq" in str(err.value)
    assert err.value.hint == "list its models with: blast ai models groq"


def test_other_4xx_is_a_dependency_error_with_the_key_scrubbed(fake_ai):
    fake_ai.chat = [Reply(status=400, body={"error": {"message": f"bad request from {KEY}"}})]
    with client(fake_ai) as c, pytest.raises(DependencyError) as err:
        c.complete(PING)
    assert "HTTP 400" in str(err.value) and KEY not in str(err.value)


@pytest.mark.parametrize(
    "reply",
    [Reply(text="<html>oops</html>"), Reply(body={"choices": []}), Reply(body={"object": "chat.completion"})],
)
def test_malformed_answers_are_bad_completions(fake_ai, reply):
    fake_ai.chat = [reply]
    with client(fake_ai) as c, pytest.raises(BadCompletion) as err:
        c.complete(PING)
    assert err.value.exit_code == ExitCode.DEPENDENCY


def test_null_content_reads_as_empty_text(fake_ai):
    fake_ai.chat = [completion("x")]
    fake_ai.chat[0].body["choices"][0]["message"]["content"] = None
    with client(fake_ai) as c:
        assert c.complete(PING).text == ""
