"""Running a stored campaign to the end (or to a clean pause): `run_campaign` is what `blast send`,
`blast campaign resume`, `run-due` and `worker` call.

Order: take the campaign's lease (another live process holding it → CampaignBusy), check the
campaign can run, mark it running, reconcile every message left `sending` by an earlier run (WAHA
is asked; nothing is resent blindly), run the lanes while the lease is renewed, then settle the
status: completed/failed when nothing is left, paused otherwise (with the reason and how to
resume), and release the lease.

A run stops early for one of: `signal` (STOP_EVENT set), `deadline` (run-due --max-seconds),
`lease` (this process lost its lease: another one continues, nothing is touched), `status` (a
person paused or cancelled it). With AUTO_RESUME (the scheduler), a signal or deadline stop leaves
the campaign paused with resume_on_due set, so the next run-due or worker continues it.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from nexus_blast import clock
from nexus_blast.campaigns.clients import ClientPool
from nexus_blast.campaigns.confirm import send_rounds
from nexus_blast.campaigns.lease import LeaseKeeper, new_owner
from nexus_blast.campaigns.media import Media, load_data
from nexus_blast.campaigns.reconcile import reconcile_campaign
from nexus_blast.campaigns.sender import Events, Sender, SenderConfig
from nexus_blast.campaigns.warmup import cap_for
from nexus_blast.domain.messages import RESUMABLE, final_campaign_status
from nexus_blast.domain.pacing import DelayRange, parse_batch, parse_delay, parse_rest
from nexus_blast.domain.window import Window, next_day_start
from nexus_blast.errors import ConfigError, ExitCode, InputError, NotFound
from nexus_blast.i18n import _, english
from nexus_blast.store import campaigns as store
from nexus_blast.store.db import iso


@dataclass(frozen=True)
class CampaignOutcome:
    """Where a run left the campaign, and the exit code that says so."""

    campaign_id: int
    status: str
    sent: int
    failed: int
    skipped: int
    pending: int
    reason: str = ""
    blocked: bool = False  # paused because no session could send (or outcomes are unknown)
    interrupted: bool = False
    error_code: int = 0  # the run could not happen (busy, lease lost, sessions gone): that exit code
    next_send_at: str | None = None  # not started: outside its sending window until then

    @property
    def exit_code(self) -> int:
        if self.error_code:
            return self.error_code
        if self.status == "cancelled":  # a person's decision, carried out: nothing went wrong
            return int(ExitCode.OK)
        if self.interrupted:
            return int(ExitCode.INTERRUPTED)
        if self.blocked:
            return int(ExitCode.DEPENDENCY)
        if self.failed:
            return int(ExitCode.PARTIAL)
        return int(ExitCode.OK)

    def as_dict(self) -> dict:
        doc = {
            "campaign": self.campaign_id, "status": self.status, "sent": self.sent,
            "failed": self.failed, "skipped": self.skipped, "pending": self.pending,
        }
        if self.reason:
            doc["reason"] = self.reason
        if self.next_send_at:
            doc["next_send_at"] = self.next_send_at
        return doc


def resume_hint(campaign_id: int) -> str:
    return f"blast campaign resume {campaign_id}"


def outcome_of(
    db, campaign_id: int, *, reason: str = "", blocked: bool = False, interrupted: bool = False,
    error_code: int = 0, next_send_at: str | None = None,
) -> CampaignOutcome:
    campaign = store.get_campaign(db, campaign_id)
    if campaign is None:
        raise NotFound(_("no campaign {id}").format(id=campaign_id), hint=_("see: blast campaign list"))
    c = store.counts(db, campaign_id)
    return CampaignOutcome(
        campaign_id, campaign.status, c.sent, c.failed, c.skipped, c.unfinished,
        reason or (campaign.status_reason if campaign.status == "paused" else ""), blocked, interrupted,
        error_code, next_send_at,
    )


def run_campaign(settings, db_path: Path, campaign_id: int, **options) -> CampaignOutcome:
    """Run CAMPAIGN_ID until it is done, paused (no session can send, STOP_EVENT was set, the
    deadline came), or changed by another command (paused/cancelled). Synchronous; the options are
    those of `run_campaign_async`."""
    return asyncio.run(run_campaign_async(settings, db_path, campaign_id, **options))


async def run_campaign_async(
    settings,
    db_path: Path,
    campaign_id: int,
    *,
    stop_event: threading.Event | None = None,
    abandon_event: threading.Event | None = None,
    now: Callable[[], datetime] | None = None,
    rng: random.Random | None = None,
    events: Events | None = None,
    window: Window | None = None,
    owner: str | None = None,
    deadline: float | None = None,
    auto_resume: bool = False,
) -> CampaignOutcome:
    """OWNER: the lease holder name (default: a new `host:pid:random`); a scheduler that already
    claimed the lease passes its own. DEADLINE: a `time.monotonic()` instant at which to stop
    cleanly. ABANDON_EVENT (a second signal): stop now, leaving any message in flight `sending`
    (checked with WAHA by the next run). NOW and RNG are for tests (the window and daily caps follow NOW; leases use real time)."""
    from nexus_blast.store.db import open_database

    now = now or clock.now  # clock.now read at each call: the suite's hook (nexus_blast/clock.py)
    events = events or Events()
    db = open_database(Path(db_path))
    try:
        keeper = LeaseKeeper(db, campaign_id, owner or new_owner(), settings.scheduler.lease_seconds)
        if store.get_campaign(db, campaign_id) is None:
            raise NotFound(_("no campaign {id}").format(id=campaign_id), hint=_("see: blast campaign list"))
        keeper.claim()
        try:
            return await _run_leased(
                settings, db, campaign_id, keeper, (stop_event, abandon_event), now, rng, events, window, deadline, auto_resume
            )
        finally:
            keeper.release()
    finally:
        db.conn.close()


class _Stop:
    """Why the run was asked to stop (the first reason wins)."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.abandon = asyncio.Event()  # stop without waiting for the messages in flight
        self.why = ""

    def __call__(self, why: str) -> None:
        if not self.why:
            self.why = why
        self.event.set()


