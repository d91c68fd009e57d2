"""The WAHA client against the sandbox and small misbehaving servers, on loopback with real sockets."""

from __future__ import annotations

import asyncio
import base64
import time

import pytest

from nexus_blast.waha import errors as E
from nexus_blast.httputil import parse_retry_after
from nexus_blast.waha.client import WahaClient, run_sync

from .loopback import closed_port_url, serve

KEY = "waha-test-key-7c1e9d2f"
CHAT = "5511987654321@c.us"


def client(url, key="", **kw):
    kw.setdefault("backoff_initial", 0.01)
    kw.setdefault("backoff_max", 0.5)
    kw.setdefault("timeout", 5)
    return WahaClient(url, key, **kw)


async def _with(url, fn, key="", **kw):
    async with client(url, key, **kw) as waha:
        return await fn(waha)


def call(url, fn, key="", **kw):
    return run_sync(_with(url, fn, key, **kw))


@pytest.mark.parametrize("engine", ["WEBJS", "NOWEB", "GOWS"])
def test_every_engine_send_shape_gives_the_serialized_id(make_sandbox, engine):
    sb = make_sandbox(sessions=("s1",), engine=engine)
    sent = call(sb.url, lambda w: w.send_text("s1", CHAT, "olá"))
    recorded = sb.sent()
    assert [r["text"] for r in recorded] == ["olá"]
    assert sent.serialized_id == recorded[0]["id"]
    assert sent.serialized_id.startswith(f"true_{CHAT}_3EB0")
    assert sent.short_id == sent.serialized_id.rsplit("_", 1)[1]
    image = call(
        sb.url,
        lambda w: w.send_image("s1", CHAT, mimetype="image/png", filename="a.png", data_b64=base64.b64encode(b"png").decode(), caption="c"),
    )
    assert image.serialized_id == sb.sent()[1]["id"]


def test_status_changes_create_pair_stop_start_logout(make_sandbox):
    sb = make_sandbox(start_seconds=0.01)

    async def scenario(w):
        created = await w.create_session("loja1", start=True)
        assert created["name"] == "loja1"
        await asyncio.sleep(0.1)
        assert (await w.get_session("loja1"))["status"] == "SCAN_QR_CODE"
        assert (await w.qr_raw("loja1")).startswith("2@")
        assert await w.me("loja1") is None
        sb.pair("loja1")
        info = await w.get_session("loja1")
        assert info["status"] == "WORKING"
        me = await w.me("loja1")
        assert me["id"].endswith("@c.us")
        await w.stop_session("loja1")
        await w.stop_session("loja1")  # idempotent
        assert (await w.get_session("loja1"))["status"] == "STOPPED"
        assert "loja1" not in [s["name"] for s in await w.list_sessions(all=False)]
        assert "loja1" in [s["name"] for s in await w.list_sessions(all=True)]
        await w.start_session("loja1")
        await w.start_session("loja1")
        await asyncio.sleep(0.1)
        assert (await w.get_session("loja1"))["status"] == "WORKING"  # pairing remembered
        await w.logout_session("loja1")
        await asyncio.sleep(0.1)
        assert (await w.get_session("loja1"))["status"] == "SCAN_QR_CODE"
        with pytest.raises(E.WahaBadRequest, match="already exists"):
            await w.create_session("loja1", start=False)
        with pytest.raises(E.WahaBadRequest):
            await w.create_session("bad name!", start=False)
        await w.delete_session("loja1")
        await w.delete_session("loja1")  # idempotent
        with pytest.raises(E.WahaSessionNotFound) as info:
            await w.get_session("loja1")
        assert "loja1" in str(info.value) and sb.url in str(info.value)

    call(sb.url, scenario)


def test_qr_value_rotates_and_expires_to_failed(make_sandbox):
    sb = make_sandbox(start_seconds=0.0, qr_first_seconds=0.15, qr_rotate_seconds=0.1, qr_max=3)

    async def scenario(w):
        await w.create_session("p", start=True)
        first = await w.qr_raw("p")
        await asyncio.sleep(0.2)
        second = await w.qr_raw("p")
        assert first != second
        await asyncio.sleep(0.3)
        assert (await w.get_session("p"))["status"] == "FAILED"

    call(sb.url, scenario)


