"""A session's calls on the wire (waha/wire.py): httpcore on plain asyncio transports, against real
servers on loopback: TLS, keep-alive connections the server closed, answers larger than the read
buffer, compressed answers, and the errors the client sorts."""

from __future__ import annotations

import asyncio
import gzip
import json
import select

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nexus_blast.serving import ThreadedServer
from nexus_blast.waha import wire
from nexus_blast.waha.client import WahaClient
from nexus_blast.waha.errors import WahaServerError, WahaUnreachable

EXISTS = {"numberExists": True, "chatId": "5511987654321@c.us"}


def _app(seen: list[str]) -> Starlette:
    async def check(request: Request) -> Response:
        seen.append(request.url.query)
        return JSONResponse(EXISTS)

    async def big(request: Request) -> Response:  # a session's info with 3 MiB of padding
        return JSONResponse({"name": "s1", "status": "WORKING", "pad": "x" * (3 << 20)})

    async def gzipped(request: Request) -> Response:  # a proxy that compresses though not asked to
        assert "accept-encoding" not in request.headers
        return Response(gzip.compress(json.dumps({"name": "s2", "status": "WORKING"}).encode()),
                        media_type="application/json", headers={"Content-Encoding": "gzip"})

    async def latin(request: Request) -> Response:
        return Response("erro: sessão indisponível".encode("latin-1"), status_code=500, media_type="text/plain; charset=latin-1")

    return Starlette(routes=[
        Route("/api/contacts/check-exists", check),
        Route("/api/sessions/s1", big),
        Route("/api/sessions/s2", gzipped),
        Route("/api/sessions/s3", latin),
    ])


def _connections(client: WahaClient, session: str) -> list:
    return client._pool(session)._pool.connections


def test_a_session_pool_speaks_tls_with_a_trusted_certificate_and_refuses_another(tmp_path, monkeypatch):
    """Over TLS too, a 3 MiB answer through a 16 KiB read buffer stops and resumes the reading."""
    trustme = pytest.importorskip("trustme")
    import ssl

    from nexus_blast.waha import client as client_module

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "server.pem"))
    seen: list[str] = []
    with ThreadedServer(_app(seen), ssl_certfile=str(tmp_path / "server.pem")) as server:
        assert server.url.startswith("https://")

        async def scenario(context: ssl.SSLContext):
            monkeypatch.setattr(client_module, "_tls", lambda: context)
            async with WahaClient(server.url, timeout=10, retries=0) as w:
                first = await w.check_exists("s1", "5511987654321")
                return first, await w.check_exists("s1", "5511987654322"), len((await w.get_session("s1"))["pad"])

        monkeypatch.setattr(wire, "READ_LIMIT", 16 << 10)
        trusting = ssl.create_default_context()
        ca.configure_trust(trusting)
        assert asyncio.run(scenario(trusting)) == ((True, EXISTS["chatId"]), (True, EXISTS["chatId"]), 3 << 20)
        assert seen == ["phone=5511987654321&session=s1", "phone=5511987654322&session=s1"]
        with pytest.raises(WahaUnreachable) as refused:
            asyncio.run(scenario(ssl.create_default_context()))  # the test CA is not trusted
        assert "cannot connect" in str(refused.value) and "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
        assert refused.value.sent is False and len(seen) == 2


@pytest.mark.parametrize("loop_ran", [True, False], ids=["loop-saw-the-close", "loop-busy-meanwhile"])
def test_a_kept_alive_connection_the_server_closed_is_not_reused(loop_ran):
    """The server drops idle connections after 0.2 s: the next call sees the closed one is dead
    before using it and makes a new one, without an error (there is no retry). Also when the
    process was busy (a long commit) and its event loop has not read the close yet."""
    seen: list[str] = []
    with ThreadedServer(_app(seen), timeout_keep_alive=0.2) as server:

        async def scenario():
            async with WahaClient(server.url, timeout=5, retries=0) as w:
                await w.check_exists("s1", "5511987654321")
                (first,) = _connections(w, "s1")
                stream = first._connection._network_stream
                # blocks the loop until the server's FIN is on the socket (the loop has not read it)
                readable, _, _ = select.select([stream.get_extra_info("socket")], [], [], 20)
                assert readable and not stream._connection.closed, "the server never closed the idle connection"
                if loop_ran:  # let the loop read it: a few of its turns, no timed wait
                    for _turn in range(100):
                        if stream._connection.closed:
                            break
                        await asyncio.sleep(0)
                    assert stream._connection.closed
                assert await w.check_exists("s1", "5511987654322") == (True, EXISTS["chatId"])
                (second,) = _connections(w, "s1")
                return first is not second

        assert asyncio.run(scenario())
        assert len(seen) == 2


