"""The sandbox: a WAHA-compatible ASGI app answering as WAHA 2026.2.1 did (shared/waha/real-2026.2.1).

`create_app(SandboxConfig(...))` returns the Starlette app; sandbox/server.py runs it. Session routes
are here, pairing and message routes in sandbox/messages.py, the control API (no key, `/_sandbox/`)
in sandbox/control.py. Tier PLUS answers as the multi-session build did, tier CORE as Core did.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nexus_blast.sandbox import messages
from nexus_blast.sandbox.control import control_routes
from nexus_blast.sandbox.replies import UNPROCESSABLE, Reply, core_only_default, nest, not_started
from nexus_blast.sandbox.state import RUNNING, SandboxConfig, Session, World
from nexus_blast.sandbox.webhooks import Emitter, ulid

__all__ = ["SandboxConfig", "create_app"]

NAME_CHARS = ("Session name can only contain alphanumeric characters, hyphens, and underscores "
              "(a-z, A-Z, 0-9, -, _) or be empty")

# WAHA's own waits, in seconds of a real server (scaled by SandboxConfig.wait_scale).
WAIT_STOPPED, WAIT_STARTING, WAIT_STOP, WAIT_LOGOUT = 5.0, 10.0, 3.0, 4.0


def _empty() -> Response:
    return Response(status_code=200)


class Sandbox:
    """The routes, over a World and an Emitter."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.world = World(config)
        self.emitter = Emitter(self.world)
        self.requests: list[dict] = []  # every WAHA API call received (GET /_sandbox/requests)
        self.handling: list[str] = []  # paths of the WAHA API calls being answered right now
        self.closing = False  # set (from any thread) when the server is asked to stop

    # --- plumbing --------------------------------------------------------------------------------

    def api(self, handler):
        """Wrap a WAHA route: API key, latency, clock tick, error replies."""

        async def endpoint(request: Request) -> Response:
            try:
                self._authorize(request)
                await self._log(request)
                self.handling.append(request.url.path)
                try:
                    if self.config.latency_ms:
                        await asyncio.sleep(self.config.latency_ms / 1000)
                    self.world.tick()
                    return await handler(request)
                finally:
                    self.handling.remove(request.url.path)
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

    async def _log(self, request: Request) -> None:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        self.requests.append({"method": request.method, "path": request.url.path,
                              "params": dict(request.query_params), "body": _bounded(body),
                              "in_flight": list(self.handling)})  # what was still being answered when it came

    def _authorize(self, request: Request) -> None:
        key = self.config.api_key
        if not key:
            return
        given = request.headers.get("x-api-key") or ""  # WAHA 2026 ignores a key in the query string
        if not hmac.compare_digest(given.encode(), key.encode()):
            raise Reply(401, {"message": "Unauthorized", "statusCode": 401})

    async def body(self, request: Request) -> dict:
        raw = await request.body()
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except json.JSONDecodeError as exc:
            said = "Expected property name or '}'" if exc.msg.startswith("Expecting property name") else "Unexpected token"
            raise nest(400, f"{said} in JSON at position {exc.pos}", "Bad Request") from None
        if not isinstance(body, dict):
            raise nest(400, "Request body must be a JSON object", "Bad Request")
        return body

    def allowed(self, name: str) -> str:
        """NAME, unless this is Core and NAME is not `default` (422 on every route)."""
        if self.config.tier == "CORE" and name != "default":
            raise core_only_default(name)
        return name

    def known(self, name: str) -> Session:
        session = self.world.sessions.get(self.allowed(name))
        if session is None:
            raise nest(404, "Session not found", "Not Found")
        return session

    async def pause(self, seconds: float) -> None:
        """WAHA takes its time (scaled); a shutdown of the sandbox ends the wait."""
        until = self.world.clock() + self.world.wait(seconds)
        while self.world.clock() < until and not self.closing:
            await asyncio.sleep(min(0.02, max(0.0, until - self.world.clock())))
            self.world.tick()

    async def running(self, name: str, expected: str = "WORKING") -> Session:
        """A session in status EXPECTED. Like WAHA, wait for it first (5 s when STOPPED or missing,
        10 s while STARTING), then 422 (`does not exist` without `expected` for a missing one)."""
        self.allowed(name)
        session = self.world.sessions.get(name)
        if session is None:
            await self.pause(WAIT_STOPPED)
            raise Reply(422, {"error": f'Session "{name}" does not exist', "session": name})
        if session.status != expected:
            until = self.world.clock() + self.world.wait(WAIT_STARTING if session.status == "STARTING" else WAIT_STOPPED)
            while session.status != expected and self.world.clock() < until and not self.closing:
                await asyncio.sleep(0.01)
                self.world.tick()
        if self.world.sessions.get(name) is not session:  # deleted while we waited
            raise Reply(422, {"error": f'Session "{name}" does not exist', "session": name})
        if session.status != expected:
            raise Reply(422, {
                "error": "Session status is not as expected. Try again later or restart the session",
                "session": name, "status": session.status, "expected": [expected],
            })
        await self.faults(session)
        return session

    async def faults(self, session: Session) -> None:
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
            raise self.engine_error("Internal server error")

    def engine_error(self, message: str, request: Request | None = None) -> Reply:
        return Reply(500, {
            "statusCode": 500, "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "exception": {"message": message, "name": "Error"},
            "request": {"path": request.url.path if request else "", "method": request.method if request else ""},
            "version": self._version(),
        })

    def _version(self) -> dict:
        c = self.config
        return {"version": c.version, "engine": c.engine, "tier": c.tier, "browser": None,
                "platform": c.platform, "worker": {"id": None}}

    # --- server and sessions -------------------------------------------------------------------

    async def version(self, request: Request) -> Response:
        return JSONResponse(self._version())

    async def ping(self, request: Request) -> Response:
        return JSONResponse({"message": "pong"})

    async def list_sessions(self, request: Request) -> Response:
        show_all = request.query_params.get("all", "").lower() in ("true", "1")
        found = [self.world.info(s, listed=True) for s in self.world.sessions.values() if show_all or s.status != "STOPPED"]
        return JSONResponse(found)

    async def create_session(self, request: Request) -> Response:
        body = await self.body(request)
        name = body.get("name") or f"session_{ulid()}"  # WAHA names a nameless session itself
        if not isinstance(name, str) or len(name) > 54:
            raise nest(400, ["name must be shorter than or equal to 54 characters"], "Bad Request")
        if not all(c.isascii() and (c.isalnum() or c in "-_") for c in name):
            raise nest(400, [NAME_CHARS], "Bad Request")
        self.allowed(name)
        if name in self.world.sessions:
            raise nest(422, f"Session '{name}' already exists. Use PUT to update it.", UNPROCESSABLE)
        config = body.get("config")
        session = Session(name, config=self.world.with_defaults(config if isinstance(config, dict) else {}),
                          status_since=self.world.clock())
        start = body.get("start") is True  # WAHA: `request.start || false` — no start, stays STOPPED
        if self.config.tier == "CORE" and not start:
            # Core 2026.2.1 answers 201 with no body and keeps nothing: the session is not there after.
            return Response(status_code=201)
        self.world.sessions[name] = session
        if start:
            self.world.start(session)
        return JSONResponse(self.world.info(session), status_code=201)

    async def get_session(self, request: Request) -> Response:
        session = self.known(request.path_params["s"])
        await self.faults(session)
        return JSONResponse(self.world.info(session))

    async def update_session(self, request: Request) -> Response:
        session = self.known(request.path_params["s"])
        body = await self.body(request)
        config = body.get("config")
        if config is not None and not isinstance(config, dict):
            raise nest(400, ["config must be an object"], "Bad Request")
        if isinstance(config, dict):
            session.config, session.config_shown = self.world.with_defaults(config), True
        elif self.config.tier == "CORE":  # Core's PUT without `config` wipes it (the multi-session build keeps it)
            session.config, session.config_shown = None, False
        if session.status != "STOPPED":  # WAHA restarts a running (or FAILED) session to apply its config
            await self.pause(WAIT_STOP)
            self.world.stop(session)
            self.world.start(session)
        return JSONResponse(self.world.info(session))

    async def delete_session(self, request: Request) -> Response:
        name = self.allowed(request.path_params["s"])
        session = self.world.sessions.get(name)
        if session is not None and session.status in RUNNING:
            await self.pause(WAIT_LOGOUT)
        self.world.delete(name)
        return _empty()

    async def session_action(self, request: Request) -> Response:
        action = request.path_params["action"]
        if action not in ("start", "stop", "restart", "logout"):
            raise nest(404, f"Cannot POST {request.url.path}", "Not Found")
        name = self.allowed(request.path_params["s"])
        if action == "stop" and name not in self.world.sessions:
            return Response(status_code=201)  # stopping what is not there: done, no body
        session = self.known(name)
        await self.faults(session)
        was_running = session.status in RUNNING
        if action == "start":
            if was_running:
                raise nest(422, f"Session '{name}' is already started.", UNPROCESSABLE)
            self.world.start(session)
        elif action == "stop":
            if was_running:
                await self.pause(WAIT_STOP)
            self.world.stop(session)
        elif action == "restart":
            if was_running:
                await self.pause(WAIT_STOP)
            self.world.stop(session)
            self.world.start(session)
        elif action == "logout":
            if was_running:
                await self.pause(WAIT_LOGOUT)
            self.world.logout(session)
        return JSONResponse(self.world.info(session), status_code=201)

    async def me(self, request: Request) -> Response:
        name = self.allowed(request.path_params["s"])
        session = self.world.sessions.get(name)
        if session is None or session.status == "STOPPED":
            raise not_started(name)
        await self.faults(session)
        me = self.world.me_of(session) if session.status == "WORKING" else None
        return JSONResponse(me) if me is not None else _empty()  # WAHA: 200, no body, until paired

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
            *messages.routes(self, a),
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


LOGGED_DATA = 65536  # base64 characters of a media's `file.data` kept in the request log


def _bounded(body):
    """BODY as the request log keeps it: a large `file.data` is replaced by its length (the sent
    record keeps its sha256), so a long media campaign does not fill the sandbox's memory."""
    file = body.get("file") if isinstance(body, dict) else None
    if isinstance(file, dict) and isinstance(file.get("data"), str) and len(file["data"]) > LOGGED_DATA:
        return {**body, "file": {**file, "data": f"<{len(file['data'])} base64 characters>"}}
    return body


async def _nest_404(request: Request, exc) -> Response:
    """NestJS's answer for a path it has no route for; WAHA's key check runs before routing."""
    path = request.url.path
    if not path.startswith("/_sandbox/"):
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
