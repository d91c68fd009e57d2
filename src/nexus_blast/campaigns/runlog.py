"""What `run-due` and `worker` log: one `LogRecord` per line (the CLI stamps and renders it, as text
or JSON), and the per-run log that turns a campaign's sender events into records: its notices and
state changes as they happen, and its progress every `scheduler.progress_every` seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nexus_blast.campaigns.sender import Events, Tally
from nexus_blast.domain.progress import pace
from nexus_blast.i18n import _, number


@dataclass(frozen=True)
class LogRecord:
    """One log line: EVENT is a stable code (`campaign.started`, `campaign.progress`, …), MESSAGE
    the human text, COUNTS the campaign's figures when known."""

    event: str
    message: str
    campaign: int | None = None
    level: str = "info"  # info | warning | error
    counts: dict[str, Any] = field(default_factory=dict)


Log = Callable[[LogRecord], None]


def counts_of(tally: Tally) -> dict[str, int]:
    return {"sent": tally.sent, "failed": tally.failed, "skipped": tally.skipped, "pending": tally.pending}


class RunLog(Events):
    """A scheduled run's sender events as log records: notices at once (a session going unhealthy,
    timelocked, capped, the window closing), progress every EVERY seconds from a ticker thread (so
    a stalled run still says so). Use as a context manager around the run."""

    def __init__(self, campaign_id: int, log: Log, every: float, on_lane: Callable[[str, str, str], None] | None = None) -> None:
        self.campaign_id = campaign_id
        self.log = log
        self.every = every
        self.on_lane = on_lane
        self.tally: Tally | None = None
        self._first: int | None = None
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name=f"progress-{campaign_id}", daemon=True)

    def __enter__(self) -> RunLog:
        self._started = time.monotonic()
        self._ticker.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._ticker.join(5)

    def progress(self, tally: Tally) -> None:
        self.tally = Tally(tally.sent, tally.failed, tally.skipped, tally.pending)  # a copy: read by the ticker
        if self._first is None:
            self._first = tally.sent + tally.failed + tally.skipped

    def notice(self, text: str) -> None:
        counts = counts_of(self.tally) if self.tally else {}
        self.log(LogRecord("campaign.notice", text, self.campaign_id, counts=counts))

    def lane_state(self, session: str, state: str, reason: str) -> None:
        if self.on_lane is not None:
            self.on_lane(session, state, reason)

    def _tick(self) -> None:
        while not self._stop.wait(self.every):
            self.log(self.progress_record())

    def progress_record(self) -> LogRecord:
        from nexus_blast.campaigns.estimate import human_duration

        tally = self.tally or Tally()
        settled = tally.sent + tally.failed + tally.skipped
        figures = pace(self._first or 0, settled, tally.pending, time.monotonic() - self._started)
        eta = _("unknown") if figures.eta_seconds is None else human_duration(figures.eta_seconds)
        text = _("{sent} sent, {failed} failed, {pending} pending; {rate}/min, ETA {eta}").format(
            sent=tally.sent, failed=tally.failed, pending=tally.pending, rate=number(figures.per_minute, 1), eta=eta,
        )
        counts = counts_of(tally) | {
            "rate_per_minute": round(figures.per_minute, 2),
            "eta_seconds": None if figures.eta_seconds is None else round(figures.eta_seconds),
        }
        return LogRecord("campaign.progress", text, self.campaign_id, counts=counts)
