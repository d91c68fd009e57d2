"""Sending windows: hours and weekdays when messages may go out (pure; `now` passed in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
END_OF_DAY = time.max  # "24:00"


def parse_window(text: str) -> tuple[time, time]:
    """`"08:00-20:00"`; the end may be before the start (window crosses midnight); `24:00` is the
    end of the day (`"00:00-24:00"`: all day)."""
    try:
        start_s, end_s = (p.strip() for p in text.split("-"))
        start = time.fromisoformat(start_s)
        end = END_OF_DAY if end_s in ("24:00", "24:00:00") else time.fromisoformat(end_s)
    except ValueError:
        raise ValueError(f"window {text!r} is not HH:MM-HH:MM") from None
    if start == end:
        raise ValueError(f"window {text!r} is empty")
    return start, end


def parse_days(text: str) -> frozenset[int]:
    """`"mon-sat"`, `"mon,wed,fri"`, `"sat-mon"` (wraps) → weekday numbers (Monday = 0)."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        if not part:
            continue
        ends = part.split("-")
        if len(ends) > 2 or any(e not in DAY_NAMES for e in ends):
            raise ValueError(f"days {text!r}: use mon..sun, ranges and commas (e.g. mon-sat)")
        first, last = DAY_NAMES.index(ends[0]), DAY_NAMES.index(ends[-1])
        day = first
        while True:
            days.add(day)
            if day == last:
                break
            day = (day + 1) % 7
    if not days:
        raise ValueError(f"days {text!r} is empty")
    return frozenset(days)


@dataclass(frozen=True)
class Window:
    """When sending is allowed, in local wall-clock time."""

    start: time
    end: time
    days: frozenset[int]

    @classmethod
    def parse(cls, window: str, days: str) -> Window:
        start, end = parse_window(window)
        return cls(start, end, parse_days(days))

    def is_open(self, now: datetime) -> bool:
        """NOW must be aware and in the window's timezone. A window crossing midnight belongs to
        the day it opens on."""
        t = now.timetz().replace(tzinfo=None)
        if self.start < self.end:
            return now.weekday() in self.days and self.start <= t and (t < self.end or self.end == END_OF_DAY)
        if t >= self.start:
            return now.weekday() in self.days
        if t < self.end:
            return (now.weekday() - 1) % 7 in self.days
        return False

    def next_open(self, now: datetime) -> datetime:
        """NOW itself when open, else the next opening (same timezone as NOW)."""
        if self.is_open(now):
            return now
        for offset in range(0, 8):
            day = (now + timedelta(days=offset)).date()
            candidate = datetime.combine(day, self.start, tzinfo=now.tzinfo)
            if candidate > now and candidate.weekday() in self.days:
                return candidate
        raise ValueError("window never opens")  # unreachable: parse_days rejects empty sets


def next_day_start(now: datetime) -> datetime:
    """Local midnight after NOW (aware, in the zone daily caps are counted in)."""
    return datetime.combine((now + timedelta(days=1)).date(), time(0, 0), tzinfo=now.tzinfo)
