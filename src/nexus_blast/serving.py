"""Serving an ASGI app with uvicorn in a thread (`ThreadedServer`), and running one in the
foreground until SIGINT/SIGTERM (`run_until_signal`).

One place for this, used by the WAHA sandbox, the webhook receiver and the tests' fake servers.
A server facing the network (the receiver) gets `Limits`: see `guarded_protocol`."""

from __future__ import annotations

import signal
import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable

from nexus_blast.i18n import _


@dataclass(frozen=True)
class Limits:
    """What one client may hold of a server open to the network."""

    header_timeout: float = 10.0  # seconds to send a request's headers, from connect or the last answer
    keep_alive: int = 5  # seconds an idle keep-alive connection is kept after an answer
    max_header_bytes: int = 16 * 1024
    max_connections: int | None = None  # None: `connection_cap()`, below the open-file limit


def connection_cap(reserve: int = 128, ceiling: int = 1000) -> int:
    """Open connections allowed: under the process's soft RLIMIT_NOFILE by RESERVE (the database,
    the event loop, the thread pool), never above CEILING. Past it, accept() would fail with EMFILE
    and asyncio would spin logging tracebacks while nothing is answered."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return ceiling
    return max(8, min(ceiling, soft - reserve))


# asyncio accepts up to `backlog` connections in one go before any of them is seen (and closed when
# over the cap): keep that batch well inside connection_cap's reserve.
ACCEPT_BATCH = 64
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\nretry-after: 1\r\n\r\n"


def guarded_protocol(limits: Limits, cap: int):
    """uvicorn's h11 protocol, plus what uvicorn lacks: a deadline for a request's headers (an idle
    or trickling connection is closed — uvicorn times out only idle keep-alive connections after an
    answer) and a hard connection cap (over CAP a connection gets a 503 and is closed at once)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11Protocol(H11Protocol):
        _header_deadline = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            if len(self.connections) > cap:
                transport.write(_BUSY)
                transport.close()
                return
            self._arm()

        def handle_events(self) -> None:
            cycle = self.cycle
            super().handle_events()
            if self.cycle is not cycle:  # a request's headers are complete
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._header_deadline = self.loop.call_later(limits.header_timeout, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_deadline is not None:
                self._header_deadline.cancel()
                self._header_deadline = None

        def _headers_too_slow(self) -> None:
            self._header_deadline = None
            if not self.transport.is_closing():
                self.transport.close()

    return GuardedH11Protocol


class ThreadedServer:
    """APP on HOST:PORT (0 = an ephemeral port, known once started) in a daemon thread.
    `with ThreadedServer(app) as server: server.url` — returns once the socket listens."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, *, lifespan: str = "off",
                 log_level: str = "warning", name: str = "http-server", limits: Limits | None = None, **options) -> None:
        """OPTIONS: more of uvicorn.Config's (ssl_certfile, timeout_keep_alive, ...)."""
        self.app = app
        self.host = host
        self.port = port
        self._lifespan = lifespan
        self._log_level = log_level
        self._name = name
        self._limits = limits
        self._options = options
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self._options.get('ssl_certfile') else 'http'}://{host}:{self.port}"

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
                                timeout_graceful_shutdown=2, **self._guarded_options(), **self._options)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, name=self._name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + wait
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(_("{name} did not start on {url}").format(name=self._name, url=self.url))
            time.sleep(0.01)
        return self

    def _guarded_options(self) -> dict:
        if self._limits is None:
            return {}
        cap = self._limits.max_connections or connection_cap()
        return {
            "http": guarded_protocol(self._limits, cap), "limit_concurrency": cap, "backlog": ACCEPT_BATCH,
            "timeout_keep_alive": self._limits.keep_alive, "h11_max_incomplete_event_size": self._limits.max_header_bytes,
        }

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
                raise RuntimeError(_("the server on {url} stopped unexpectedly").format(url=server.url))
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
