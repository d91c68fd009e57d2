"""Running the receiver under uvicorn: in the foreground (`blast webhook serve`) or in a thread."""

from __future__ import annotations

import threading
import time


def _config(app, host: str, port: int, log_level: str):
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off", access_log=False)


def serve(app, host: str, port: int, *, log_level: str = "info") -> None:
    """Serve APP until SIGINT/SIGTERM (uvicorn stops cleanly, finishing requests in flight)."""
    import uvicorn

    uvicorn.Server(_config(app, host, port, log_level)).run()


class BackgroundServer:
    """APP on HOST:PORT (0 = an ephemeral port) in a daemon thread; `with` waits until it listens."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning") -> None:
        import uvicorn

        self._server = uvicorn.Server(_config(app, host, port, log_level))
        self._thread = threading.Thread(target=self._server.run, name="webhook-server", daemon=True)
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("webhook server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


KEEP_EVENT_IDS_DAYS = 7  # WAHA's retries are long over by then


def run_receiver(db, settings, host: str, port: int, announce) -> None:
    """`blast webhook serve`: forget old event ids, log events to stderr, serve until a signal."""
    import logging
    from datetime import UTC, datetime, timedelta

    from nexus_blast.store import delivery as store
    from nexus_blast.store.db import iso
    from nexus_blast.webhook.app import create_app

    with store.transaction(db):
        store.forget_events_before(db, iso(datetime.now(UTC) - timedelta(days=KEEP_EVENT_IDS_DAYS)))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    announce(f"receiving WAHA events on http://{host}:{port}/webhook (Ctrl-C stops)")
    serve(create_app(db, settings), host, port, log_level="warning")
