"""Serving an ASGI app with uvicorn in a thread (`ThreadedServer`), and running one in the
foreground until SIGINT/SIGTERM (`run_until_signal`).

One place for this, used by the WAHA sandbox, the webhook receiver and the tests' fake servers."""

from __future__ import annotations

import signal
import socket
import threading
import time
from typing import Callable


class ThreadedServer:
    """APP on HOST:PORT (0 = an ephemeral port, known once started) in a daemon thread.
    `with ThreadedServer(app) as server: server.url` — returns once the socket listens."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, *, lifespan: str = "off",
                 log_level: str = "warning", name: str = "http-server") -> None:
        self.app = app
        self.host = host
        self.port = port
        self._lifespan = lifespan
        self._log_level = log_level
        self._name = name
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, wait: float = 10.0) -> ThreadedServer:
        import uvicorn

        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this: without it small answers wait ~40 ms (Nagle + delayed ACK).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level=self._log_level, access_log=False, lifespan=self._lifespan,
                                timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, name=self._name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + wait
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self._name} did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def run_until_signal(server, announce: Callable[[str], None]) -> None:
    """Start SERVER (a ThreadedServer or anything with start/stop/alive/url), say its URL, and run
    until SIGINT or SIGTERM, then stop it cleanly (the command exits 0). A port that cannot be
    bound raises OSError from start()."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        announce(server.url)
        while not stop.wait(0.2):
            if not server.alive:
                raise RuntimeError(f"the server on {server.url} stopped unexpectedly")
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
