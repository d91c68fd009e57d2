"""The sandbox: a WAHA-compatible ASGI app (same paths, bodies, statuses and error JSON as WAHA).

`create_app(SandboxConfig(...))` returns the Starlette app; sandbox/server.py runs it.
Control API (no key) under `/_sandbox/`: sent messages, pairing, status, faults, WhatsApp numbers.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nexus_blast.sandbox.control import control_routes
from nexus_blast.sandbox.replies import Reply, nest
from nexus_blast.sandbox.state import CHAT_RE, NAME_RE, RUNNING, SandboxConfig, Session, World
from nexus_blast.sandbox.webhooks import Emitter

__all__ = ["SandboxConfig", "create_app"]

GROUP_RE = re.compile(r"^[\d-]{6,40}@g\.us$")
PLUS_ONLY = "The feature is available only in Plus version. Check this out: https://waha.devlike.pro/"
CORE_SESSIONS = (
    "WAHA Core support only 'default' session. If you want to run more then one WhatsApp account - "
    "please get WAHA PLUS version. Check this out: https://waha.devlike.pro/docs/how-to/plus-version/"
)


class Sandbox:
    """The routes, over a World and an Emitter."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.world = World(config)
        self.emitter = Emitter(self.world)
        self.closing = False  # set (from any thread) when the server is asked to stop

    # --- plumbing --------------------------------------------------------------------------------

    def api(self, handler):
        """Wrap a WAHA route: API key, latency, clock tick, error replies."""

        async def endpoint(request: Request) -> Response:
            try:
                self._authorize(request)
                if self.config.latency_ms:
                    await asyncio.sleep(self.config.latency_ms / 1000)
                self.world.tick()
                return await handler(request)
            except Reply as reply:
                return reply.response

        return endpoint

    def control(self, handler):
        async def endpoint(request: Request) -> Response:
            self.world.tick()
            try:
                return await handler(request)
            except Reply as reply:
                return reply.response

        return endpoint

    def _authorize(self, request: Request) -> None:
        key = self.config.api_key
        if not key:
            return
        given = request.headers.get("x-api-key") or request.query_params.get("x-api-key") or ""
        if not hmac.compare_digest(given.encode(), key.encode()):
            raise Reply(401, {"message": "Unauthorized", "statusCode": 401})

    async def body(self, request: Request) -> dict:
        raw = await request.body()
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise nest(400, "Unexpected token in JSON", "Bad Request") from None
        if not isinstance(body, dict):
            raise nest(400, "Request body must be a JSON object", "Bad Request")
        return body

    def known(self, name: str) -> Session:
        session = self.world.sessions.get(name)
        if session is None:
            raise nest(404, "Session not found", "Not Found")
        return session

    async def _running(self, name: str, expected: str = "WORKING") -> Session:
        """A started session in status EXPECTED, after the session's injected faults."""
        session = self.world.sessions.get(name)
        if session is None:  # WAHA 2026: waits, then 422 without `expected`
            await asyncio.sleep(self.config.not_working_wait)
            raise Reply(422, {"error": f'Session "{name}" does not exist', "session": name})
        if session.status == "STOPPED":
            raise nest(
                404,
                f"We didn't find a session with name '{name}'.\nPlease start it first by using POST /api/sessions/{name}/start request",
                "Not Found",
            )
        await self._faults(session)
        # Like WAHA, wait a little for the session to get there (e.g. STARTING → WORKING) before a 422.
        deadline = self.world.clock() + self.config.not_working_wait
        while session.status != expected and self.world.clock() < deadline:
            await asyncio.sleep(0.01)
            self.world.tick()
        if session.status != expected:
            raise Reply(422, {
                "error": "Session status is not as expected. Try again later or restart the session",
                "session": name, "status": session.status, "expected": [expected],
            })
        return session

    async def _faults(self, session: Session) -> None:
        faults = session.faults
        if faults.hang_seconds and (faults.hang_count is None or faults.hang_count > 0):
            if faults.hang_count is not None:
                faults.hang_count -= 1
            until = self.world.clock() + faults.hang_seconds
            while self.world.clock() < until and not self.closing:  # a shutdown ends the hang
                await asyncio.sleep(min(0.05, max(0.0, until - self.world.clock())))
        if faults.rate_limit > 0:
            faults.rate_limit -= 1
            raise Reply(429, {"statusCode": 429, "message": "Too Many Requests"}, {"Retry-After": f"{faults.retry_after:g}"})
        if faults.errors > 0:
            faults.errors -= 1
            raise self._engine_error("Internal server error")

    def _engine_error(self, message: str, request: Request | None = None) -> Reply:
        return Reply(500, {
            "statusCode": 500, "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "exception": {"message": message, "name": "Error"},
            "request": {"path": request.url.path if request else "", "method": request.method if request else ""},
            "version": self._version(),
        })

    def _version(self) -> dict:
        return {"version": self.config.version, "engine": self.config.engine, "tier": self.config.tier, "browser": None}

    # --- server and sessions -------------------------------------------------------------------

    async def version(self, request: Request) -> Response:
        return JSONResponse(self._version())

    async def ping(self, request: Request) -> Response:
        return JSONResponse({"message": "pong"})

    async def list_sessions(self, request: Request) -> Response:
        show_all = request.query_params.get("all", "").lower() in ("true", "1")
        found = [self.world.info(s) for s in self.world.sessions.values() if show_all or s.status != "STOPPED"]
        return JSONResponse(found)

    async def create_session(self, request: Request) -> Response:
        body = await self.body(request)
        name = body.get("name") or "default"
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise nest(400, ["name must match /^[a-zA-Z0-9_-]{1,54}$/ regular expression"], "Bad Request")
        if self.config.tier == "CORE" and name != "default":
            raise nest(422, CORE_SESSIONS, "Unprocessable Entity")
        if name in self.world.sessions:
            raise nest(422, f"Session '{name}' already exists. Use PUT to update it.", "Unprocessable Entity")
        config = body.get("config") or {}
        session = Session(name, config=config if isinstance(config, dict) else {}, status_since=self.world.clock())
        self.world.sessions[name] = session
        if body.get("start") is True:  # WAHA: `request.start || false` — no start, stays STOPPED
            self.world.start(session)
        return JSONResponse(self.world.info(session), status_code=201)

    async def get_session(self, request: Request) -> Response:
        session = self.known(request.path_params["s"])
        await self._faults(session)
        return JSONResponse(self.world.info(session))

    async def update_session(self, request: Request) -> Response:
        session = self.known(request.path_params["s"])
        body = await self.body(request)
        config = body.get("config")
        if not isinstance(config, dict):
            raise nest(400, ["config must be an object"], "Bad Request")
        session.config = config
        if session.status in RUNNING:  # WAHA restarts a running session to apply its config
            self.world.stop(session)
            self.world.start(session)
        return JSONResponse(self.world.info(session))

    async def delete_session(self, request: Request) -> Response:
        session = self.world.sessions.pop(request.path_params["s"], None)
        if session is not None:
            session.status = "STOPPED"
        return Response(status_code=200)

    async def session_action(self, request: Request) -> Response:
        session = self.known(request.path_params["s"])
        await self._faults(session)
        action = request.path_params["action"]
        if action == "start":
            self.world.start(session)
        elif action == "stop":
            self.world.stop(session)
        elif action == "restart":
            self.world.stop(session)
            self.world.start(session)
        elif action == "logout":
            self.world.logout(session)
        else:
            raise nest(404, f"Cannot POST {request.url.path}", "Not Found")
        return JSONResponse(self.world.info(session), status_code=201)

    async def me(self, request: Request) -> Response:
        session = self.known(request.path_params["s"])
        await self._faults(session)
        me = self.world.me_of(session) if session.status == "WORKING" else None
        return JSONResponse(me) if me is not None else Response(status_code=200)

    async def qr(self, request: Request) -> Response:
        session = await self._running(request.path_params["s"], expected="SCAN_QR_CODE")
        value = self.world.qr_value(session)
        fmt = request.query_params.get("format", "image")
        if fmt == "raw":
            return JSONResponse({"value": value})
        import io

        import segno

        buffer = io.BytesIO()
        segno.make(value, error="l").save(buffer, kind="png", scale=4)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"mimetype": "image/png", "data": base64.b64encode(buffer.getvalue()).decode()})
        return Response(buffer.getvalue(), media_type="image/png")

    async def request_code(self, request: Request) -> Response:
        session = await self._running(request.path_params["s"], expected="SCAN_QR_CODE")
        body = await self.body(request)
        phone = str(body.get("phoneNumber") or "")
        if not phone.isdigit():
            raise nest(400, ["phoneNumber must be digits"], "Bad Request")
        digest = hashlib.sha256(f"{session.name}:{phone}:{session.qr_since}".encode()).hexdigest().upper()
        code = "".join(c for c in digest if c.isalpha() or c.isdigit())[:8]
        session.codes.append(f"{code[:4]}-{code[4:]}")
        return JSONResponse({"code": session.codes[-1]}, status_code=201)

    # --- messages -------------------------------------------------------------------------------

    async def _send_target(self, request: Request, fields: tuple[str, ...]) -> tuple[Session, dict, str]:
        body = await self.body(request)
        session = await self._running(str(body.get("session") or "default"))
        missing = [f for f in fields if body.get(f) in (None, "")]
        if missing:
            raise nest(400, [f"{f} should not be empty" for f in missing], "Bad Request")
        chat_id = body["chatId"]
        if not isinstance(chat_id, str) or not (CHAT_RE.match(chat_id) or GROUP_RE.match(chat_id)):
            raise self._engine_error("invalid wid", request)
        return session, body, chat_id

    async def send_text(self, request: Request) -> Response:
        session, body, chat_id = await self._send_target(request, ("chatId", "text"))
        if not isinstance(body["text"], str):
            raise self._engine_error("text must be a string", request)
        return self._accept(request, session, chat_id, body["text"], short_id=self._own_id(body))

    async def send_image(self, request: Request) -> Response:
        if self.config.tier == "CORE":
            raise nest(422, PLUS_ONLY, "Unprocessable Entity")
        session, body, chat_id = await self._send_target(request, ("chatId", "file"))
        file = body["file"]
        if not isinstance(file, dict) or not file.get("mimetype") or not (file.get("data") or file.get("url")):
            raise nest(400, ["file must have mimetype and data or url"], "Bad Request")
        digest, url = "", str(file.get("url") or "")
        if file.get("data"):
            try:
                digest = hashlib.sha256(base64.b64decode(str(file["data"]), validate=True)).hexdigest()
            except (binascii.Error, ValueError):
                raise self._engine_error("Invalid base64 data in file.data", request) from None
        kind = "image" if request.url.path.endswith("sendImage") else "file"
        return self._accept(
            request, session, chat_id, str(body.get("caption") or ""), kind=kind,
            mimetype=str(file["mimetype"]), filename=str(file.get("filename") or ""), sha256=digest, url=url,
            short_id=self._own_id(body),
        )

    def _own_id(self, body: dict) -> str | None:
        """The caller's pre-generated message id, on a version that takes one (older ones ignore it)."""
        from nexus_blast.waha.parsing import accepts_own_ids

        ident = body.get("id")
        return ident if isinstance(ident, str) and ident and accepts_own_ids(self._version()) else None

    def _accept(self, request: Request, session: Session, chat_id: str, text: str, short_id: str | None = None, **media) -> Response:
        fault = self.world.send_fault(session, chat_id)
        if fault:
            raise self._engine_error(fault, request)
        message = self.world.accept(session, chat_id, text, short_id=short_id, **media)
        self.emitter.schedule_acks(message)
        shape = self.world.response_shape(message)
        self.world.after_send(session)  # count-down faults apply once this send is answered
        return JSONResponse(shape, status_code=201)

    async def chat_action(self, request: Request) -> Response:
        await self._send_target(request, ("chatId",))
        typing = not request.url.path.endswith("sendSeen")
        return JSONResponse({"result": True} if typing else {}, status_code=201)

    async def check_exists(self, request: Request) -> Response:
        await self._running(request.query_params.get("session") or "default")
        phone = request.query_params.get("phone", "").lstrip("+")
        if not phone.isdigit():
            raise self._engine_error("invalid wid", request)
        exists, chat_id = self.world.lookup(phone)
        return JSONResponse({"numberExists": True, "chatId": chat_id} if exists else {"numberExists": False})

    async def chat_messages(self, request: Request) -> Response:
        name = request.path_params["s"]
        await self._running(name)
        q = request.query_params
        try:
            limit = int(q.get("limit", "10"))
            since = int(q["filter.timestamp.gte"]) if q.get("filter.timestamp.gte") else None
        except ValueError:
            raise nest(400, ["limit and filter.timestamp.gte must be integers"], "Bad Request") from None
        from_me = {"true": True, "false": False}.get(q.get("filter.fromMe", "").lower())
        history = self.world.chat_history(name, request.path_params["chat"], from_me=from_me, since=since, limit=limit)
        return JSONResponse(history)

    async def chat_message(self, request: Request) -> Response:
        """GET /api/{s}/chats/{chat}/messages/{id}: one message by serialized or short id (servers
        from 2026.4.3; older ones have no such route)."""
        from nexus_blast.waha.parsing import accepts_own_ids

        if not accepts_own_ids(self._version()):
            return await _nest_404(request, None)
        name = request.path_params["s"]
        await self._running(name)
        found = self.world.chat_message(name, request.path_params["chat"], request.path_params["mid"])
        if found is None:
            raise nest(404, "Message not found", "Not Found")
        return JSONResponse(found)

    # --- app -------------------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        a, c = self.api, self.control
        return [
            Route("/ping", self.ping),
            Route("/api/server/version", a(self.version)),
            Route("/api/sessions", a(self.list_sessions), methods=["GET"]),
            Route("/api/sessions", a(self.create_session), methods=["POST"]),
            Route("/api/sessions/{s}", a(self.get_session), methods=["GET"]),
            Route("/api/sessions/{s}", a(self.update_session), methods=["PUT"]),
            Route("/api/sessions/{s}", a(self.delete_session), methods=["DELETE"]),
            Route("/api/sessions/{s}/me", a(self.me), methods=["GET"]),
            Route("/api/sessions/{s}/{action:str}", a(self.session_action), methods=["POST"]),
            Route("/api/{s}/auth/qr", a(self.qr), methods=["GET"]),
            Route("/api/{s}/auth/request-code", a(self.request_code), methods=["POST"]),
            Route("/api/sendText", a(self.send_text), methods=["POST"]),
            Route("/api/sendImage", a(self.send_image), methods=["POST"]),
            Route("/api/sendFile", a(self.send_image), methods=["POST"]),
            Route("/api/sendSeen", a(self.chat_action), methods=["POST"]),
            Route("/api/startTyping", a(self.chat_action), methods=["POST"]),
            Route("/api/stopTyping", a(self.chat_action), methods=["POST"]),
            Route("/api/contacts/check-exists", a(self.check_exists), methods=["GET"]),
            Route("/api/{s}/chats/{chat}/messages", a(self.chat_messages), methods=["GET"]),
            Route("/api/{s}/chats/{chat}/messages/{mid}", a(self.chat_message), methods=["GET"]),
            *control_routes(self, c),
        ]

    @contextlib.asynccontextmanager
    async def lifespan(self, app):
        await self.emitter.start()
        ticker = asyncio.create_task(self._tick_forever())
        try:
            yield
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await self.emitter.stop()

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(0.02)
            self.world.tick()


async def _nest_404(request: Request, exc) -> Response:
    """NestJS's answer for a path it has no route for; WAHA's key check runs before routing."""
    path = request.url.path
    if path.startswith("/api/"):
        try:
            request.app.state.sandbox._authorize(request)
        except Reply as reply:
            return reply.response
    return JSONResponse({"message": f"Cannot {request.method} {path}", "error": "Not Found", "statusCode": 404}, status_code=404)


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """The sandbox as an ASGI app; `app.state.sandbox` gives tests the World and the Emitter."""
    sandbox = Sandbox(config or SandboxConfig())
    app = Starlette(routes=sandbox.routes(), lifespan=sandbox.lifespan, exception_handlers={404: _nest_404, 405: _nest_404})
    app.state.sandbox = sandbox
    return app