def test_answers_larger_than_the_read_buffer_compressed_or_in_another_charset_are_read_whole(monkeypatch):
    """With a 16 KiB read buffer, a 3 MiB answer stops and resumes the socket's reading many
    times (were reading never resumed, the call would time out)."""
    monkeypatch.setattr(wire, "READ_LIMIT", 16 << 10)
    with ThreadedServer(_app([])) as server:

        async def scenario():
            async with WahaClient(server.url, timeout=10, retries=0) as w:
                big = await w.get_session("s1")
                small = await w.get_session("s2")
                with pytest.raises(WahaServerError) as error:
                    await w.get_session("s3")
                return big, small, error.value

        big, small, error = asyncio.run(scenario())
        assert len(big["pad"]) == 3 << 20 and big["status"] == "WORKING"
        assert small == {"name": "s2", "status": "WORKING"}
        assert error.status_code == 500 and "erro: sessão indisponível" in error.detail


def test_a_server_that_closes_mid_answer_is_a_broken_exchange_and_a_closed_port_is_not_sent():
    from .loopback import closed_port_url

    async def truncated(scope, receive, send):  # headers promise 100 bytes, 5 come, then the socket closes
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
        await send({"type": "http.response.body", "body": b'{"nu', "more_body": False})

    with ThreadedServer(truncated) as server:

        async def cut():
            async with WahaClient(server.url, timeout=5, retries=0) as w:
                await w.get_session("s1")

        with pytest.raises(WahaUnreachable) as broken:
            asyncio.run(cut())
    assert broken.value.sent is True and "connection failed during GET /api/sessions/s1" in str(broken.value)

    async def refused():
        async with WahaClient(closed_port_url(), timeout=5, retries=0) as w:
            await w.get_session("s1")

    with pytest.raises(WahaUnreachable) as unreachable:
        asyncio.run(refused())
    assert unreachable.value.sent is False and "cannot connect (All connection attempts failed)" in str(unreachable.value)


def test_session_requests_carry_the_clients_url_headers_and_body():
    """`_wire` builds what `_request` builds (itself checked against httpx's build_request) but for
    the headers httpx adds on its own: no User-Agent, Accept-Encoding or Connection."""

    async def scenario():
        async with WahaClient("http://waha.example:3000/prefix/", "k-1", timeout=7) as w:
            cases = [
                ("POST", "/api/sendText", {"session": "s1", "chatId": "55@c.us", "text": "Olá 😀", "linkPreview": True}, None),
                ("GET", "/api/contacts/check-exists", None, {"phone": "5511987654321", "session": "sessão 1"}),
                ("GET", "/api/server/version", None, None),
            ]
            for method, path, body, params in cases:
                ours = w._wire(method, path, body, params, w._timeout)
                theirs = w._request(method, path, body, params, w._timeout)
                assert ours.method.decode() == theirs.method
                assert bytes(ours.url) == str(theirs.url).encode()
                assert ours.stream._content == theirs.content if body else ours.stream._content == b""  # type: ignore[attr-defined]
                expected = {k.lower(): v for k, v in theirs.headers.items() if k.lower() not in ("user-agent", "accept-encoding", "connection")}
                assert {k.decode().lower(): v.decode() for k, v in ours.headers} == expected
                assert ours.extensions == theirs.extensions

    asyncio.run(scenario())