def test_bad_api_key_is_refused_and_never_echoed(make_sandbox):
    sb = make_sandbox(sessions=("s1",), api_key=KEY)
    wrong = "wrong-key-0123456789"
    with pytest.raises(E.WahaKeyRefused) as info:
        call(sb.url, lambda w: w.get_session("s1"), key=wrong)
    assert info.value.exit_code == 3
    assert wrong not in str(info.value) and KEY not in str(info.value)
    with pytest.raises(E.WahaKeyRefused):
        call(sb.url, lambda w: w.server_version())
    assert call(sb.url, lambda w: w.get_session("s1"), key=KEY)["status"] == "WORKING"


def test_unauthorized_body_is_wahas(make_sandbox):
    import httpx

    sb = make_sandbox(api_key=KEY)
    response = httpx.get(f"{sb.url}/api/sessions")
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized", "statusCode": 401}
    # WAHA 2026.2.1 ignores a key in the query string (real-2026.2.1 generic/06-version-querykey)
    assert httpx.get(f"{sb.url}/api/sessions", params={"x-api-key": KEY}).status_code == 401
    assert httpx.get(f"{sb.url}/api/sessions", headers={"X-Api-Key": KEY}).status_code == 200


def test_unknown_session_and_not_working_session(sandbox):
    with pytest.raises(E.WahaSessionNotFound) as info:
        call(sandbox.url, lambda w: w.send_text("nope", CHAT, "x"))
    assert info.value.exit_code == 2
    sandbox.set_status("s2", "SCAN_QR_CODE")
    with pytest.raises(E.WahaSessionNotWorking) as info:
        call(sandbox.url, lambda w: w.send_text("s2", CHAT, "x"))
    assert info.value.status == "SCAN_QR_CODE"
    assert "s2" in str(info.value)
    call(sandbox.url, lambda w: w.stop_session("s3"))
    with pytest.raises(E.WahaSessionNotWorking) as info:  # WAHA 2026: 422 status STOPPED (not a 404)
        call(sandbox.url, lambda w: w.send_text("s3", CHAT, "x"))
    assert info.value.status == "STOPPED"
    assert sandbox.sent() == []


def test_unreachable_server_is_typed_and_bounded():
    url = closed_port_url()
    started = time.monotonic()
    with pytest.raises(E.WahaUnreachable) as info:
        call(url, lambda w: w.list_sessions(), retries=2)
    assert time.monotonic() - started < 3
    assert info.value.sent is False and info.value.exit_code == 3
    assert url in str(info.value)


def test_5xx_then_success_is_retried_for_idempotent_calls(sandbox):
    sandbox.faults(session="s1", errors=2)
    assert call(sandbox.url, lambda w: w.get_session("s1"), retries=3)["status"] == "WORKING"
    sandbox.faults(session="s1", errors=5)
    with pytest.raises(E.WahaServerError) as info:
        call(sandbox.url, lambda w: w.get_session("s1"), retries=2)
    assert info.value.status_code == 500


def test_a_send_is_not_retried_on_5xx(sandbox):
    sandbox.faults(session="s1", errors=1)
    with pytest.raises(E.WahaServerError):
        call(sandbox.url, lambda w: w.send_text("s1", CHAT, "x"), retries=3)
    assert sandbox.sent() == []
    assert call(sandbox.url, lambda w: w.send_text("s1", CHAT, "x")).serialized_id


def test_429_retry_after_is_honoured_for_reads_and_sends(sandbox):
    sandbox.faults(session="s1", rate_limit=1, retry_after=0.3)
    started = time.monotonic()
    assert call(sandbox.url, lambda w: w.get_session("s1"))["name"] == "s1"
    assert time.monotonic() - started >= 0.3
    sandbox.faults(session="s1", rate_limit=1, retry_after=0.2)
    started = time.monotonic()
    call(sandbox.url, lambda w: w.send_text("s1", CHAT, "x"))
    assert time.monotonic() - started >= 0.2
    assert len(sandbox.sent()) == 1


def test_429_with_a_long_retry_after_is_raised_with_it(sandbox):
    sandbox.faults(session="s1", rate_limit=1, retry_after=120)
    with pytest.raises(E.WahaRateLimited) as info:
        call(sandbox.url, lambda w: w.get_session("s1"))
    assert info.value.retry_after == 120


