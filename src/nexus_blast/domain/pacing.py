"""Pacing: delay ranges between a session's sends, drawn at random (pure; rng passed in)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from nexus_blast.domain.numbers import parse_decimal  # `30,5` as typed in Brazil, or `30.5`
from nexus_blast.i18n import _

# Upper bound of a delay between two sends of one session: past an hour it is a schedule (use
# --at or the sending window), and an unbounded value (1e308, inf) would stall a lane for ever.
MAX_DELAY_SECONDS = 3600.0


@dataclass(frozen=True)
class DelayRange:
    """Seconds between two consecutive sends of one session, drawn uniformly in [low, high]."""

    low: float
    high: float

    def draw(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def __str__(self) -> str:
        return f"{self.low:g}-{self.high:g}"


def parse_delay(text: str) -> DelayRange:
    """`"30-60"`, `"0.5-2"` or a single `"5"`, each finite, 0 <= MIN <= MAX <= MAX_DELAY_SECONDS;
    raises ValueError with a readable reason."""
    raw = str(text).strip()
    if not raw:
        raise ValueError(_("delay is empty (give MIN-MAX in seconds, e.g. 30-60)"))
    parts = raw.split("-")
    try:
        if len(parts) == 1:
            low = high = parse_decimal(parts[0])
        elif len(parts) == 2:
            low, high = parse_decimal(parts[0]), parse_decimal(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise ValueError(_("delay {raw!r} is not MIN-MAX in seconds (e.g. 30-60)").format(raw=raw)) from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(_("delay {raw!r} is not a finite number of seconds").format(raw=raw))
    if low < 0 or high < low:
        raise ValueError(_("delay {raw!r}: need 0 <= MIN <= MAX").format(raw=raw))
    if high > MAX_DELAY_SECONDS:
        raise ValueError(_("delay {raw!r}: at most {n} seconds between two sends").format(raw=raw, n=f"{MAX_DELAY_SECONDS:g}"))
    return DelayRange(low, high)


def typing_pause(text: str, chars_per_second: float, cap: float = 8.0) -> float:
    """How long a human would type TEXT, capped so long messages don't stall a lane."""
    return min(cap, max(1.0, len(text) / chars_per_second))


# --- rests between batches, warm-up of new numbers, and the policy that asks them ----------------

MAX_BATCH = 100_000
MAX_REST_SECONDS = 86_400.0  # a rest past a day is a schedule, not a rest


@dataclass(frozen=True)
class CountRange:
    """How many sends make a batch, drawn uniformly in [low, high] (integers, 1 <= low)."""

    low: int
    high: int

    def draw(self, rng: random.Random) -> int:
        return rng.randint(self.low, self.high)

    def __str__(self) -> str:
        return f"{self.low}-{self.high}"


def _two_numbers(raw: str, what: str, example: str) -> tuple[str, str]:
    parts = raw.split("-")
    if len(parts) == 1:
        return parts[0], parts[0]
    if len(parts) == 2 and all(p.strip() for p in parts):
        return parts[0], parts[1]
    raise ValueError(_("{what} {raw!r} is not MIN-MAX (e.g. {example})").format(what=what, raw=raw, example=example))


def parse_batch(text: str) -> CountRange | None:
    """`"15-25"` sends per batch (or a single `"20"`); `"0"` turns rests off (None)."""
    raw = str(text).strip()
    if raw == "0":
        return None
    low_s, high_s = _two_numbers(raw, _("batch"), "15-25")
    try:
        low, high = int(low_s), int(high_s)
    except ValueError:
        raise ValueError(_("batch {raw!r} is not MIN-MAX in whole messages (e.g. 15-25)").format(raw=raw)) from None
    if low < 1 or high < low:
        raise ValueError(_("batch {raw!r}: need 1 <= MIN <= MAX (or 0 for no rests)").format(raw=raw))
    if high > MAX_BATCH:
        raise ValueError(_("batch {raw!r}: at most {n} messages").format(raw=raw, n=MAX_BATCH))
    return CountRange(low, high)


def parse_rest(text: str) -> DelayRange | None:
    """`"300-900"` seconds of rest after each batch (or a single `"600"`); `"0"` turns rests off."""
    raw = str(text).strip()
    if raw in ("0", "0-0"):
        return None
    low_s, high_s = _two_numbers(raw, _("rest"), "300-900")
    try:
        low, high = float(low_s), float(high_s)
    except ValueError:
        raise ValueError(_("rest {raw!r} is not MIN-MAX in seconds (e.g. 300-900)").format(raw=raw)) from None
    if not (math.isfinite(low) and math.isfinite(high)) or low < 0 or high < low or high <= 0:
        raise ValueError(_("rest {raw!r}: need 0 <= MIN <= MAX, MAX > 0 (or 0 for no rests)").format(raw=raw))
    if high > MAX_REST_SECONDS:
        raise ValueError(_("rest {raw!r}: at most {n} seconds").format(raw=raw, n=f"{MAX_REST_SECONDS:g}"))
    return DelayRange(low, high)


@dataclass(frozen=True)
class Warmup:
    """The warm-up ramp: day 1 of sending START messages, ×GROWTH per day on which the number sent;
    idle for RESET_AFTER hours or more (whole days without a send), it starts over at day 1."""

    start: int = 20
    growth: float = 1.8
    reset_after: float = 72.0  # hours