async def _run_leased(settings, db, campaign_id, keeper, events_in, now, rng, events, window, deadline, auto_resume):
    stop_event, abandon_event = events_in
    campaign = _runnable(settings, db, campaign_id)
    from nexus_blast.campaigns import abtest

    waiting = abtest.before_run(db, campaign_id, now())  # an A/B test's wait: over → the leader's text
    if waiting is not None:
        return _wait_for_replies(db, campaign_id, *waiting)
    config = _sender_config(settings, campaign, window, keeper.owner)
    store.set_campaign_status(db, campaign_id, "running", reason="")
    store.set_resume_on_due(db, campaign_id, False)  # a resume-at request is now honoured
    pool = ClientPool(settings)
    stop = _Stop()
    helpers = [asyncio.create_task(keeper.keep(stop))]
    if stop_event is not None:
        helpers.append(asyncio.create_task(_bridge(stop_event, stop, abandon_event)))
    if deadline is not None:
        helpers.append(asyncio.create_task(_at_deadline(deadline, stop)))
    try:
        names = [s for s in campaign.sessions if s in settings.sessions]
        lanes = pool.lanes(names)
        for spec in lanes:  # warm-up: the day's effective cap (the sender recomputes it each day)
            spec.cap_for = cap_for(settings, db, spec.name)
        targets = {lane.name: (lane.client, lane.waha_session) for lane in lanes}
        # A request left in flight may be answered up to a timeout after it was sent, and WAHA may
        # finish an abandoned one later still: judged only once the decision window has passed.
        reconciling = asyncio.create_task(
            reconcile_campaign(db, campaign_id, targets, settle_seconds=decision_window(settings), now=now, **_media_of(campaign))
        )
        if not await _until_done_or_stopped(reconciling, stop.event):
            return _stopped(db, campaign_id, stop.why, auto_resume)
        # Unknown outcomes WAHA could not be asked about during a round: asked once more before
        # the campaign may complete. A confirm-first campaign goes round until no question awaits.
        rounds = await send_rounds(
            db, campaign,
            lambda: Sender(db, campaign_id, lanes, config, rng=rng, now=now, events=events),
            lambda: _until_done_or_stopped(asyncio.create_task(
                reconcile_campaign(db, campaign_id, targets, settle_seconds=decision_window(settings), now=now, **_media_of(campaign))
            ), stop.event),
            stop, now, wait=not auto_resume, poll=settings.scheduler.poll_interval, notice=events.notice,
            tz=ZoneInfo(settings.general.timezone),
        )
        result = rounds.result
    except BaseException as exc:
        if not keeper.lost and store.campaign_status(db, campaign_id) == "running":
            interrupted = isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError))
            if interrupted and auto_resume:  # the scheduler's run: the next run-due/worker continues it
                store.pause_for_later(db, campaign_id, "interrupted; the next run-due or worker continues it")
            else:
                store.set_campaign_status(db, campaign_id, "paused", reason="interrupted" if interrupted else f"error: {english(getattr(exc, 'message', None) or exc)}")
        raise
    finally:
        for task in helpers:
            task.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        await pool.aclose()
    if result.halt == "capped":  # every session used its daily cap: continue tomorrow by itself
        tomorrow = next_day_start(now().astimezone(ZoneInfo(settings.general.timezone)))
        outcome = _pause(
            db, campaign_id,
            f"{result.detail}; run-due/worker continue it from {tomorrow:%Y-%m-%d %H:%M}, "
            f"or: {resume_hint(campaign_id)}", blocked=True,
        )
        store.set_due_at(db, campaign_id, iso(tomorrow))
        return outcome
    if result.halt == "resting" and result.until is not None:  # every session rests: continue after
        local = result.until.astimezone(ZoneInfo(settings.general.timezone))
        outcome = _pause(db, campaign_id, (  # the stored pause reason: English, as --json shows it
            f"{result.detail}; run-due/worker continue it from {local:%Y-%m-%d %H:%M}, or: {resume_hint(campaign_id)}"), blocked=True)
        store.set_due_at(db, campaign_id, iso(result.until))
        return outcome
    if result.halt == "confirming":  # run-due/worker look again at NEXT_CHECK (a reply, a window closing)
        store.pause_for_later(db, campaign_id, result.detail)
        store.set_due_at(db, campaign_id, iso(rounds.next_check))
        return outcome_of(db, campaign_id, reason=result.detail)
    if result.halt == "lease":  # the sender saw it before the keeper's next renewal
        keeper.lost = True
        return _stopped(db, campaign_id, "lease", auto_resume)
    if result.halt == "interrupted":
        return _stopped(db, campaign_id, stop.why, auto_resume)
    if result.halt == "done" and store.campaign_status(db, campaign_id) == "running":
        waiting = abtest.after_sending(db, campaign_id, now())  # the A/B test phase is sent: wait
        if waiting is not None:
            return _wait_for_replies(db, campaign_id, *waiting)
    return _settle(db, campaign_id, result)


