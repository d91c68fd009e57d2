"""What the client puts on the wire, request by request, against a recording server (CONTRACT.md)."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nexus_blast.waha.client import WahaClient, run_sync

from .loopback import serve

KEY = "wire-key-91b3c7d5e2"
CHAT = "5511987654321@c.us"


def _recorder(seen: list[dict]):
    async def handler(request: Request) -> Response:
        raw = await request.body()
        seen.append({
            "method": request.method, "path": request.url.path, "query": dict(request.query_params),
            "raw_query": request.url.query, "body": json.loads(raw) if raw else None,
            "key": request.headers.get("x-api-key"),
        })
        path = request.url.path
        if path.endswith("/auth/qr"):
            return JSONResponse({"value": "2@abc"})
        if path.endswith("/request-code"):
            return JSONResponse({"code": "ABCD-EFGH"}, status_code=201)
        if path == "/api/contacts/check-exists":
            return JSONResponse({"numberExists": True, "chatId": "551187654321@c.us"})
        if path.endswith("/messages"):
            return JSONResponse([])
        if request.method == "DELETE":
            return Response(status_code=200)
        return JSONResponse({"name": "s1", "status": "STOPPED"}, status_code=201 if request.method == "POST" else 200)

    return Starlette(routes=[Route("/{path:path}", handler, methods=["GET", "POST", "PUT", "DELETE"])])


def test_every_call_is_the_contracts_request():
    seen: list[dict] = []

    async def scenario(url):
        async with WahaClient(url, KEY, timeout=5) as w:
            await w.list_sessions()
            await w.create_session("s1", start=False, config={"webhooks": []})
            await w.update_session("s1", {"webhooks": []})
            await w.delete_session("s1")
            assert await w.qr_raw("s1") == "2@abc"
            assert await w.request_code("s1", "5511987654321") == "ABCD-EFGH"
            assert await w.check_exists("s1", "5511987654321") == (True, "551187654321@c.us")
            await w.chat_messages("s1", CHAT, limit=50, since=1700000000)

    with serve(_recorder(seen)) as url:
        run_sync(scenario(url))
    calls = {(c["method"], c["path"]): c for c in seen}
    assert all(c["key"] == KEY and "x-api-key" not in c["raw_query"] for c in seen)  # header only, never the URL
    assert calls[("GET", "/api/sessions")]["query"] == {"all": "true"}
    assert calls[("POST", "/api/sessions")]["body"] == {"name": "s1", "start": False, "config": {"webhooks": []}}
    assert calls[("PUT", "/api/sessions/s1")]["body"] == {"config": {"webhooks": []}}
    assert calls[("DELETE", "/api/sessions/s1")]["body"] is None
    assert calls[("GET", "/api/s1/auth/qr")]["query"] == {"format": "raw"}
    assert calls[("POST", "/api/s1/auth/request-code")]["body"] == {"phoneNumber": "5511987654321"}
    assert calls[("GET", "/api/contacts/check-exists")]["query"] == {"phone": "5511987654321", "session": "s1"}
    assert calls[("GET", f"/api/s1/chats/{CHAT}/messages")]["query"] == {
        "limit": "50", "downloadMedia": "false", "filter.fromMe": "true", "filter.timestamp.gte": "1700000000",
    }


def test_the_client_object_does_not_show_its_key():
    client = WahaClient("http://127.0.0.1:9", KEY)
    try:
        assert KEY not in repr(client) and KEY not in str(vars(client).get("base_url"))
    finally:
        run_sync(client.aclose())