def test_a_hanging_server_times_out_in_bounded_time(sandbox):
    # The hang (20 s) is far longer than any bound asserted, so a busy machine cannot blur the two;
    # timeouts of 1 s (connect and read): a loaded machine can be slow to accept a connection.
    sandbox.faults(session="s1", hang_seconds=20.0)
    started = time.monotonic()
    with pytest.raises(E.WahaUnreachable) as info:
        call(sandbox.url, lambda w: w.get_session("s1"), timeout=1.0, retries=5, total_timeout=3)
    elapsed = time.monotonic() - started
    assert info.value.sent is True
    assert elapsed < 10  # total_timeout bounded the retries: the hang was not waited out
    started = time.monotonic()
    with pytest.raises(E.WahaUnreachable):  # a send whose outcome is unknown is never retried
        call(sandbox.url, lambda w: w.send_text("s1", CHAT, "x"), timeout=1.0, retries=5)
    assert time.monotonic() - started < 10


def test_misbehaving_plain_server_5xx_then_success():
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    hits = []

    async def version(request):
        hits.append(1)
        if len(hits) < 3:
            return PlainTextResponse("Bad Gateway", status_code=502)
        return JSONResponse({"version": "2024.1.1", "engine": "NOWEB", "tier": "CORE"})

    with serve(Starlette(routes=[Route("/api/server/version", version)])) as url:
        assert call(url, lambda w: w.server_version())["tier"] == "CORE"
    assert len(hits) == 3


def test_core_tier_refuses_other_sessions_and_media(make_sandbox):
    sb = make_sandbox(tier="CORE", sessions=("default",))
    assert call(sb.url, lambda w: w.server_version())["tier"] == "CORE"
    with pytest.raises(E.WahaPlusOnly):
        call(sb.url, lambda w: w.create_session("loja2", start=True))
    with pytest.raises(E.WahaPlusOnly) as info:
        call(sb.url, lambda w: w.send_image("default", CHAT, mimetype="image/png", filename="a.png", url="http://x/a.png"))
    assert "Plus" in str(info.value)
    assert call(sb.url, lambda w: w.send_text("default", CHAT, "ok")).serialized_id


def test_send_bodies_are_validated_like_waha(sandbox):
    import httpx

    bad_chat = httpx.post(f"{sandbox.url}/api/sendText", json={"session": "s1", "chatId": "+55 11 9876", "text": "x"})
    assert bad_chat.status_code == 500
    assert bad_chat.json()["exception"]["message"] == "invalid wid"
    missing = httpx.post(f"{sandbox.url}/api/sendText", json={"session": "s1", "chatId": CHAT})
    assert missing.status_code == 400
    bad_data = httpx.post(
        f"{sandbox.url}/api/sendImage",
        json={"session": "s1", "chatId": CHAT, "file": {"mimetype": "image/png", "filename": "a", "data": "@@@"}},
    )
    assert bad_data.status_code == 500
    with pytest.raises(E.WahaBadRequest):
        call(sandbox.url, lambda w: w.send_text("s1", CHAT, ""))
    assert sandbox.sent() == []


def test_faults_fail_after_timelock_and_not_working(sandbox):
    sandbox.faults(session="s1", fail_after=1)
    call(sandbox.url, lambda w: w.send_text("s1", CHAT, "1"))
    with pytest.raises(E.WahaServerError) as info:
        call(sandbox.url, lambda w: w.send_text("s1", CHAT, "2"))
    assert info.value.is_timeout
    sandbox.faults(session="s2", timelock=True)
    with pytest.raises(E.WahaServerError) as info:
        call(sandbox.url, lambda w: w.send_text("s2", "5511900000001@c.us", "new"))
    assert info.value.is_timelock and not info.value.is_rate_overlimit
    me = call(sandbox.url, lambda w: w.me("s2"))
    assert me["reachoutTimelock"]["isActive"] is True
    sandbox.faults(session="s3", not_working_after=1, not_working_status="FAILED")
    call(sandbox.url, lambda w: w.send_text("s3", CHAT, "last"))
    with pytest.raises(E.WahaSessionNotWorking) as info:
        call(sandbox.url, lambda w: w.send_text("s3", CHAT, "x"))
    assert info.value.status == "FAILED"
    sandbox.clear_faults()
    call(sandbox.url, lambda w: w.send_text("s1", CHAT, "3"))