def _wait_for_replies(db, campaign_id: int, reason: str, due: str) -> CampaignOutcome:
    """Paused until DUE (an A/B test waiting for replies): run-due/worker continue it then."""
    status = store.campaign_status(db, campaign_id)
    if status == "running":
        store.pause_for_later(db, campaign_id, reason)
    elif status == "scheduled":
        store.set_campaign_status(db, campaign_id, "paused", reason=reason)
    store.set_due_at(db, campaign_id, due)
    return outcome_of(db, campaign_id, reason=reason, next_send_at=due)


def _runnable(settings, db, campaign_id: int):
    from nexus_blast.campaigns.report import status_name

    campaign = store.get_campaign(db, campaign_id)
    if campaign is None:
        raise NotFound(_("no campaign {id}").format(id=campaign_id), hint=_("see: blast campaign list"))
    if campaign.status not in RESUMABLE:
        raise InputError(_("campaign {id} is {status}: nothing to run").format(id=campaign_id, status=status_name(campaign.status)))
    if not any(s in settings.sessions for s in campaign.sessions):
        raise ConfigError(
            _("campaign {id}: none of its sessions ({names}) is configured").format(id=campaign_id, names=", ".join(campaign.sessions)),
            hint=_("add one with: blast session add NAME --url URL"),
        )
    return campaign


def _media_of(campaign) -> dict:
    """The campaign's media kind and order, as reconcile_campaign takes them."""
    kind = (campaign.image or {}).get("kind", "image") if campaign.image else None
    return {"kind": kind, "media_first": bool(campaign.options.get("media_first"))}


def decision_window(settings) -> float:
    """Seconds after an attempt began before its unknown outcome is judged from the chat."""
    return settings.waha.timeout + settings.waha.settle


def _sender_config(settings, campaign, window: Window | None, owner: str | None = None) -> SenderConfig:
    image = Media.from_dict(campaign.image) if campaign.image else None
    return SenderConfig(
        delay=DelayRange(campaign.delay_min, campaign.delay_max),
        lookup_delay=parse_delay(settings.sending.lookup_delay),
        attempts=settings.retry.attempts,
        backoff_initial=settings.retry.backoff_initial,
        backoff_max=settings.retry.backoff_max,
        unhealthy_after=settings.retry.unhealthy_after,
        probe_interval=settings.retry.probe_interval,
        typing=bool(campaign.options.get("typing", settings.sending.typing)),
        typing_cps=settings.sending.typing_cps,
        image=image,
        image_data=load_data(image) if image else None,
        media_first=bool(campaign.options.get("media_first")),
        link_preview=bool(campaign.options.get("link_preview", settings.sending.link_preview)),
        timezone=ZoneInfo(settings.general.timezone),
        window=window,
        settle=decision_window(settings),
        signal_check=settings.sending.signal_check,
        brake=_brake_rule(settings),
        guard_rest=_rest_range(settings),
        lease_owner=owner,
        batch=parse_batch(campaign.options.get("batch", settings.sending.batch)),
        rest=parse_rest(campaign.options.get("rest", settings.sending.rest)),
    )


