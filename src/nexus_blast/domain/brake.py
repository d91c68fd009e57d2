"""The brake on failure: a lane whose recent sends mostly fail, or silently go nowhere, rests
(pure; `now` passed in). See README, "Protecting the number"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from nexus_blast.domain.signals import BRAKE, LaneLimits
from nexus_blast.i18n import _

SERVER = 1  # WhatsApp's ack "the server has it": no phone has it yet


@dataclass(frozen=True)
class SendRecord:
    """One send of a lane: `failed`, or sent at `sent_at` with the highest `ack` seen (None: no ack
    event ever came for it)."""

    failed: bool
    sent_at: datetime | None = None
    ack: int | None = None


@dataclass(frozen=True)
class BrakeRule:
    """More than `ratio` of the last `window` sends bad → brake. A send is bad when it failed, or
    when acks do come for this lane and it still has at most SERVER `ack_after` seconds on."""

    window: int = 20
    ratio: float = 0.5
    ack_after: float = 600.0


def is_silent(record: SendRecord, now: datetime, ack_after: float) -> bool:
    """Sent, older than ACK_AFTER seconds, and no phone acknowledged it."""
    return (
        not record.failed and record.sent_at is not None
        and (record.ack is None or record.ack <= SERVER)
        and now - record.sent_at >= timedelta(seconds=ack_after)
    )


def brake_reason(records: list[SendRecord], rule: BrakeRule, now: datetime) -> str | None:
    """Why the lane must rest (None: it need not). RECORDS: its sends, newest first."""
    recent = records[: rule.window]
    failed = sum(r.failed for r in recent)
    # Silent non-delivery can only be judged where acks arrive (a webhook receiver runs): some send
    # of the window has an ack event, else no ack means nothing.
    acks_arrive = any(r.ack is not None for r in recent)
    silent = sum(is_silent(r, now, rule.ack_after) for r in recent) if acks_arrive else 0
    if failed + silent <= rule.ratio * rule.window:
        return None
    return _("brake: {bad} of its last {n} sends failed ({failed}) or were not delivered after {after:g} s ({silent})").format(
        bad=failed + silent, n=len(recent), failed=failed, silent=silent, after=rule.ack_after,
    )


def brake_limits(reason: str, now: datetime, rest_seconds: float) -> LaneLimits:
    """The rest a brake imposes: REST_SECONDS from NOW (drawn from the rest range by the caller)."""
    return LaneLimits(rest_until=now + timedelta(seconds=max(1.0, rest_seconds)), code=BRAKE, reason=reason)
