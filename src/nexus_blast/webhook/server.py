"""Running the receiver in the foreground (`blast webhook serve`) until SIGINT/SIGTERM."""

from __future__ import annotations

from nexus_blast.i18n import _
from nexus_blast.serving import Limits, ThreadedServer, run_until_signal


KEEP_EVENT_IDS_DAYS = 7  # WAHA's retries are long over by then
LIMITS = Limits()  # header deadline, connection cap below the file limit (serving.py)


def unsigned_warning(settings) -> str | None:
    """The loud line `webhook serve` prints when it will accept events nobody signed, else None."""
    from nexus_blast.webhook.security import unsigned_allowed, unsigned_sessions

    if not unsigned_allowed(settings):
        return None
    names = unsigned_sessions(settings)
    if settings.webhook.allow_unsigned and any(cfg.webhook_hmac_key for cfg in settings.sessions.values()):
        who = _("for sessions without a key ({names}; webhook.allow_unsigned = true)").format(
            names=", ".join(names) or _("none configured"))
    else:
        who = _("for every session (no session has webhook_hmac_key)")
    return _("WARNING: accepting UNSIGNED events {who}: anyone who can reach this port can forge receipts, "
             "session status and opt-outs. Set a key: {command}").format(
        who=who, command="blast session update NAME --webhook URL --webhook-hmac-key KEY")


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
    server = ThreadedServer(create_app(db, settings), host, port, name="webhook-receiver", limits=LIMITS)
    warning = unsigned_warning(settings)

    def started(url: str) -> None:
        announce(_("receiving WAHA events on {url} (Ctrl-C stops)").format(url=f"{url}/webhook"))
        if warning:
            announce(warning)

    run_until_signal(server, started)
