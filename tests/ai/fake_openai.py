"""A small OpenAI-compatible server (starlette + uvicorn on loopback, real HTTP, in a thread) that
records every request and answers from a script the test sets up."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from nexus_blast.serving import ThreadedServer

MODELS = ["llama-3.3-70b-versatile", "model-b", "qwen-plus"]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    """One scripted answer: a status, a JSON body (or raw text), headers, an optional delay."""

    status: int = 200
    body: Any = None
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def completion(content: Any, model: str = "llama-3.3-70b-versatile", prompt_tokens: int = 11, completion_tokens: int = 22) -> Reply:
    """A 200 chat completion whose message content is CONTENT (a list is sent as a JSON array)."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return Reply(
        body={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens},
        }
    )


class FakeOpenAI:
    """`url` is the server root; any path ending in /models or /chat/completions is served."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.chat: list[Reply] = []  # consumed in order; the last one repeats
        self.models: list[Reply] = []
        self.url = ""
        self._http: ThreadedServer | None = None

    def reset(self) -> None:
        self.requests.clear()
        self.chat = [completion(["Olá {{nome}}! Promoção de *limpeza de pele* com 20% off.", "Oi! Só até sexta: 20% off na limpeza de pele.", "Sua pele merece: 20% off até sexta. Agende já!"])]
        self.models = [Reply(body={"object": "list", "data": [{"id": m, "object": "model", "owned_by": "test"} for m in MODELS]})]

    def chats(self) -> list[Seen]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # --- the ASGI app ------------------------------------------------------------------------

    def _app(self):
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse, Response
        from starlette.routing import Route

        async def handle(request):
            raw = await request.body()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            path = request.url.path
            self.requests.append(Seen(request.method, path, {k.lower(): v for k, v in request.headers.items()}, body))
            if path.endswith("/chat/completions") and request.method == "POST":
                script = self.chat
            elif path.endswith("/models") and request.method == "GET":
                script = self.models
            else:
                return JSONResponse({"error": {"message": "no route"}}, status_code=404)
            reply = script.pop(0) if len(script) > 1 else script[0]
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.text is not None:
                return Response(reply.text, status_code=reply.status, headers=reply.headers, media_type="text/plain")
            return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)

        return Starlette(routes=[Route("/{path:path}", handle, methods=["GET", "POST"])])

    def start(self) -> None:
        self._http = ThreadedServer(self._app(), log_level="error", name="fake-openai").start()
        self.url = self._http.url
        self.reset()

    def stop(self) -> None:
        if self._http is not None:
            self._http.stop()


@pytest.fixture(scope="session")
def _fake_openai_server():
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_ai(_fake_openai_server) -> FakeOpenAI:
    """The shared loopback server, with its script and request log reset for this test."""
    _fake_openai_server.reset()
    return _fake_openai_server
