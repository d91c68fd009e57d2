"""How long a campaign will take: lanes in parallel, each paced by the delay plan, its typing
pauses, its daily cap and (when given) the sending window. Pure: `now` passed in."""

from __future__ import annotations

import heapq
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
    # Warm-up: the caps of its next sending days, today first (then cap_per_day on).
    ramp: tuple[int, ...] = ()

    def cap_on(self, sending_day: int) -> int:
        """The cap on the lane's SENDING_DAY-th day of sending from now (0: today)."""
        return self.ramp[sending_day] if sending_day < len(self.ramp) else self.cap_per_day


def lane_finish(load: LaneLoad, now: datetime, window: Window | None = None) -> datetime:
    """When a lane alone sends its last message. NOW is aware, in the campaign's timezone."""
    return _finishes([load], now, window)[0] or now


def estimate_seconds(loads: list[LaneLoad], now: datetime, window: Window | None = None) -> float:
    """Seconds until the last lane is done (0 for an empty campaign). As the run does, a lane that
    reaches its daily cap hands what it has left to lanes with room today (failover of capped
    sessions), so days are counted only when every lane is capped."""
    finishes = [f for f, load in zip(_finishes(loads, now, window), loads) if f is not None]
    return max(((f - now).total_seconds() for f in finishes), default=0.0)


def _finishes(loads: list[LaneLoad], now: datetime, window: Window | None) -> list[datetime | None]:
    """Each lane's last send (None for a lane that sends nothing), lanes in parallel, period by
    period (a day, or a window opening)."""
    n = len(loads)
    left = [load.count for load in loads]
    used = [load.sent_today for load in loads]
    cap = [load.cap_on(0) for load in loads]
    sending_day = [0] * n
    step = [max(load.seconds_per_message, 1e-6) for load in loads]
    done: list[datetime | None] = [None] * n
    t, day = now, now.date()
    ready = [now] * n  # each lane's next send at the earliest: its delay runs on across midnight
    for _ in range(100_000):  # bounded: one turn per day or window opening
        if sum(left) <= 0:
            break
        if window is not None:
            t = window.next_open(t)
        if t.date() != day:
            for i in range(n):  # a day on which the lane sent is one step up its warm-up ramp
                if used[i]:
                    sending_day[i] += 1
                    cap[i] = loads[i].cap_on(sending_day[i])
            day, used = t.date(), [0] * n
        day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=t.tzinfo)
        period_end = min(day_end, window.closes_at(t)) if window is not None else day_end
        start = [max(t, ready[i]) for i in range(n)]
        seconds = [(period_end - start[i]).total_seconds() - 1e-9 for i in range(n)]
        room = [max(0, min(cap[i] - used[i], int(seconds[i] // step[i]) + 1)) if seconds[i] >= 0 else 0 for i in range(n)]
        sends = [min(left[i], room[i]) for i in range(n)]
        # What a capped lane cannot send today moves, one message at a time, to the lane that would
        # send it soonest; what only the closing window holds back waits for the next opening.
        over = [left[i] - sends[i] if used[i] + sends[i] >= cap[i] else 0 for i in range(n)]
        spare = [((start[i] - t).total_seconds() + sends[i] * step[i], i) for i in range(n) if room[i] > sends[i]]
        heapq.heapify(spare)
        moved = 0
        while moved < sum(over) and spare:
            at, i = heapq.heappop(spare)
            sends[i] += 1
            left[i] += 1  # taken over from a capped lane (removed from it below)
            moved += 1
            if sends[i] < room[i]:
                heapq.heappush(spare, (at + step[i], i))
        for i in range(n):
            give = min(over[i], moved)
            left[i] -= give
            moved -= give
            if sends[i]:
                done[i] = start[i] + timedelta(seconds=step[i] * (sends[i] - 1))
                ready[i] = done[i] + timedelta(seconds=step[i])
                used[i] += sends[i]
                left[i] -= sends[i]
        t = period_end
    return done


def human_duration(seconds: float) -> str:
    """`45s`, `12m 30s`, `3h 05m`, `2d 04h`."""
    from nexus_blast.i18n import _

    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return _("{s}s").format(s=seconds)
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return _("{m}m {s:02d}s").format(m=minutes, s=s)
    hours, m = divmod(minutes, 60)
    if hours < 48:
        return _("{h}h {m:02d}m").format(h=hours, m=m)
    days, h = divmod(hours, 24)
    return _("{d}d {h:02d}h").format(d=days, h=h)