@dataclass(frozen=True)
class Ramp:
    """A session's allowance today: its effective cap and its ramp day (None: warm, no ramp)."""

    cap: int
    day: int | None


def ramp_today(sent_days: list, today, daily_cap: int, warmup: Warmup | None) -> Ramp:
    """Today's effective cap from the local days (dates) on which the session sent. Each earlier
    day with sends is one step up the ramp; a gap of more than `reset_after` hours between two
    sending days (or since the last one) starts it over. WARMUP None: a warm number (no ramp)."""
    if warmup is None:
        return Ramp(daily_cap, None)
    step, previous = 0, None  # step: sending days before today in the current run of the ramp
    for day in sorted({d for d in sent_days if d < today}):
        if previous is not None and _idle_hours(previous, day) >= warmup.reset_after:
            step = 0
        step, previous = step + 1, day
    if previous is None or _idle_hours(previous, today) >= warmup.reset_after:
        step = 0
    allowance = _allowance(warmup, step)
    if allowance >= daily_cap:
        return Ramp(daily_cap, None)
    return Ramp(allowance, step + 1)


def _idle_hours(sent, later) -> int:
    """Whole idle days between a sending day and a later day, in hours (consecutive days: 0)."""
    return ((later - sent).days - 1) * 24


def _allowance(warmup: Warmup, step: int) -> int:
    try:
        return int(round(warmup.start * warmup.growth**step))
    except OverflowError:
        return MAX_BATCH * 10**6


@dataclass(frozen=True)
class LaneConstraints:
    """What else limits a lane right now (WhatsApp's own signals, a brake): fed to the policy by
    whoever reads them. DELAY_MULTIPLIER stretches the delay; REST_UNTIL holds the lane; NEW_CHATS
    False lets it send only to contacts it already has a chat with (the sender routes the others)."""

    delay_multiplier: float = 1.0
    rest_until: object | None = None  # aware datetime
    new_chats: bool = True
    reason: str = ""


@dataclass(frozen=True)
class LaneHistory:
    """What the policy needs to know of a lane: its last send (aware datetime), the sends of its
    current batch, the size that batch was drawn to, and the end of a rest it is in."""

    last_send: object | None = None  # aware datetime
    sent_in_batch: int = 0
    batch_target: int | None = None
    rest_until: object | None = None  # aware datetime


@dataclass(frozen=True)
class Slot:
    """When the lane may send next, and why then (`delay`, `rest`, or a constraint's reason)."""

    at: object  # aware datetime
    reason: str
    constraints: LaneConstraints = LaneConstraints()


@dataclass(frozen=True)
class PacingPolicy:
    """When may this lane send next? Delays between sends, rests between batches, and whatever
    LaneConstraints say. Pure: history, NOW and RNG come in, a Slot or a new history goes out."""

    delay: DelayRange
    batch: CountRange | None = None
    rest: DelayRange | None = None

    @property
    def rests(self) -> bool:
        return self.batch is not None and self.rest is not None

    def next_slot(self, history: LaneHistory, now, rng: random.Random, constraints: tuple[LaneConstraints, ...] = ()) -> Slot:
        from datetime import timedelta

        multiplier = max([1.0] + [c.delay_multiplier for c in constraints])
        at, reason = now, "now"
        if history.last_send is not None:
            at, reason = history.last_send + timedelta(seconds=self.delay.draw(rng) * multiplier), "delay"
        if history.rest_until is not None and history.rest_until > at:
            at, reason = history.rest_until, "rest"
        for c in constraints:
            if c.rest_until is not None and c.rest_until > at:
                at, reason = c.rest_until, c.reason or "rest"
        return Slot(max(at, now), reason, _merge(constraints))

    def after_send(self, history: LaneHistory, now, rng: random.Random) -> LaneHistory:
        """The history once a send went out at NOW: one more in the batch, and a rest drawn when
        the batch is full (a new batch size is drawn with it)."""
        if not self.rests:
            return LaneHistory(last_send=now)
        target = history.batch_target or self.batch.draw(rng)
        count = history.sent_in_batch + 1
        if count < target:
            return LaneHistory(now, count, target, history.rest_until)
        from datetime import timedelta

        return LaneHistory(now, 0, self.batch.draw(rng), now + timedelta(seconds=self.rest.draw(rng)))

    def started(self, history: LaneHistory, rng: random.Random) -> LaneHistory:
        """HISTORY with a batch size drawn when it has none yet (a lane's first run)."""
        if not self.rests or history.batch_target:
            return history
        return LaneHistory(history.last_send, history.sent_in_batch, self.batch.draw(rng), history.rest_until)


def _merge(constraints: tuple[LaneConstraints, ...]) -> LaneConstraints:
    if not constraints:
        return LaneConstraints()
    return LaneConstraints(
        delay_multiplier=max(c.delay_multiplier for c in constraints),
        rest_until=max((c.rest_until for c in constraints if c.rest_until is not None), default=None),
        new_chats=all(c.new_chats for c in constraints),
        reason="; ".join(c.reason for c in constraints if c.reason),
    )
