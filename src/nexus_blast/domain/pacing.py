"""Pacing: delay ranges between a session's sends, drawn at random (pure; rng passed in)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from nexus_blast.domain.numbers import parse_decimal  # `30,5` as typed in Brazil, or `30.5`

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
        raise ValueError("delay is empty (give MIN-MAX in seconds, e.g. 30-60)")
    parts = raw.split("-")
    try:
        if len(parts) == 1:
            low = high = parse_decimal(parts[0])
        elif len(parts) == 2:
            low, high = parse_decimal(parts[0]), parse_decimal(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"delay {raw!r} is not MIN-MAX in seconds (e.g. 30-60)") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"delay {raw!r} is not a finite number of seconds")
    if low < 0 or high < low:
        raise ValueError(f"delay {raw!r}: need 0 <= MIN <= MAX")
    if high > MAX_DELAY_SECONDS:
        raise ValueError(f"delay {raw!r}: at most {MAX_DELAY_SECONDS:g} seconds between two sends")
    return DelayRange(low, high)


def typing_pause(text: str, chars_per_second: float, cap: float = 8.0) -> float:
    """How long a human would type TEXT, capped so long messages don't stall a lane."""
    return min(cap, max(1.0, len(text) / chars_per_second))
