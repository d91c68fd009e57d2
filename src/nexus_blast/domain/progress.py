"""A running campaign's pace, for the scheduler's progress lines: messages settled per minute since
the run began and the time the pending ones would take at that pace. Pure (the elapsed time is given)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pace:
    per_minute: float  # messages settled (sent, failed, skipped) per minute in this run
    eta_seconds: float | None  # pending / pace; None while nothing has settled yet


def pace(settled_at_start: int, settled_now: int, pending: int, elapsed_seconds: float) -> Pace:
    """The pace of a run that found SETTLED_AT_START messages done, has SETTLED_NOW done and PENDING
    left after ELAPSED_SECONDS."""
    done = max(0, settled_now - settled_at_start)
    if elapsed_seconds <= 0 or done == 0:
        return Pace(0.0, 0.0 if pending <= 0 else None)
    per_minute = done * 60.0 / elapsed_seconds
    return Pace(per_minute, max(0, pending) * 60.0 / per_minute)