def _brake_rule(settings):
    """The brake on failure (domain/brake.py) from `sending.brake_*`; None when brake_window is 0."""
    from nexus_blast.domain.brake import BrakeRule

    s = settings.sending
    return BrakeRule(s.brake_window, s.brake_ratio, s.brake_ack_after) if s.brake_window > 0 else None


def _rest_range(settings) -> DelayRange:
    """The rest a warned or braked session takes: `sending.rest` (when set and not 0), else 300-900 s."""
    text = str(getattr(settings.sending, "rest", "") or "")
    try:
        found = parse_delay(text) if text.strip() not in ("", "0") else None
    except ValueError:
        found = None
    return found if found is not None and found.high > 0 else DelayRange(300, 900)


async def _bridge(source: threading.Event, stop: _Stop, abandon: threading.Event | None = None) -> None:
    """Thread-safe stop requests (signal handler, worker thread) → the run's asyncio events."""
    while not source.is_set():
        await asyncio.sleep(0.05)
    stop("signal")
    while abandon is not None and not abandon.is_set():
        await asyncio.sleep(0.05)
    stop.abandon.set()


async def _at_deadline(deadline: float, stop: _Stop) -> None:
    await asyncio.sleep(max(0.0, deadline - time.monotonic()))
    stop("deadline")


def _stopped(db, campaign_id: int, why: str, auto_resume: bool) -> CampaignOutcome:
    """The run was asked to stop (see the module docstring for WHY)."""
    hint = f"resume with: {resume_hint(campaign_id)}"
    if why == "lease":
        holder = store.get_campaign(db, campaign_id).lease_owner or "another process"
        return outcome_of(
            db, campaign_id, error_code=int(ExitCode.USAGE),
            reason=f"this process lost the campaign's lease (it stalled longer than scheduler.lease_seconds); "
            f"{holder} continues it",
        )
    if why == "status":
        return _changed_meanwhile(db, campaign_id)
    if auto_resume:
        reason = (
            "stopped at --max-seconds; the next run-due continues it" if why == "deadline"
            else "stopped with the scheduler; the next run-due or worker continues it"
        )
        store.pause_for_later(db, campaign_id, reason)
        return outcome_of(db, campaign_id, reason=reason, interrupted=why == "signal")
    if why == "deadline":
        return _pause(db, campaign_id, f"time limit reached; {hint}")
    return _pause(db, campaign_id, f"interrupted; {hint}", interrupted=True)


async def _until_done_or_stopped(task: asyncio.Task, stop: asyncio.Event) -> bool:
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if task in done:
        task.result()
        return True
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return False


def _pause(db, campaign_id: int, reason: str, *, blocked: bool = False, interrupted: bool = False) -> CampaignOutcome:
    if store.campaign_status(db, campaign_id) in ("running", "paused"):
        store.set_campaign_status(db, campaign_id, "paused", reason=reason)
    return outcome_of(db, campaign_id, reason=reason, blocked=blocked, interrupted=interrupted)


CANCELLED_MEANWHILE = "cancelled by another command while this run was sending; its pending messages were skipped"


def _changed_meanwhile(db, campaign_id: int) -> CampaignOutcome:
    """A person paused or cancelled the campaign while this run sent it: that decision stands."""
    if store.campaign_status(db, campaign_id) == "cancelled":
        return outcome_of(db, campaign_id, reason=CANCELLED_MEANWHILE)
    return outcome_of(db, campaign_id)


def _settle(db, campaign_id: int, result) -> CampaignOutcome:
    hint = f"resume with: {resume_hint(campaign_id)}"
    if result.halt == "status" or store.campaign_status(db, campaign_id) not in ("running", "paused"):
        return _changed_meanwhile(db, campaign_id)
    if result.halt in ("no_session", "error"):
        return _pause(db, campaign_id, f"{result.detail}; {hint}", blocked=True)
    counts = store.counts(db, campaign_id)
    if counts.sending:
        reason = (
            f"{counts.sending} message(s) with an unknown outcome (WAHA could not be asked); "
            f"{hint} checks them before resending"
        )
        return _pause(db, campaign_id, reason, blocked=True)
    if counts.pending:
        return _pause(db, campaign_id, f"{counts.pending} message(s) left; {hint}", blocked=True)
    store.set_campaign_status(db, campaign_id, str(final_campaign_status(counts.sent, counts.failed)), reason="")
    return outcome_of(db, campaign_id)
