"""Running the receiver under uvicorn: in the foreground (`blast webhook serve`) or in a thread."""

from __future__ import annotations

from nexus_blast.serving import serve


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
