"""Running the receiver in the foreground (`blast webhook serve`) until SIGINT/SIGTERM."""

from __future__ import annotations

from nexus_blast.serving import ThreadedServer, run_until_signal


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
    server = ThreadedServer(create_app(db, settings), host, port, name="webhook-receiver")
    run_until_signal(server, lambda url: announce(f"receiving WAHA events on {url}/webhook (Ctrl-C stops)"))
