"""Telling the operator when a scheduled campaign needs them: paused, failed, completed, a lane
braked or timelocked, with the reason and the command that resumes it (`[notify]` settings).

`Notifier.send_event` never blocks nor raises: events queue to one delivery thread, which claims
the (campaign, kind) slot in the database (at most one per `notify.min_interval`, across processes),
then sends on every configured channel. A failure to notify is logged, never the campaign's failure.
`send_event(kind, campaign_id, reason, resume_command)` goes to the notifier of this process (the
one `run-due`/`worker` installed), so other parts can report lane events without holding one.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nexus_blast.i18n import _, english

# level, event, campaign id, message
NotifyLog = Callable[[str, str, "int | None", str], None]
DRAIN_SECONDS = 90.0  # how long a process that ends waits for its queued notifications


@dataclass(frozen=True)
class Event:
    kind: str  # paused | failed | completed | lane_braked | lane_timelocked | test
    campaign_id: int  # 0: not about a campaign
    reason: str
    resume_command: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def document(self, campaign_name: str = "") -> dict:
        """The JSON body POSTed to notify.url."""
        from nexus_blast.store.db import iso

        return {
            "event": self.kind, "campaign": self.campaign_id or None, "campaign_name": campaign_name or None,
            "reason": english(self.reason), "resume_command": self.resume_command or None, "at": iso(self.at),
            "source": "nexus-blast",
        }

    def text(self, campaign_name: str = "") -> str:
        """The WhatsApp text for the operator."""
        what = {
            "paused": _("paused"), "failed": _("failed"), "completed": _("completed"),
            "lane_braked": _("a session braked"), "lane_timelocked": _("a session is timelocked"),
            "test": _("test notification"),
        }.get(self.kind, self.kind)
        if self.campaign_id:
            head = _("blast: campaign {id} ({name}) {what}").format(id=self.campaign_id, name=campaign_name or "-", what=what)
        else:
            head = _("blast: {what}").format(what=what)
        lines = [head, self.reason]
        if self.resume_command:
            lines.append(_("to resume: {command}").format(command=self.resume_command))
        return "\n".join(line for line in lines if line)


def enabled(settings) -> bool:
    return bool(settings.notify.whatsapp or settings.notify.url)


def deliver(settings, event: Event, campaign_name: str = "", db=None) -> list:
    """Send EVENT on every configured channel now (no interval check); a Delivery per channel.
    DB (optional): the WhatsApp channel is paced from its last delivery there."""
    from nexus_blast.notify.channels import operator_phone, post_json, send_whatsapp

    out = []
    config = settings.notify
    if config.whatsapp:
        if db is not None:
            _pace_whatsapp(settings, db)
        from nexus_blast.waha.client import run_sync

        out.append(run_sync(send_whatsapp(settings, operator_phone(config.whatsapp), event.text(campaign_name))))
        if db is not None:
            from nexus_blast.store import notify as store

            store.channel_used(db, "whatsapp", datetime.now(UTC))
    if config.url:
        out.append(post_json(config.url, event.document(campaign_name), config.hmac_key))
    return out


def _pace_whatsapp(settings, db) -> None:
    """Two WhatsApp notifications at least sending.delay's lower bound apart (whichever process sent the last)."""
    from nexus_blast.domain.pacing import parse_delay
    from nexus_blast.store import notify as store

    gap = parse_delay(settings.sending.delay).low
    last = store.channel_last(db, "whatsapp")
    if last and gap > 0:
        wait = gap - (datetime.now(UTC) - datetime.fromisoformat(last)).total_seconds()
        if wait > 0:
            time.sleep(min(wait, gap))


class Notifier:
    """The notifications of one process (see the module docstring). Use as a context manager, or
    `start()` / `close()`."""

    def __init__(self, settings, db_path: Path, log: NotifyLog | None = None) -> None:
        self.settings = settings
        self.db_path = Path(db_path)
        self.log = log or (lambda level, event, campaign, message: None)
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self.delivered: list[tuple[Event, list]] = []  # what this process sent (for tests and summaries)

    def __enter__(self) -> Notifier:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> Notifier:
        global _installed
        if enabled(self.settings) and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="notify", daemon=True)
            self._thread.start()
        _installed = self
        return self

    def send_event(self, kind: str, campaign_id: int, reason: str, resume_command: str = "") -> bool:
        """Queue KIND for CAMPAIGN_ID (False when notifications are off or KIND is not wanted)."""
        if self._thread is None or kind not in self.settings.notify.events:
            return False
        self._queue.put(Event(kind, campaign_id, reason, resume_command))
        return True

    def close(self, timeout: float = DRAIN_SECONDS) -> None:
        """Deliver what is queued (up to TIMEOUT seconds), then stop."""
        global _installed
        if _installed is self:
            _installed = None
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(timeout)
        if self._thread.is_alive():
            self.log("warning", "notify.abandoned", None, _("notifications still queued were not sent: the process is ending"))
        self._thread = None

    def _run(self) -> None:
        from nexus_blast.store.db import open_database

        db = None
        while True:
            event = self._queue.get()
            if event is None:
                break
            try:
                if db is None:
                    db = open_database(self.db_path)
                self._handle(db, event)
            except Exception as exc:  # noqa: BLE001 - a notification must never take the campaign down
                self.log("error", "notify.failed", event.campaign_id or None,
                         _("could not notify {kind}: {error}").format(kind=event.kind, error=f"{type(exc).__name__}: {exc}"))
        if db is not None:
            db.conn.close()

    def _handle(self, db, event: Event) -> None:
        from nexus_blast.store import campaigns as campaigns_store
        from nexus_blast.store import notify as store

        previous = store.claim(db, event.campaign_id, event.kind, event.reason, event.at, self.settings.notify.min_interval)
        if previous is None:
            self.log("info", "notify.skipped", event.campaign_id or None, _(
                "{kind} not notified: one was sent less than notify.min_interval ago"
            ).format(kind=event.kind))
            return
        campaign = campaigns_store.get_campaign(db, event.campaign_id) if event.campaign_id else None
        results = deliver(self.settings, event, campaign.name if campaign else "", db)
        self.delivered.append((event, results))
        for result in results:
            if result.ok:
                self.log("info", "notify.sent", event.campaign_id or None,
                         _("{kind} notified by {channel}: {detail}").format(kind=event.kind, channel=result.channel, detail=result.detail))
            else:
                self.log("warning", "notify.failed", event.campaign_id or None,
                         _("{kind} could not be notified by {channel}: {error}").format(kind=event.kind, channel=result.channel, error=result.error))
        if results and not any(r.ok for r in results):
            store.release(db, event.campaign_id, event.kind, previous)  # reached no one: a later event may try again


_installed: Notifier | None = None


def send_event(kind: str, campaign_id: int, reason: str, resume_command: str = "") -> bool:
    """Report KIND (paused, failed, completed, lane_braked, lane_timelocked) for CAMPAIGN_ID to the
    operator through this process's notifier; False when there is none (notifications off, or not
    inside run-due/worker) or KIND is not in notify.events. Never blocks, never raises."""
    notifier = _installed
    if notifier is None:
        return False
    try:
        return notifier.send_event(kind, campaign_id, reason, resume_command)
    except Exception:  # noqa: BLE001 - the caller is a campaign: never its failure
        return False
