"""WhatsApp's own signals about a number → what its lane may do (pure; `now` passed in).

WAHA reports them in `me` (`GET /api/sessions/{s}`): `messageCapping` (a quota of new chats per
cycle: NONE → FIRST_WARNING → SECOND_WARNING → CAPPED) and `reachoutTimelock` (no new contacts until
`timeEnforcementEnds`). `limits_from` turns them into `LaneLimits`, the one value the sender consults
(the failure brake, domain/brake.py, yields the same value), so no rule needs a branch of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from nexus_blast.domain.risks import Risk
from nexus_blast.i18n import _

CAPPING_STATUSES = ("NONE", "FIRST_WARNING", "SECOND_WARNING", "CAPPED")
# The codes of the limits (stable, for --json and the stored events); the strongest one names a lane.
FREE, FIRST_WARNING, SECOND_WARNING, CAPPED, TIMELOCK, BRAKE = (
    "", "first_warning", "second_warning", "capped", "timelock", "brake",
)
_STRENGTH = {FREE: 0, FIRST_WARNING: 1, CAPPED: 2, TIMELOCK: 3, SECOND_WARNING: 4, BRAKE: 5}


@dataclass(frozen=True)
class Signals:
    """What a server said about one number; a field is None when it did not say it."""

    capping: str | None = None  # one of CAPPING_STATUSES
    total_quota: int | None = None
    used_quota: int | None = None
    cycle_end: datetime | None = None
    timelock: bool | None = None
    timelock_ends: datetime | None = None

    @property
    def reported(self) -> bool:
        return self.capping is not None or self.timelock is not None

    def as_json(self) -> dict:
        return {
            "capping": None if self.capping is None else {
                "status": self.capping, "total_quota": self.total_quota, "used_quota": self.used_quota,
                "cycle_end": _iso(self.cycle_end),
            },
            "timelock": None if self.timelock is None else {"active": self.timelock, "ends": _iso(self.timelock_ends)},
        }


@dataclass(frozen=True)
class LaneLimits:
    """What a lane may do now: its delays × `delay_multiplier`; nothing before `rest_until`; when
    `new_chats` is False, only contacts it already has a chat with (the others move), until
    `new_chats_from` (None: until a later reading says otherwise). `code`/`reason` say why."""

    delay_multiplier: float = 1.0
    rest_until: datetime | None = None
    new_chats: bool = True
    new_chats_from: datetime | None = None
    code: str = FREE
    reason: str = ""

    def resting(self, now: datetime) -> bool:
        return self.rest_until is not None and now < self.rest_until

    def existing_only(self, now: datetime) -> bool:
        return not self.new_chats and (self.new_chats_from is None or now < self.new_chats_from)

    def current(self, now: datetime) -> LaneLimits:
        """These limits with what has expired by NOW dropped."""
        rest = self.rest_until if self.resting(now) else None
        only = self.existing_only(now)
        if rest is None and not only and self.delay_multiplier == 1.0:
            return LaneLimits()
        return replace(self, rest_until=rest, new_chats=not only, new_chats_from=self.new_chats_from if only else None)

    def merge(self, other: LaneLimits) -> LaneLimits:
        """Both limits at once: the slower delay, the later rest, the longer ban on new chats; the
        stronger code names the result."""
        stronger = other if _STRENGTH[other.code] > _STRENGTH[self.code] else self
        reasons = "; ".join(r for r in (self.reason, other.reason) if r)
        return LaneLimits(
            delay_multiplier=max(self.delay_multiplier, other.delay_multiplier),
            rest_until=_later(self.rest_until, other.rest_until),
            new_chats=self.new_chats and other.new_chats,
            new_chats_from=_ban_end(self, other),
            code=stronger.code,
            reason=reasons,
        )


def limits_from(signals: Signals, now: datetime, rest_seconds: float) -> LaneLimits:
    """The limits SIGNALS put on a lane at NOW. REST_SECONDS: a rest drawn from the rest range
    (SECOND_WARNING rests until the cycle ends or that long, whichever is later)."""
    limits = LaneLimits()
    if signals.timelock and (signals.timelock_ends is None or signals.timelock_ends > now):
        until = signals.timelock_ends
        limits = limits.merge(LaneLimits(
            new_chats=False, new_chats_from=until, code=TIMELOCK,
            reason=_("WhatsApp reach-out timelock: only contacts it already has a chat with, until {until}").format(
                until=_when(until)),
        ))
    status = signals.capping
    quota = _quota(signals)
    if status == "FIRST_WARNING":
        limits = limits.merge(LaneLimits(
            delay_multiplier=2.0, code=FIRST_WARNING,
            reason=_("WhatsApp capping FIRST_WARNING{quota}: delays doubled").format(quota=quota),
        ))
    elif status == "SECOND_WARNING":
        rest_until = _later(now + timedelta(seconds=max(0.0, rest_seconds)), signals.cycle_end)
        limits = limits.merge(LaneLimits(
            rest_until=rest_until, code=SECOND_WARNING,
            reason=_("WhatsApp capping SECOND_WARNING{quota}: rests until {until}").format(
                quota=quota, until=_when(rest_until)),
        ))
    elif status == "CAPPED":
        until = signals.cycle_end if signals.cycle_end is not None and signals.cycle_end > now else None
        limits = limits.merge(LaneLimits(
            new_chats=False, new_chats_from=until, code=CAPPED,
            reason=_("WhatsApp capping CAPPED{quota}: no new chats until {until}").format(quota=quota, until=_when(until)),
        ))
    return limits


def signal_risks(session: str, signals: Signals, now: datetime) -> list[Risk]:
    """The risks a session's signals mean for a campaign about to send (`high`: it cannot take new
    contacts or must rest; `warn`: WhatsApp's first warning)."""
    risks = []
    if signals.timelock and (signals.timelock_ends is None or signals.timelock_ends > now):
        risks.append(Risk("session_timelocked", "high", _(
            "session {session} is under WhatsApp's reach-out timelock until {until}: it sends only to "
            "contacts it already has a chat with").format(session=session, until=_when(signals.timelock_ends))))
    level = {"FIRST_WARNING": "warn", "SECOND_WARNING": "high", "CAPPED": "high"}.get(signals.capping or "")
    if level is not None:
        risks.append(Risk("session_capping", level, _(
            "session {session} reports WhatsApp capping {status}{quota}").format(
                session=session, status=signals.capping, quota=_quota(signals))))
    return risks


def _quota(signals: Signals) -> str:
    if signals.used_quota is None or signals.total_quota is None:
        return ""
    return f" ({signals.used_quota}/{signals.total_quota})"


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _ban_end(a: LaneLimits, b: LaneLimits) -> datetime | None:
    bans = [x for x in (a, b) if not x.new_chats]
    if not bans:
        return None
    if any(x.new_chats_from is None for x in bans):
        return None
    return max(x.new_chats_from for x in bans)


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when is not None else None


def _when(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if when is not None else _("it lifts")