def test_timelock_spares_existing_chats(sandbox):
    call(sandbox.url, lambda w: w.send_text("s1", CHAT, "before"))
    sandbox.faults(session="s1", timelock=True)
    assert call(sandbox.url, lambda w: w.send_text("s1", CHAT, "existing")).serialized_id
    with pytest.raises(E.WahaServerError):
        call(sandbox.url, lambda w: w.send_text("s1", "5511911112222@c.us", "new"))


def test_check_exists_and_legacy_chat_ids(sandbox):
    sandbox.whatsapp("5511987654321", exists=True, chat_id="551187654321@c.us")
    sandbox.whatsapp("5511900000000", exists=False)
    assert call(sandbox.url, lambda w: w.check_exists("s1", "5511987654321")) == (True, "551187654321@c.us")
    assert call(sandbox.url, lambda w: w.check_exists("s1", "5511900000000")) == (False, None)
    assert call(sandbox.url, lambda w: w.check_exists("s1", "5521912345678")) == (True, "5521912345678@c.us")


def test_chat_messages_newest_first_with_filters(sandbox):
    for text in ("a", "b", "c"):
        call(sandbox.url, lambda w, t=text: w.send_text("s1", CHAT, t))
    found = call(sandbox.url, lambda w: w.chat_messages("s1", CHAT, limit=2, since=int(time.time()) - 60))
    assert [m["body"] for m in found] == ["c", "b"]
    assert all(m["fromMe"] for m in found)
    assert call(sandbox.url, lambda w: w.chat_messages("s1", CHAT, since=int(time.time()) + 60)) == []
    assert call(sandbox.url, lambda w: w.chat_messages("s2", CHAT)) == []


def test_typing_seen_and_pairing_code(sandbox):
    async def scenario(w):
        await w.send_seen("s1", CHAT)
        await w.start_typing("s1", CHAT)
        await w.stop_typing("s1", CHAT)
        await w.create_session("fresh", start=True)
        await asyncio.sleep(0.15)
        code = await w.request_code("fresh", "5511987654321")
        assert len(code) == 9 and code[4] == "-"

    call(sandbox.url, scenario)


def test_latency_and_fail_rate_are_global(make_sandbox):
    sb = make_sandbox(sessions=("s1",), fail_rate=1.0, seed=1)
    with pytest.raises(E.WahaServerError):
        call(sb.url, lambda w: w.send_text("s1", CHAT, "x"))
    sb.faults(fail_rate=0.0, latency_ms=150)
    started = time.monotonic()
    call(sb.url, lambda w: w.send_text("s1", CHAT, "x"))
    assert time.monotonic() - started >= 0.15


def test_parse_retry_after():
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 10) == pytest.approx(10)


def test_scrub_masks_keys_in_any_text():
    from nexus_blast.waha.errors import scrub

    text = scrub(f"GET http://h/api?x-api-key={KEY} failed; header {KEY}", KEY, "")
    assert KEY not in text and text.count("waha…9d2f") == 2


@pytest.mark.parametrize("fault,expect", [
    ("502", E.WahaServerError), ("504", E.WahaServerError), ("html500", E.WahaServerError),
    ("drop", E.WahaUnreachable), ("html200", None), ("truncated201", None),
])
def test_a_send_behind_a_faulty_proxy_is_attempted_once(make_sandbox, fault, expect):
    """After the proxy forwarded the send, whatever it answers: one attempt only (never a blind
    retry); a 2xx that is not JSON is a SentMessage without an id, not an error."""
    from .proxy import FaultyProxy

    sb = make_sandbox(sessions=("s1",))
    with FaultyProxy(sb.url, {1: fault}) as proxy:
        if expect is None:
            sent = call(proxy.url, lambda w: w.send_text("s1", CHAT, "olá"))
            assert sent.serialized_id == ""
        else:
            with pytest.raises(expect):
                call(proxy.url, lambda w: w.send_text("s1", CHAT, "olá"))
        assert proxy.sends == 1 and len(sb.sent()) == 1


