"""`run-due` and `worker`: find the campaigns whose time has come, claim each one's lease and run
it (one at a time per process, so two campaigns on one session never double its pace).

Due (store/leases.py): `scheduled` and its time has come; `paused` with resume_on_due and its time
has come; `running` with an expired lease (its process died: the runner reconciles first). A due
campaign outside its sending window is not started; it is reported with the window's next opening.
Claims are conditional UPDATEs, so two schedulers started together never run one campaign twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from nexus_blast import clock as wall_clock
from nexus_blast.campaigns.lease import CampaignBusy, new_owner
from nexus_blast.campaigns.runner import CampaignOutcome, outcome_of, run_campaign
from nexus_blast.campaigns.runlog import Log, LogRecord, RunLog
from nexus_blast.campaigns.timing import timezone, window_for
from nexus_blast.campaigns.report import status_name
from nexus_blast.errors import BlastError
from nexus_blast.i18n import _, english, join, moment, ngettext
from nexus_blast.store import campaigns as store
from nexus_blast.store import leases
from nexus_blast.store.db import iso
from nexus_blast.store.due import anything_due

STOP_MARGIN = 5.0  # seconds kept for the message in flight and the exit after a --max-seconds stop


def deadline_for(max_seconds: float | None, started: float) -> float | None:
    """The monotonic instant at which a run limited to MAX_SECONDS (counted from STARTED) asks its
    campaign to pause: MAX_SECONDS minus a margin (a quarter of it when short), so the process has
    exited by then."""
    if max_seconds is None:
        return None
    return started + max_seconds - min(STOP_MARGIN, max_seconds / 4)


def _ignore(record: LogRecord) -> None:
    pass


def summary_text(outcome: CampaignOutcome) -> str:
    """The one summary line of a run: `completed: 12 sent, 0 failed, 0 skipped, 0 pending (why)`
    (the why is the stored status reason, English as --json shows it)."""
    text = _("{status}: {sent} sent, {failed} failed, {skipped} skipped, {pending} pending").format(
        status=status_name(outcome.status), sent=outcome.sent, failed=outcome.failed, skipped=outcome.skipped, pending=outcome.pending,
    )
    return join("", (text, f" ({outcome.reason})")) if outcome.reason else text


def outcome_record(outcome: CampaignOutcome) -> LogRecord:
    counts = {"sent": outcome.sent, "failed": outcome.failed, "skipped": outcome.skipped, "pending": outcome.pending}
    level = "info" if outcome.status == "completed" or outcome.exit_code in (0, 130) else "warning"
    if outcome.status == "failed":
        level = "error"
    return LogRecord(f"campaign.{outcome.status}", summary_text(outcome), outcome.campaign_id, level, counts)


class Scheduler:
    """Runs due campaigns for one process (one lease owner)."""

    def __init__(
        self,
        settings,
        db_path,
        *,
        stop_event: threading.Event | None = None,
        deadline: float | None = None,
        log: Log = _ignore,
        notifier=None,
        clock: Callable[[], datetime] = lambda: wall_clock.now(),  # read at each call: the suite's hook
    ) -> None:
        self.settings = settings
        self.db_path = Path(db_path)
        self._db = None
        self.owner = new_owner()
        self.stop_event = stop_event or threading.Event()
        self.abandon_event = threading.Event()  # a second signal: do not wait for the message in flight
        self.deadline = deadline
        self.log = log
        self.notifier = notifier  # notify.Notifier: paused/failed/completed/lane events, or None
        self.clock = clock
        self._waiting: dict[int, str] = {}  # campaign → the window opening already announced
        self._retained_at: float | None = None  # monotonic time of the last reply-retention pass

    @property
    def db(self):
        """Opened on first need: an idle worker on a fresh machine creates (and locks) nothing."""
        if self._db is None:
            from nexus_blast.store.db import open_database

            self._db = open_database(self.db_path)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.conn.close()
            self._db = None

    def stopping(self) -> bool:
        return self.stop_event.is_set() or (self.deadline is not None and time.monotonic() >= self.deadline)

    def due(self) -> list[int]:
        now = iso(self.clock())
        if self._db is None and not anything_due(self.db_path, now):  # plain sqlite3, read-only
            return []
        return leases.due_campaign_ids(self.db, now)

    def run_due(self) -> list[CampaignOutcome]:
        """Every campaign due now (and any that comes due meanwhile), each tried once; then return."""
        tried: set[int] = set()
        outcomes: list[CampaignOutcome] = []
        while not self.stopping():
            ids = [cid for cid in self.due() if cid not in tried]
            if not ids:
                break
            tried.add(ids[0])
            outcome = self.step(ids[0])
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    def serve(self, poll_interval: float) -> list[CampaignOutcome]:
        """The worker: run due campaigns until STOP_EVENT is set; poll every POLL_INTERVAL seconds
        when idle. Returns what it ran (the last run is paused, resumable, when stopped)."""
        outcomes: list[CampaignOutcome] = []
        while not self.stopping():
            ran = False
            for cid in self.due():
                if self.stopping():
                    break
                outcome = self.step(cid)
                if outcome is not None and outcome.next_send_at is None:
                    outcomes.append(outcome)
                    ran = True
                    break  # look again: something else may have come due meanwhile
            if not ran:
                self.stop_event.wait(poll_interval)
        return outcomes

    def _retain(self) -> None:
        """Delete reply texts past `campaigns.reply_retention_days`, at most once an hour."""
        from nexus_blast.campaigns.replies import RETENTION_EVERY, apply_retention

        if self._retained_at is not None and time.monotonic() - self._retained_at < RETENTION_EVERY:
            return
        self._retained_at = time.monotonic()
        purged = apply_retention(self.db, self.settings, self.clock())
        if purged:
            self.log(LogRecord("replies.retention", ngettext(
                "deleted {n} reply text past campaigns.reply_retention_days",
                "deleted {n} reply texts past campaigns.reply_retention_days", purged).format(n=purged)))

    def step(self, campaign_id: int) -> CampaignOutcome | None:
        """Run one due campaign if it is ours to run; None when another process has it."""
        campaign = store.get_campaign(self.db, campaign_id)
        if campaign is None:
            return None
        self._retain()
        window = window_for(self.settings, campaign)
        now = self.clock()
        local = now.astimezone(timezone(self.settings))
        if window is not None and not window.is_open(local):
            return self._outside_window(campaign_id, window.next_open(local))
        self._waiting.pop(campaign_id, None)
        until = iso(now + timedelta(seconds=self.settings.scheduler.lease_seconds))
        if not leases.claim_due(self.db, campaign_id, self.owner, iso(now), until):
            return None
        self.log(LogRecord(
            "campaign.started", _("{name}: starting ({status} → {running})").format(
                name=campaign.name, status=status_name(campaign.status), running=status_name("running")),
            campaign_id,
        ))
        run_log = RunLog(campaign_id, self.log, self.settings.scheduler.progress_every, on_lane=self._lane_event(campaign_id))
        try:
            with run_log:
                outcome = run_campaign(
                    self.settings, self.db_path, campaign_id, owner=self.owner, window=window,
                    stop_event=self.stop_event, abandon_event=self.abandon_event, deadline=self.deadline, auto_resume=True,
                    events=run_log,
                )
        except CampaignBusy:
            return None
        except BlastError as exc:
            return self._cannot_run(campaign_id, exc)
        self.log(outcome_record(outcome))
        self._notify_outcome(outcome)
        return outcome

    def _notify_outcome(self, outcome: CampaignOutcome) -> None:
        """Tell the operator when a run ended in a state a person should know: completed, failed,
        or paused with nothing to continue it (a scheduler's stop or a daily cap continue by themselves)."""
        if self.notifier is None:
            return
        from nexus_blast.campaigns.runner import resume_hint

        kind = outcome.status if outcome.status in ("completed", "failed") else None
        if outcome.status == "paused":
            campaign = store.get_campaign(self.db, outcome.campaign_id)
            kind = None if campaign is None or campaign.resume_on_due else "paused"
        if kind is not None:
            command = resume_hint(outcome.campaign_id) if kind == "paused" else ""
            self.notifier.send_event(kind, outcome.campaign_id, outcome.reason or summary_text(outcome), command)

    def _lane_event(self, campaign_id: int):
        def on_lane(session: str, state: str, reason: str) -> None:
            if self.notifier is not None and state in ("timelocked", "braked"):
                from nexus_blast.campaigns.runner import resume_hint

                self.notifier.send_event(f"lane_{state}", campaign_id, _("session {name}: {reason}").format(name=session, reason=reason),
                                         resume_hint(campaign_id))

        return on_lane

    def _outside_window(self, campaign_id: int, opens: datetime) -> CampaignOutcome:
        when = iso(opens)
        if self._waiting.get(campaign_id) != when:
            self._waiting[campaign_id] = when
            self.log(LogRecord(
                "campaign.waiting", _("outside the sending window until {opens}").format(opens=moment(opens, "%Y-%m-%d %H:%M %Z")),
                campaign_id,
            ))
        return outcome_of(self.db, campaign_id, reason="outside the sending window", next_send_at=when)

    def _cannot_run(self, campaign_id: int, exc: BlastError) -> CampaignOutcome:
        """Park it (paused, not due) so cron does not fail on it every minute; say why."""
        # the stored pause reason: English, whatever language the error was said in
        reason = f"could not run: {english(exc.message)}" + (f" ({english(exc.hint)})" if exc.hint else "")
        parked = store.park(self.db, campaign_id, reason)
        leases.release(self.db, campaign_id, self.owner)
        if not parked:  # finished or cancelled a moment ago: nothing was wrong with it
            return outcome_of(self.db, campaign_id)
        outcome = outcome_of(self.db, campaign_id, reason=reason, error_code=int(exc.exit_code))
        self.log(LogRecord("campaign.paused", summary_text(outcome), campaign_id, "error", {
            "sent": outcome.sent, "failed": outcome.failed, "skipped": outcome.skipped, "pending": outcome.pending,
        }))
        if self.notifier is not None:
            from nexus_blast.campaigns.runner import resume_hint

            self.notifier.send_event("paused", campaign_id, reason, resume_hint(campaign_id))
        return outcome


def worst_exit_code(outcomes: list[CampaignOutcome]) -> int:
    """The highest exit code of the runs (0 when nothing ran): 130 > 3 > 2 > 1 > 0."""
    return max((o.exit_code for o in outcomes), default=0)
