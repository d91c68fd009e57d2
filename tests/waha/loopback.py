"""A tiny helper to serve any ASGI app on 127.0.0.1 (real sockets) for misbehaving-server tests."""

from __future__ import annotations

import socket
from contextlib import contextmanager

from nexus_blast.serving import ThreadedServer


@contextmanager
def serve(app):
    """Yield the base URL of APP served by uvicorn in a thread; stop it afterwards."""
    with ThreadedServer(app) as server:
        yield server.url


def closed_port_url() -> str:
    """A loopback URL nothing listens on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