def test_own_message_id_is_sent_and_read_back_by_id(make_sandbox):
    sb = make_sandbox(sessions=("s1",))
    sent = call(sb.url, lambda w: w.send_text("s1", CHAT, "olá", message_id="3EB0AAAABBBBCCCCDDDD11"))
    assert sent.serialized_id == f"true_{CHAT}_3EB0AAAABBBBCCCCDDDD11"
    found = call(sb.url, lambda w: w.get_message("s1", CHAT, sent.serialized_id))
    assert found["id"] == sent.serialized_id and found["body"] == "olá"
    assert call(sb.url, lambda w: w.get_message("s1", CHAT, f"true_{CHAT}_3EB0FFFF")) is None
    with pytest.raises(E.WahaSessionNotFound):
        call(sb.url, lambda w: w.get_message("nope", CHAT, sent.serialized_id))


def test_an_older_server_ignores_own_ids(make_sandbox):
    sb = make_sandbox(sessions=("s1",), version="2026.2.1")
    sent = call(sb.url, lambda w: w.send_text("s1", CHAT, "olá", message_id="3EB0AAAABBBBCCCCDDDD11"))
    assert not sent.serialized_id.endswith("3EB0AAAABBBBCCCCDDDD11")


def test_version_parsing_for_own_ids():
    from nexus_blast.waha.parsing import accepts_own_ids

    assert accepts_own_ids({"version": "2026.4.3"}) and accepts_own_ids({"version": "2026.10.1-plus"})
    assert not accepts_own_ids({"version": "2026.4.2"}) and not accepts_own_ids({"version": "2025.12.9"})
    assert not accepts_own_ids({}) and not accepts_own_ids({"version": "latest"}) and not accepts_own_ids(None)


def test_requests_are_built_as_httpx_would_build_them():
    """The client builds its requests from parts made once (waha/client.py `_request`): the same
    URL, headers and body httpx's own `build_request` gives, base path and query included."""
    import httpx

    from nexus_blast.waha.client import WahaClient

    async def scenario():
        async with WahaClient("http://waha.example:3000/prefix/", "k-1", timeout=7) as w:
            cases = [
                ("POST", "/api/sendText", {"session": "s1", "chatId": "55@c.us", "text": "Olá 😀", "linkPreview": True}, None),
                ("GET", "/api/contacts/check-exists", None, {"phone": "5511987654321", "session": "sessão 1"}),
                ("GET", "/api/s1/chats/55%40c.us/messages", None, {"limit": 20, "filter.timestamp.gte": 17, "downloadMedia": "false"}),
                ("GET", "/api/server/version", None, None),
            ]
            for method, path, body, params in cases:
                ours = w._request(method, path, body, params, w._timeout)
                theirs = w._http.build_request(method, path, json=body, params=params, timeout=w._timeout)
                assert (ours.method, ours.url, ours.content) == (theirs.method, theirs.url, theirs.content)
                assert sorted(ours.headers.multi_items()) == sorted(theirs.headers.multi_items())
                assert ours.extensions == theirs.extensions
            other = httpx.Timeout(2.0, connect=1.0)
            assert w._request("GET", "/api/x", None, None, other).extensions == {"timeout": other.as_dict()}

    import asyncio

    asyncio.run(scenario())


def test_each_session_gets_its_own_connection_pool_unless_a_proxy_or_transport_routes_the_calls(sandbox, monkeypatch):
    """Session calls go over a pool per WAHA session (a lane's one keep-alive connection), server
    calls over the client's; with an environment proxy for the scheme, or a given transport,
    every call goes through the client as httpx routes it. Closing the client closes them all."""
    import httpx

    async def scenario():
        w = WahaClient(sandbox.url)
        assert (await w.check_exists("s1", "5511987654321"))[0] and (await w.check_exists("s2", "5511987654322"))[0]
        assert (await w.server_version())
        assert w._pool(None) is None and w._pool("s1") is not w._pool("s2") and w._pool("s1") is w._pool("s1")
        assert set(w._pools) == {"s1", "s2"}
        await w.aclose()
        assert w._pools == {}
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
        proxied = WahaClient(sandbox.url)
        assert proxied._pool("s1") is None
        await proxied.aclose()
        monkeypatch.delenv("HTTP_PROXY")
        given = WahaClient(sandbox.url, transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"numberExists": False})))
        assert given._pool("s1") is None and await given.check_exists("s1", "5511987654321") == (False, None)
        await given.aclose()

    asyncio.run(scenario())
