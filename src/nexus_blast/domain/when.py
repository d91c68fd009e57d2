"""`--at WHEN`: when a scheduled campaign starts (pure; `now` passed in, aware)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, tzinfo

_RELATIVE = re.compile(r"^\+\s*((?:\d+(?:\.\d+)?\s*[dhms]\s*)+)$", re.IGNORECASE)
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])", re.IGNORECASE)
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DAY_WORDS = {"today": 0, "hoje": 0, "tomorrow": 1, "amanha": 1, "amanhã": 1}
# How far ahead a campaign may be scheduled: a year covers any real plan, and a far date
# (9999-12-31, +99999999d) would overflow date arithmetic downstream.
MAX_AHEAD = timedelta(days=366)


def parse_when(text: str, now: datetime, tz: tzinfo) -> datetime:
    """An aware datetime strictly after NOW, from ISO 8601 (no offset = TZ), `HH:MM` (the next one),
    `tomorrow HH:MM` / `today HH:MM` (also `amanhã`, `hoje`) or `+2h`, `+1h30m`, `+45m`, `+1d`.
    Raises ValueError naming the problem (unparseable, in the past, or more than MAX_AHEAD away)."""
    raw = " ".join(text.strip().split())
    if not raw:
        raise ValueError("empty time")
    too_far = f"{text!r} is more than {MAX_AHEAD.days} days ahead"
    try:
        moment = _parse(raw, now.astimezone(tz), tz)
        if moment <= now:
            raise ValueError(f"{text!r} is in the past ({moment.isoformat(timespec='minutes')})")
        if moment - now > MAX_AHEAD:
            raise ValueError(too_far)
    except OverflowError:
        raise ValueError(too_far) from None
    return moment


def _parse(raw: str, now: datetime, tz: tzinfo) -> datetime:
    relative = _RELATIVE.match(raw)
    if relative:
        seconds = sum(float(n) * _UNIT[u.lower()] for n, u in _PART.findall(relative.group(1)))
        return now + timedelta(seconds=seconds)
    words = raw.lower().split(" ")
    if len(words) == 2 and words[0] in _DAY_WORDS:
        day = now.date() + timedelta(days=_DAY_WORDS[words[0]])
        return datetime.combine(day, _clock(words[1], raw), tzinfo=tz)
    if re.fullmatch(r"\d{1,2}(:\d{2}){1,2}|\d{1,2}h(\d{2})?", raw, re.IGNORECASE):
        candidate = datetime.combine(now.date(), _clock(raw, raw), tzinfo=tz)
        return candidate if candidate > now else candidate + timedelta(days=1)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"cannot read time {raw!r} (use ISO 8601 like 2026-11-25T09:00, 09:00, 'tomorrow 09:00' or +2h)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _clock(text: str, raw: str) -> time:
    """`09:00`, `9:00`, `09:00:30`, `9h`, `9h30`."""
    match = re.fullmatch(r"(\d{1,2})h(\d{2})?", text, re.IGNORECASE)
    try:
        if match:
            return time(int(match.group(1)), int(match.group(2) or 0))
        parts = [int(p) for p in text.split(":")]
        return time(*parts)
    except (ValueError, TypeError):
        raise ValueError(f"cannot read time of day in {raw!r}") from None
