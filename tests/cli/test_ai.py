"""`blast ai ...` and `blast copy` through the real entry point, against a loopback provider."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from tests.ai.fake_openai import _fake_openai_server, completion, fake_ai, Reply  # noqa: F401  (fixtures)

KEY = "gsk_cli-SECRET-9f8e7d6c5b4a3210"
BRIEF = "promoção de limpeza de pele, 20% off até sexta"


@pytest.fixture
def groq(blast, fake_ai):
    """A groq provider pointed at the loopback server, key inline."""
    result = blast("ai", "add", "groq", "--api-key", KEY, "--base-url", fake_ai.url + "/openai/v1")
    assert result.exit_code == 0, result.stderr
    return fake_ai


def test_add_list_default_remove(blast, blast_home, fake_ai, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-env-0123456789")
    added = blast("ai", "add", "groq", "--api-key", KEY, "--json")
    assert added.exit_code == 0, added.stderr
    assert added.json()["default"] is True and added.json()["api_key"] == "gsk_…3210"
    assert stat.S_IMODE(os.stat(blast_home / "config.toml").st_mode) == 0o600
    assert blast("ai", "add", "openrouter", "--name", "or", "--model", "meta-llama/llama-3.3-70b-instruct").exit_code == 0
    assert blast("ai", "add", "ollama").exit_code == 0
    rows = {r["name"]: r for r in blast("ai", "list", "--json").json()}
    assert set(rows) == {"groq", "or", "ollama"}
    assert rows["groq"] | {} == {
        "name": "groq", "provider": "groq", "base_url": "https://api.groq.com/openai/v1", "model": "llama-3.3-70b-versatile",
        "api_key": "gsk_…3210", "key_source": "config", "key_set": True, "default": True,
    }
    assert rows["or"]["key_source"] == "env:OPENROUTER_API_KEY" and rows["or"]["api_key"] == "sk-o…6789"
    assert rows["or"]["model"] == "meta-llama/llama-3.3-70b-instruct" and rows["or"]["default"] is False
    assert rows["ollama"]["key_source"] == "none" and rows["ollama"]["base_url"] == "http://localhost:11434/v1"

    assert blast("ai", "default", "or").exit_code == 0
    assert [r["name"] for r in blast("ai", "list", "--json").json() if r["default"]] == ["or"]
    assert blast("ai", "default", "nope").exit_code == 2

    again = blast("ai", "add", "groq", "--api-key", "other")
    assert again.exit_code == 2 and "--yes" in again.stderr
    assert blast("ai", "add", "groq", "--api-key", "other-key-0123456789", "--yes").exit_code == 0

    refused = blast("ai", "remove", "or")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    removed = blast("ai", "remove", "or", "--yes", "--json")
    assert removed.json() == {"removed": "or", "default": "groq"}
    assert blast("ai", "remove", "or", "--yes").exit_code == 2
    human = blast("ai", "list")
    assert "groq" in human.stdout and KEY not in human.stdout + human.stderr


def test_add_unknown_provider_and_both_key_options_are_usage_errors(blast):
    unknown = blast("ai", "add", "openai", "--json")
    assert unknown.exit_code == 2 and "groq" in unknown.stderr and unknown.json()["error"]["code"] == 2
    assert blast("ai", "add", "groq", "--api-key", "k", "--api-key-env", "V").exit_code == 2


def test_ai_test_lists_models_and_completes(blast, groq):
    groq.chat = [completion("OK")]
    result = blast("ai", "test", "groq", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["ok"] is True and doc["models"] == 3 and doc["model_listed"] is True and doc["reply"] == "OK"
    assert isinstance(doc["models_ms"], int) and isinstance(doc["completion_ms"], int)
    models_req, chat_req = groq.requests
    assert models_req.path == "/openai/v1/models" and chat_req.path == "/openai/v1/chat/completions"
    assert chat_req.headers["authorization"] == f"Bearer {KEY}"
    human = blast("ai", "test")
    assert human.exit_code == 0 and "groq: ok" in human.stdout and " ms" in human.stdout


def test_ai_test_refused_and_unreachable_are_exit_3(blast, groq, monkeypatch):
    from nexus_blast.ai.client import Limits

    # Same retries as in real use, shorter pauses between them.
    monkeypatch.setattr("nexus_blast.cli.ai._limits", lambda timeout: Limits(timeout=timeout, backoff_initial=0.01))
    groq.models = [Reply(status=401, body={"error": {"message": "Invalid API Key"}})]
    refused = blast("ai", "test", "groq", "--json")
    assert refused.exit_code == 3
    assert "key refused by groq" in refused.stderr and refused.json()["error"]["code"] == 3
    assert KEY not in refused.stdout + refused.stderr
    assert blast("ai", "add", "ollama", "--base-url", "http://127.0.0.1:9/v1").exit_code == 0
    down = blast("ai", "test", "ollama", "--timeout", "0.5")
    assert down.exit_code == 3 and "ollama unreachable" in down.stderr


def test_ai_models(blast, groq):
    result = blast("ai", "models", "groq", "--json")
    assert result.exit_code == 0, result.stderr
    assert {"id": "llama-3.3-70b-versatile", "configured": True} in result.json()
    plain = blast("ai", "models", "groq")
    assert plain.stdout.split() == ["llama-3.3-70b-versatile", "model-b", "qwen-plus"]
    assert blast("ai", "models", "nope").exit_code == 2


def test_copy_json_variants_and_placeholders(blast, groq, blast_home):
    groq.chat = [completion(["Oi {{nome}}! *20% off* até sexta.", "{{NOME}}, sua pele agradece: 20% off.", "Última chance em {{cidade}}: 20% off!"])]
    result = blast("copy", BRIEF, "--variants", "3", "--placeholders", "nome,cidade", "--max-chars", "300", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["variants"] == ["Oi {{nome}}! *20% off* até sexta.", "{{nome}}, sua pele agradece: 20% off.", "Última chance em {{cidade}}: 20% off!"]
    assert doc["provider"] == "groq" and doc["requested"] == 3 and doc["tokens"] == {"prompt": 11, "completion": 22}
    system = groq.chats()[0].body["messages"][0]["content"]
    assert "{{nome}}, {{cidade}}" in system and "300 characters" in system
    with sqlite3.connect(blast_home / "blast.db") as conn:
        assert conn.execute("SELECT provider, prompt_tokens FROM ai_generations").fetchall() == [("groq", 11)]


def test_copy_human_output_and_message_file(blast, groq, tmp_path):
    groq.chat = [completion(["Primeira: 20% off!", "Segunda: 20% off até sexta!"])]
    out = tmp_path / "msg.txt"
    result = blast("copy", BRIEF, "-n", "2", "-o", out, "--pick", "2")
    assert result.exit_code == 0, result.stderr
    assert "--- 1 (" in result.stdout and "--- 2 (" in result.stdout and "Primeira" in result.stdout
    assert out.read_text(encoding="utf-8") == "Segunda: 20% off até sexta!"
    assert "--message-file" in result.stderr
    overwrite = blast("copy", BRIEF, "-n", "2", "-o", out)
    assert overwrite.exit_code == 2 and "--yes" in overwrite.stderr
    assert blast("copy", BRIEF, "-n", "2", "-o", out, "--yes").exit_code == 0
    assert out.read_text(encoding="utf-8") == "Primeira: 20% off!"
    assert blast("copy", BRIEF, "-n", "2", "--pick", "3").exit_code == 2


def test_copy_brief_from_stdin(blast, groq):
    groq.chat = [completion(["Oi! 20% off."])]
    result = blast("copy", "-", "-n", "1", "--json", input="brief vindo do stdin")
    assert result.json()["variants"] == ["Oi! 20% off."]
    assert "brief vindo do stdin" in groq.chats()[0].body["messages"][1]["content"]


def test_copy_without_provider_names_blast_ai_add(blast):
    result = blast("copy", BRIEF, "--json")
    assert result.exit_code == 2
    assert "blast ai add" in result.stderr and result.json()["error"]["code"] == 2


def test_copy_unknown_model_is_exit_2_with_list_command(blast, groq):
    groq.chat = [Reply(status=404, body={"error": {"message": "The model `nope` does not exist"}})]
    result = blast("copy", BRIEF, "--model", "nope")
    assert result.exit_code == 2
    assert "blast ai models groq" in result.stderr


@pytest.mark.parametrize(
    ("reply", "expect"),
    [
        (Reply(status=403, body={"error": {"message": "forbidden"}}), "key refused by groq"),
        (Reply(status=429, body={}, headers={"Retry-After": "3600"}), "rate limited by groq"),
        (completion("não consegui"), "no usable answer twice"),
        (Reply(delay=1.0, body={}), "did not answer within 0.2 s"),
    ],
)
def test_copy_dependency_failures_are_exit_3(blast, groq, reply, expect):
    groq.chat = [reply]
    result = blast("copy", BRIEF, "--timeout", "0.2", "--json")
    assert result.exit_code == 3, result.stderr
    assert expect in result.stderr and result.json()["error"]["code"] == 3
    assert result.stderr.count("\n") == 1


def test_the_key_never_appears_anywhere(blast, groq, blast_home, monkeypatch):
    """Run every command and failure with a distinctive key; grep all output, errors and the DB."""
    groq.chat = [Reply(status=401, body={"error": {"message": f"Incorrect API key provided: {KEY}"}})]
    groq.models = [Reply(status=403, body={"error": {"message": f"key {KEY} is blocked"}})]
    seen = []
    for args in [
        ("ai", "list"), ("ai", "list", "--json"), ("config", "show"), ("config", "show", "--json"),
        ("ai", "test", "groq"), ("ai", "test", "groq", "--json"), ("--debug", "ai", "test", "groq"),
        ("ai", "models", "groq", "--json"), ("copy", BRIEF), ("copy", BRIEF, "--json"), ("--debug", "copy", BRIEF),
    ]:
        result = blast(*args)
        seen.append(result.stdout + result.stderr)
    groq.chat = [Reply(status=400, body={"error": {"message": f"bad request for {KEY}"}})]
    seen.append(str(vars(blast("copy", BRIEF, "--json"))))
    groq.reset()
    ok = blast("copy", BRIEF, "--json")
    assert ok.exit_code == 0
    seen.append(ok.stdout + ok.stderr)
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    assert blast("ai", "add", "deepseek", "--base-url", groq.url).exit_code == 0
    seen.append(str(vars(blast("ai", "list", "--json"))))
    joined = "\n".join(seen)
    assert "key refused by groq" in joined and "HTTP 400" in joined
    assert KEY not in joined and KEY[4:-4] not in joined
    with sqlite3.connect(blast_home / "blast.db") as conn:
        dump = "\n".join(conn.iterdump())
    assert "ai_generations" in dump and KEY not in dump


def test_first_steps_offer_the_free_local_ollama_and_say_how_to_start_it(blast, fake_ai):
    """No provider: the hint offers Ollama (free, local) first and is kept in the --json error;
    an unreachable Ollama suggests `ollama serve`; a model named `llama3.2` matches `llama3.2:latest`."""
    none = blast("copy", "promoção de verão", "--json")
    assert none.exit_code == 2
    hint = none.json()["error"]["hint"]
    assert hint.index("blast ai add ollama") < hint.index("groq") and "ollama pull" in hint
    assert "blast ai add ollama" in blast("ai", "list").stderr

    assert blast("ai", "add", "ollama", "--name", "off", "--base-url", "http://127.0.0.1:9/v1").exit_code == 0
    down = blast("ai", "test", "off", "--timeout", "0.5", "--json")
    assert down.exit_code == 3 and "ollama serve" in down.stderr and "ollama serve" in down.json()["error"]["hint"]

    fake_ai.models = [Reply(body={"object": "list", "data": [{"id": "llama3.2:latest", "object": "model"}]})]
    fake_ai.chat = [completion("OK")]
    assert blast("ai", "add", "ollama", "--base-url", fake_ai.url + "/v1", "--model", "llama3.2").exit_code == 0
    tested = blast("ai", "test", "ollama", "--json")
    assert tested.exit_code == 0, tested.stderr
    assert tested.json()["model_listed"] is True and "not in the model list" not in tested.stderr + tested.stdout
    assert blast("ai", "models", "ollama", "--json").json() == [{"id": "llama3.2:latest", "configured": True}]
