"""Sending windows: hours and weekdays when messages may go out (pure; `now` passed in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from nexus_blast.domain.problems import Problem
from nexus_blast.i18n import N_

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
        raise Problem(N_("window {text!r} is not HH:MM-HH:MM"), text=text) from None
    if start == end:
        raise Problem(N_("window {text!r} is empty"), text=text)
    return start, end


def parse_days(text: str) -> frozenset[int]:
    """`"mon-sat"`, `"mon,wed,fri"`, `"sat-mon"` (wraps) → weekday numbers (Monday = 0)."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        if not part:
            continue
        ends = part.split("-")
        if len(ends) > 2 or any(e not in DAY_NAMES for e in ends):
            raise Problem(N_("days {text!r}: use mon..sun, ranges and commas (e.g. mon-sat)"), text=text)
        first, last = DAY_NAMES.index(ends[0]), DAY_NAMES.index(ends[-1])
        day = first
        while True:
            days.add(day)
            if day == last:
                break
            day = (day + 1) % 7
    if not days:
        raise Problem(N_("days {text!r} is empty"), text=text)
    return frozenset(days)


# Brazil's federative units (general.state): the state holidays the calendar can add.
BRAZILIAN_STATES = frozenset(
    "AC AL AM AP BA CE DF ES GO MA MG MS MT PA PB PE PI PR RJ RN RO RR RS SC SE SP TO".split()
)


@dataclass(frozen=True)
class Window:
    """When sending is allowed, in local wall-clock time: hours (START-END, or a weekday's own in
    PER_DAY, Monday = 0), weekdays, and CLOSED dates (holidays: like a day outside DAYS)."""

    start: time
    end: time
    days: frozenset[int]
    per_day: tuple[tuple[int, time, time], ...] = ()
    closed: frozenset[date] = frozenset()

    @classmethod
    def parse(cls, window: str, days: str, per_day: dict[int, str] | None = None, closed=()) -> Window:
        start, end = parse_window(window)
        own = tuple(sorted((day, *parse_window(text)) for day, text in (per_day or {}).items() if text.strip()))
        return cls(start, end, parse_days(days), own, frozenset(closed))

    def hours(self, weekday: int) -> tuple[time, time]:
        """The window's (start, end) on WEEKDAY."""
        for day, start, end in self.per_day:
            if day == weekday:
                return start, end
        return self.start, self.end

    def sends_on(self, day: date) -> bool:
        """Whether a window opens on DAY (its weekday is allowed and it is not a closed date)."""
        return day.weekday() in self.days and day not in self.closed

    def is_open(self, now: datetime) -> bool:
        """NOW must be aware and in the window's timezone. A window crossing midnight belongs to
        the day it opens on."""
        t = now.timetz().replace(tzinfo=None)
        today = now.date()
        start, end = self.hours(today.weekday())
        if self.sends_on(today):
            if start < end and start <= t and (t < end or end == END_OF_DAY):
                return True
            if start > end and t >= start:
                return True
        yesterday = today - timedelta(days=1)
        y_start, y_end = self.hours(yesterday.weekday())
        return y_start > y_end and t < y_end and self.sends_on(yesterday)

    def next_open(self, now: datetime) -> datetime:
        """NOW itself when open, else the next opening (same timezone as NOW)."""
        if self.is_open(now):
            return now
        for offset in range(0, 7 + 31):  # a week, plus a run of closed dates
            day = (now + timedelta(days=offset)).date()
            candidate = datetime.combine(day, self.hours(day.weekday())[0], tzinfo=now.tzinfo)
            if candidate > now and self.sends_on(day):
                return candidate
        raise Problem(N_("window never opens"))

    def closes_at(self, moment: datetime) -> datetime:
        """The end of the window open at MOMENT (aware, same timezone)."""
        day = moment.date()
        t = moment.timetz().replace(tzinfo=None)
        start, end = self.hours(day.weekday())
        yesterday = day - timedelta(days=1)
        y_start, y_end = self.hours(yesterday.weekday())
        if y_start > y_end and t < y_end and self.sends_on(yesterday) and not (self.sends_on(day) and start < end and start <= t):
            return datetime.combine(day, y_end, tzinfo=moment.tzinfo)
        if start > end:
            return datetime.combine(day + timedelta(days=1), end, tzinfo=moment.tzinfo)
        if end == END_OF_DAY:  # "24:00": the next midnight, so that a day's estimate moves on
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=moment.tzinfo)
        return datetime.combine(day, end, tzinfo=moment.tzinfo)

    def latest_end(self) -> time | None:
        """The latest closing hour over the allowed weekdays (None when a window crosses midnight)."""
        ends = []
        for day in self.days:
            start, end = self.hours(day)
            if start > end:
                return None
            ends.append(end)
        return max(ends)


def next_day_start(now: datetime) -> datetime:
    """Local midnight after NOW (aware, in the zone daily caps are counted in)."""
    return datetime.combine((now + timedelta(days=1)).date(), time(0, 0), tzinfo=now.tzinfo)
