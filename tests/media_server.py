"""A small file server on loopback for media URL tests: files, an HTML page named like a PDF, a
404, a redirect loop, a redirect to a file (Starlette on uvicorn, as the sandbox)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from nexus_blast.serving import ThreadedServer


class MediaServer:
    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}  # name → (content, content type)
        self.hits: list[str] = []  # every path asked, in order

        async def serve(request):
            name = request.path_params["name"]
            self.hits.append(request.url.path)
            if name == "loop":
                return RedirectResponse("/files/loop", status_code=302)
            if name.startswith("moved-"):
                return RedirectResponse("/files/" + name[len("moved-"):], status_code=301)
            if name not in self.files:
                return Response("not found", status_code=404)
            content, kind = self.files[name]
            return Response(content, media_type=kind)

        app = Starlette(routes=[Route("/files/{name:path}", serve)])
        self._http = ThreadedServer(app, name="media-server")

    def url(self, name: str) -> str:
        return f"{self._http.url}/files/{name}"

    def __enter__(self) -> MediaServer:
        self._http.start()
        return self

    def __exit__(self, *exc) -> None:
        self._http.stop()
