"""A loopback HTTP receiver for notification POSTs (starlette on uvicorn, through serving.py)."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from nexus_blast.serving import ThreadedServer


class Receiver:
    """Records every POST /notify (headers, raw body); answers STATUS (200 unless told otherwise)."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.status = 200

        async def receive(request: Request) -> JSONResponse:
            body = await request.body()
            self.posts.append({"headers": dict(request.headers), "body": body, "json": json.loads(body)})
            return JSONResponse({"ok": self.status < 300}, status_code=self.status)

        self.server = ThreadedServer(Starlette(routes=[Route("/notify", receive, methods=["POST"])]))

    @property
    def url(self) -> str:
        return self.server.url + "/notify"

    def events(self) -> list[str]:
        return [p["json"]["event"] for p in self.posts]
