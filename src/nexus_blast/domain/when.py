"""`--at WHEN`: when a scheduled campaign starts (pure; `now` passed in, aware).

The exact forms (ISO 8601, `HH:MM`, `9h`, `+2h`, `tomorrow 09:00`, `DD/MM[/YYYY] HH:MM`) are read
here, without imports; everything else in pt-BR or English (`segunda 09:00`, `sexta 14h30`, `next
monday 09:00`, `in 2 hours`) goes to dateparser, imported only then (~65-90 ms)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from nexus_blast import i18n
from nexus_blast.i18n import N_, _

_DURATION = r"((?:\d+(?:\.\d+)?\s*(?:d|h|min|m|s)\s*)+)"
_RELATIVE = re.compile(r"^\+\s*" + _DURATION + "$", re.IGNORECASE)
_IN = re.compile(r"^(?:in|em|daqui\s+a|dentro\s+de)\s+" + _DURATION + "$", re.IGNORECASE)
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|min|m|s)", re.IGNORECASE)
_UNIT = {"d": 86400, "h": 3600, "min": 60, "m": 60, "s": 1}
_DAY_WORDS = {"today": 0, "hoje": 0, "tomorrow": 1, "amanha": 1, "amanhã": 1}
_CLOCK = r"\d{1,2}(?::\d{2}){1,2}|\d{1,2}h(?:\d{2})?"
# Day first, as Brazilians write it: 07/12/2026 09:00, 07/12 9h, 7/12/26 14h30.
_DAY_MONTH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?(?:\s+(?:at\s+|às\s+|as\s+)?(" + _CLOCK + "))?$", re.IGNORECASE)
# Weekday words (pt-BR, English): on that very weekday, `segunda 09:00` could be today or in a week.
_WEEKDAYS = {
    0: ("segunda", "seg", "monday", "mon"), 1: ("terça", "terca", "ter", "tuesday", "tue", "tues"),
    2: ("quarta", "qua", "wednesday", "wed"), 3: ("quinta", "qui", "thursday", "thu", "thurs"),
    4: ("sexta", "sex", "friday", "fri"), 5: ("sábado", "sabado", "sáb", "sab", "saturday", "sat"),
    6: ("domingo", "dom", "sunday", "sun"),
}
_DAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
# Phrasings dateparser does not know, said in ones it does.
_REWRITES = (
    (re.compile(r"\bdaqui\s+a\b", re.IGNORECASE), "em"),
    (re.compile(r"\bpr[óo]xim[oa]\s+", re.IGNORECASE), ""),
    (re.compile(r"(-feira)?\s+que\s+vem\b", re.IGNORECASE), ""),
    (re.compile(r"-feira\b", re.IGNORECASE), ""),
)
# How far ahead a campaign may be scheduled: a year covers any real plan, and a far date
# (9999-12-31, +99999999d) would overflow date arithmetic downstream.
MAX_AHEAD = timedelta(days=366)
# `DD/MM` without a year names the next such day, unless it passed this recently (a late or
# mistyped date is refused as past, not moved to next year).
RECENT_PAST = timedelta(days=183)
FORMS = "ISO 8601 like 2026-11-25T09:00, 09:00, 9h, 'amanhã 9h', 'segunda 09:00', '07/12 9h', 'in 2 hours' or +2h"


def understood(moment: datetime) -> str:
    """MOMENT as the error and confirmation messages say it: `Monday 2026-11-30 09:00 -03`."""
    day, when, zone = _(_DAY_NAMES[moment.weekday()]), i18n.moment(moment), moment.tzname()
    if zone:
        return _("{day} {moment} {zone}").format(day=day, moment=when, zone=zone)
    return _("{day} {moment}").format(day=day, moment=when)


def parse_when(text: str, now: datetime, tz: tzinfo) -> datetime:
    """An aware datetime strictly after NOW, from ISO 8601 (no offset = TZ), `HH:MM`/`9h`/`14h30`
    (the next one), `tomorrow HH:MM` / `today HH:MM` (also `amanhã`, `hoje`), `+2h`, `+1h30m`,
    `in 2h`, `DD/MM[/YYYY] HH:MM` (day first) or words in pt-BR/English (`segunda 09:00`, `next
    monday 09:00`, `in 2 hours`). Raises ValueError naming the problem (unparseable, ambiguous, in
    the past, or more than MAX_AHEAD away) and, when it read one, the time it understood."""
    raw = " ".join(text.strip().split())
    if not raw:
        raise ValueError(_("empty time"))
    too_far = _("{text!r} is more than {days} days ahead").format(text=text, days=MAX_AHEAD.days)
    try:
        moment = _parse(raw, now.astimezone(tz), tz)
        if moment <= now:
            raise ValueError(_("{text!r} is in the past (understood {when})").format(text=text, when=understood(moment.astimezone(tz))))
        if moment - now > MAX_AHEAD:
            raise ValueError(_("{text!r} is more than {days} days ahead (understood {when})").format(
                text=text, days=MAX_AHEAD.days, when=understood(moment.astimezone(tz))))
    except OverflowError:
        raise ValueError(too_far) from None
    return moment


def _parse(raw: str, now: datetime, tz: tzinfo) -> datetime:
    relative = _RELATIVE.match(raw) or _IN.match(raw)
    if relative:
        seconds = sum(float(n) * _UNIT[u.lower()] for n, u in _PART.findall(relative.group(1)))
        return now + timedelta(seconds=seconds)
    words = raw.lower().split(" ")
    if len(words) == 2 and words[0] in _DAY_WORDS and re.fullmatch(_CLOCK, words[1], re.IGNORECASE):
        day = now.date() + timedelta(days=_DAY_WORDS[words[0]])
        return _at(day, _clock(words[1], raw), tz)
    if re.fullmatch(_CLOCK, raw, re.IGNORECASE):
        candidate = _at(now.date(), _clock(raw, raw), tz)
        return candidate if candidate > now else _at(now.date() + timedelta(days=1), _clock(raw, raw), tz)
    day_month = _DAY_MONTH.match(raw)
    if day_month:
        return _day_month(raw, day_month, now, tz)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return _natural(raw, now, tz)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _at(day: date, clock: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def _day_month(raw: str, match: re.Match, now: datetime, tz: tzinfo) -> datetime:
    day, month, year, clock = match.groups()
    if clock is None:
        raise ValueError(_("{raw!r} has no time of day: add one, e.g. '{raw} 09:00'").format(raw=raw))
    at = _clock(clock, raw)
    try:
        if year is not None:
            full = int(year) + (2000 if len(year) == 2 else 0)
            return _at(date(full, int(month), int(day)), at, tz)
        moment = _at(date(now.year, int(month), int(day)), at, tz)
        if moment <= now and now - moment > RECENT_PAST:
            moment = _at(date(now.year + 1, int(month), int(day)), at, tz)
        return moment
    except ValueError:
        raise ValueError(_("{raw!r}: no such date (day first: DD/MM/YYYY HH:MM)").format(raw=raw)) from None


def _natural(raw: str, now: datetime, tz: tzinfo) -> datetime:
    """Words in pt-BR or English, through dateparser, in the local wall time of NOW."""
    text = re.sub(r"\b(\d{1,2})h(\d{2})?\b", lambda m: f"{int(m.group(1)):02d}:{m.group(2) or '00'}", raw)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    from dateparser.date import DateDataParser  # ~65-90 ms: only for the forms above

    base = now.replace(tzinfo=None)
    parser = DateDataParser(languages=["pt", "en"], settings={
        "RELATIVE_BASE": base, "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY", "RETURN_TIME_AS_PERIOD": True,
    })
    found = parser.get_date_data(text)
    if found is None or found.date_obj is None:
        raise ValueError(_("cannot read time {raw!r} (use {forms})").format(raw=raw, forms=FORMS))
    moment = found.date_obj.replace(tzinfo=None).replace(tzinfo=tz)
    if found.period in ("week", "month", "year"):
        raise ValueError(_("{raw!r} is ambiguous (understood {when}): give a day and a time").format(raw=raw, when=understood(moment)))
    if found.period != "time" and moment.time() == time(0):
        raise ValueError(_("{raw!r} has no time of day (understood {when}): add one, e.g. '{raw} 09:00'").format(
            raw=raw, when=understood(moment)))
    today = now.weekday()
    if any(re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE) for word in _WEEKDAYS[today]) and moment.date() != now.date():
        raise ValueError(_("{raw!r} is ambiguous: today is {day} (understood {when}); say 'hoje'/'today' "
                           "or give the date, e.g. '{date} {clock}'").format(
            raw=raw, day=_(_DAY_NAMES[today]), when=understood(moment), date=f"{moment:%d/%m}", clock=f"{moment:%H:%M}"))
    return moment


def _clock(text: str, raw: str) -> time:
    """`09:00`, `9:00`, `09:00:30`, `9h`, `9h30`."""
    match = re.fullmatch(r"(\d{1,2})h(\d{2})?", text, re.IGNORECASE)
    try:
        if match:
            return time(int(match.group(1)), int(match.group(2) or 0))
        parts = [int(p) for p in text.split(":")]
        return time(*parts)
    except (ValueError, TypeError):
        raise ValueError(_("cannot read time of day in {raw!r}").format(raw=raw)) from None
