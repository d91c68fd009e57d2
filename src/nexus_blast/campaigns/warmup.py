"""Warm-up of each session: today's effective daily cap and ramp day, from the days on which it
sent (the database) and its settings; nothing is stored that could drift."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from nexus_blast.domain.pacing import Ramp, Warmup, ramp_today
from nexus_blast.store import pacing as pacing_store


def configured_cap(settings, name: str) -> int:
    return settings.sessions[name].daily_cap or settings.sending.daily_cap


def warmup_of(settings, name: str) -> Warmup | None:
    """The ramp SESSION follows (None: marked warm)."""
    config = settings.sessions[name]
    if config.warm:
        return None
    w = settings.warmup
    return Warmup(start=config.warmup_start or w.start, growth=w.growth, reset_after=w.reset_after)


def local_today(settings, now: datetime) -> date:
    return now.astimezone(ZoneInfo(settings.general.timezone)).date()


def ramp(settings, db, name: str, day: date) -> Ramp:
    """SESSION's effective cap and ramp day on local DAY."""
    days = pacing_store.sending_days(db, name, settings.general.timezone)
    return ramp_today(days, day, configured_cap(settings, name), warmup_of(settings, name))


def cap_for(settings, db, name: str):
    """A function local day → effective cap, for the sender's day roll."""
    return lambda day: ramp(settings, db, name, day).cap


def caps_ahead(settings, db, name: str, day: date, limit: int = 60) -> tuple[int, ...]:
    """The caps of SESSION's next sending days from DAY on, supposing it sends every day, up to
    the first day it is warm (the estimate's ramp)."""
    days = pacing_store.sending_days(db, name, settings.general.timezone)
    cap, warmup = configured_cap(settings, name), warmup_of(settings, name)
    out = []
    for offset in range(limit):
        r = ramp_today(days, day + timedelta(days=offset), cap, warmup)
        out.append(r.cap)
        if r.day is None:
            break
        days.append(day + timedelta(days=offset))
    return tuple(out)
