"""A faulty reverse proxy on loopback, in front of the sandbox: what real deployments put before
WAHA (nginx, Traefik, a load balancer) misbehaving the ways they do, on sends only.

Each fault first forwards the send (WAHA accepts it) and then lies about it, except `late`, which
holds the request and forwards it after the client gave up (WAHA finishing an abandoned send):

- `502`, `504`, `html500`: an HTML error page with that status;
- `html200`: 200 with an HTML page; `truncated201`: 201 with half of WAHA's JSON;
- `drop`: the answer is cut short after its headers (the connection closes mid-body);
- `stall`: no answer for `stall` seconds (the client's read timeout fires first);
- `late`: forwarded only after `late` seconds, answered never (stalls like `stall`).

`FaultyProxy(upstream, plan={3: "502"})` faults the 3rd send; `rate=0.3, seed=1` faults a random
30% of sends with a random fault. Everything else is forwarded untouched. `.requests` lists
(method, path) of every request seen; `.faulted` (send number, fault) of every fault applied.
"""

from __future__ import annotations

import asyncio
import random

from starlette.requests import Request
from starlette.responses import Response

from nexus_blast.serving import ThreadedServer

FAULTS = ("502", "504", "html500", "html200", "truncated201", "drop", "stall", "late")
SENDS = ("/api/sendText", "/api/sendImage", "/api/sendFile")
HOP = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}


def _page(status: int, title: str) -> Response:
    html = f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center><hr><center>nginx</center></body></html>"
    return Response(html, status_code=status, media_type="text/html")


class FaultyProxy:
    def __init__(
        self, upstream: str, plan: dict[int, str] | None = None, *, rate: float = 0.0, seed: int | None = None,
        faults: tuple[str, ...] = FAULTS, stall: float = 30.0, late: float = 3.0,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.plan = dict(plan or {})
        self.rate = rate
        self.rng = random.Random(seed)
        self.faults = faults
        self.stall = stall
        self.late = late
        self.sends = 0
        self.requests: list[tuple[str, str]] = []
        self.faulted: list[tuple[int, str]] = []
        self._http = None
        self._later: set[asyncio.Task] = set()
        # critical: a `drop` makes uvicorn log the cut-short answer as an error, on purpose here
        self._server = ThreadedServer(self, lifespan="on", log_level="critical", name="faulty-proxy")

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> FaultyProxy:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FaultyProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- ASGI -----------------------------------------------------------------------------------

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        request = Request(scope, receive)
        body = await request.body()
        self.requests.append((request.method, request.url.path))
        fault = self._fault_for(request)
        if fault == "late":
            task = asyncio.create_task(self._forward_later(request, body))
            self._later.add(task)
            task.add_done_callback(self._later.discard)
            await asyncio.sleep(self.stall)
            await _page(504, "504 Gateway Time-out")(scope, receive, send)
            return
        answer = await self._forward(request, body)
        if fault is None:
            await answer(scope, receive, send)
        elif fault == "drop":
            await self._cut_short(answer, send)
        elif fault == "stall":
            await asyncio.sleep(self.stall)
            await answer(scope, receive, send)
        else:
            await self._lie(fault, answer)(scope, receive, send)

    async def _lifespan(self, receive, send) -> None:
        import httpx

        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._http = httpx.AsyncClient(base_url=self.upstream, timeout=60)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for task in list(self._later):
                    task.cancel()
                await self._http.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _fault_for(self, request: Request) -> str | None:
        if request.method != "POST" or request.url.path not in SENDS:
            return None
        self.sends += 1
        fault = self.plan.get(self.sends)
        if fault is None and self.rate and self.rng.random() < self.rate:
            fault = self.rng.choice(self.faults)
        if fault is not None:
            self.faulted.append((self.sends, fault))
        return fault

    async def _forward(self, request: Request, body: bytes) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP}
        upstream = await self._http.request(
            request.method, request.url.path, params=request.query_params, content=body, headers=headers,
        )
        kept = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP and k.lower() != "content-encoding"}
        return Response(upstream.content, status_code=upstream.status_code, headers=kept)

    async def _forward_later(self, request: Request, body: bytes) -> None:
        await asyncio.sleep(self.late)
        await self._forward(request, body)

    @staticmethod
    async def _cut_short(answer: Response, send) -> None:
        """Headers promising the whole body, then half of it and the end: the connection closes."""
        whole = answer.body or b"{}"
        headers = [(k.encode(), v.encode()) for k, v in answer.headers.items() if k.lower() != "content-length"]
        headers.append((b"content-length", str(len(whole) + 100).encode()))
        await send({"type": "http.response.start", "status": answer.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": whole[: len(whole) // 2], "more_body": False})

    @staticmethod
    def _lie(fault: str, answer: Response) -> Response:
        if fault == "502":
            return _page(502, "502 Bad Gateway")
        if fault == "504":
            return _page(504, "504 Gateway Time-out")
        if fault == "html500":
            return _page(500, "500 Internal Server Error")
        if fault == "html200":
            return _page(200, "Welcome")
        if fault == "truncated201":
            whole = answer.body or b"{}"
            return Response(whole[: len(whole) // 2], status_code=201, media_type="application/json")
        raise ValueError(f"unknown fault {fault!r}")
