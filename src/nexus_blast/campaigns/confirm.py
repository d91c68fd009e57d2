"""Confirm-first campaigns between sends: each pass decides the questions that can be decided
(domain/confirm.py) and applies the verdicts (store/confirm.py), each one committed on its own.

The replies themselves are recorded by the webhook receiver or `campaign sync` (messages.replied_at
on the question, the most recent campaign message to that contact); opt-out words land in the
opt-out list. A pass only reads what they recorded: no network call happens here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from nexus_blast.domain.confirm import Asked, Verdict, verdict
from nexus_blast.domain.messages import SkipReason
from nexus_blast.store import confirm as store
from nexus_blast.store.db import iso


@dataclass(frozen=True)
class AskPass:
    """What one pass did, and what is left: AWAITING questions, the earliest closing NEXT_CLOSE."""

    confirmed: int = 0
    declined: int = 0
    expired: int = 0
    awaiting: int = 0
    next_close: datetime | None = None


def window_of(campaign) -> timedelta | None:
    """The confirm window of a confirm-first CAMPAIGN; None for an ordinary one."""
    options = (campaign.options or {}).get("confirm_first")
    if not options:
        return None
    return timedelta(seconds=float(options.get("window") or 24 * 3600))


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def settle_asks(db, campaign_id: int, window: timedelta, now: datetime) -> AskPass:
    """Decide every question of CAMPAIGN_ID that can be decided at NOW."""
    confirmed = declined = expired = 0
    for row in store.actionable(db, campaign_id, iso(now - window)):
        asked = Asked(_parse(row.sent_at), _parse(row.replied_at), row.opted_out)
        match verdict(asked, window, now):
            case Verdict.CONFIRM:
                confirmed += store.confirm(db, row.id, row.replied_at)
            case Verdict.DECLINE:
                declined += store.close(db, row.id, str(SkipReason.OPTED_OUT))
            case Verdict.EXPIRE:
                expired += store.close(db, row.id, str(SkipReason.NO_CONFIRMATION))
            case Verdict.WAIT:
                pass
    waiting, first = store.awaiting(db, campaign_id)
    next_close = _parse(first) + window if first else None
    return AskPass(confirmed, declined, expired, waiting, next_close)


RECHECK = 30.0  # seconds before run-due/worker look again at a campaign waiting for replies
NOTICE_EVERY = 60.0  # seconds between two "waiting for replies" lines of a foreground run


@dataclass(frozen=True)
class Rounds:
    """How `send_rounds` ended: the last SenderResult, and for a confirm-first campaign handed back
    to the scheduler (halt `confirming`), when to look again (NEXT_CHECK)."""

    result: object
    next_check: datetime | None = None


async def send_rounds(db, campaign, new_sender, reconcile, stop, now, *, wait: bool, poll: float, notice, tz) -> Rounds:
    """Send CAMPAIGN's pending messages (NEW_SENDER() builds a Sender, RECONCILE() settles the
    unknown outcomes it left) until nothing is left. A confirm-first campaign, once every question
    and every confirmed offer is out, waits for replies: with WAIT in this process (checking every
    POLL seconds, and when the first window closes) until no question awaits a verdict; without
    WAIT (run-due/worker, which must not sit on one campaign) it returns halt `confirming` with the
    time to come back."""
    import asyncio
    import time

    from nexus_blast.campaigns.sender import SenderResult
    from nexus_blast.i18n import english, moment, ngettext
    from nexus_blast.store import campaigns as campaigns_store

    window = window_of(campaign)
    said = None
    while True:
        if window is not None:
            settle_asks(db, campaign.id, window, now())
        result = SenderResult("done")
        if window is None or campaigns_store.counts(db, campaign.id).pending:
            result = await new_sender().run(stop.event, stop.abandon)
            if result.halt != "done":
                return Rounds(result)
        if campaigns_store.counts(db, campaign.id).sending:
            await reconcile()
        if window is None:
            return Rounds(result)
        if stop.event.is_set():
            return Rounds(SenderResult("interrupted", "interrupted"))
        state = settle_asks(db, campaign.id, window, now())
        if state.confirmed:
            continue
        if not state.awaiting:
            return Rounds(result)
        # Here: look again every POLL seconds. Handed back: every RECHECK (a worker's log gets two
        # lines per look, and an offer a few seconds after its reply is no better than one later).
        until = min(state.next_close, now() + timedelta(seconds=poll if wait else max(poll, RECHECK)))
        reason = ngettext("waiting for replies: {n} question awaiting, the first window closes {at}",
                          "waiting for replies: {n} questions awaiting, the first window closes {at}", state.awaiting).format(
            n=state.awaiting, at=moment(state.next_close.astimezone(tz), "%Y-%m-%d %H:%M %Z")
        )
        if not wait:  # the stored pause reason: English
            return Rounds(SenderResult("confirming", english(reason)), next_check=until)
        if said is None or time.monotonic() - said >= NOTICE_EVERY:  # a line a minute, not one per reply
            said = time.monotonic()
            notice(reason)
        try:
            await asyncio.wait_for(stop.event.wait(), max(0.01, (until - now()).total_seconds()))
        except TimeoutError:
            pass


def summary(db, campaign) -> dict | None:
    """`campaign show`'s `confirm_first` block (None for an ordinary campaign): the question, the
    window, and asked / awaiting / confirmed / no_confirmation / opted_out / offers_sent."""
    options = (campaign.options or {}).get("confirm_first")
    if not options:
        return None
    counts = store.confirm_counts(db, campaign.id)
    _, first = store.awaiting(db, campaign.id)
    closes = iso(_parse(first) + window_of(campaign)) if first else None
    return {"question": options.get("question"), "window_seconds": window_of(campaign).total_seconds()} | counts | {
        "next_close_at": closes
    }
