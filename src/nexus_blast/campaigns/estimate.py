"""How long a campaign will take: lanes in parallel, each paced by the delay plan, its typing
pauses, its daily cap and (when given) the sending window. Pure: `now` passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from nexus_blast.domain.window import Window

SEND_SECONDS = 0.3  # a send's own round trip, roughly


@dataclass(frozen=True)
class LaneLoad:
    count: int  # messages this lane will send
    seconds_per_message: float  # mean delay + send time (+ mean typing pause)
    cap_per_day: int
    sent_today: int = 0


def lane_finish(load: LaneLoad, now: datetime, window: Window | None = None) -> datetime:
    """When a lane sends its last message. NOW is aware, in the campaign's timezone."""
    t, left, used, day = now, load.count, load.sent_today, now.date()
    step = max(load.seconds_per_message, 1e-6)
    for _ in range(100_000):  # bounded: one turn per day or window opening
        if left <= 0:
            break
        if window is not None:
            t = window.next_open(t)
        if t.date() != day:
            day, used = t.date(), 0
        day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=t.tzinfo)
        if used >= load.cap_per_day:
            t = day_end
            continue
        period_end = min(day_end, _window_close(window, t)) if window is not None else day_end
        fits = max(1, int(((period_end - t).total_seconds() - 1e-9) // step) + 1)
        take = min(left, load.cap_per_day - used, fits)
        last = t + timedelta(seconds=step * (take - 1))
        left, used = left - take, used + take
        t = last if left == 0 else last + timedelta(seconds=step)
    return t


def estimate_seconds(loads: list[LaneLoad], now: datetime, window: Window | None = None) -> float:
    """Seconds until the last lane is done (0 for an empty campaign)."""
    finishes = [lane_finish(load, now, window) for load in loads if load.count > 0]
    return max(((f - now).total_seconds() for f in finishes), default=0.0)


def _window_close(window: Window, t: datetime) -> datetime:
    """The end of the window that is open at T."""
    day = t.date()
    if window.start < window.end:
        return datetime.combine(day, window.end, tzinfo=t.tzinfo)
    if t.timetz().replace(tzinfo=None) >= window.start:
        return datetime.combine(day + timedelta(days=1), window.end, tzinfo=t.tzinfo)
    return datetime.combine(day, window.end, tzinfo=t.tzinfo)


def human_duration(seconds: float) -> str:
    """`45s`, `12m 30s`, `3h 05m`, `2d 04h`."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {s:02d}s"
    hours, m = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {m:02d}m"
    days, h = divmod(hours, 24)
    return f"{days}d {h:02d}h"
