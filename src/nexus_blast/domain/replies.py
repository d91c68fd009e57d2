"""Replies to campaign messages (pure): what kind of chat wrote, what is kept of the text, and the
durations the reply settings are written in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from nexus_blast.domain.problems import Problem
from nexus_blast.i18n import N_

REPLY_CHARS = 160  # LGPD: only the first 160 characters of a reply are ever stored
SKEW_SECONDS = 120  # a message's own timestamp comes from the phone's clock

PERSON, LID, GROUP, BROADCAST, STATUS, NEWSLETTER, OTHER = "person", "lid", "group", "broadcast", "status", "newsletter", "other"
_DOMAINS = {"c.us": PERSON, "s.whatsapp.net": PERSON, "lid": LID, "g.us": GROUP, "newsletter": NEWSLETTER}


def chat_kind(chat_id: str) -> str:
    """`person` (`…@c.us`, `…@s.whatsapp.net`), `lid`, `group`, `broadcast`, `status`
    (`status@broadcast`), `newsletter`, else `other`."""
    user, _, domain = chat_id.strip().partition("@")
    if domain == "broadcast":
        return STATUS if user == "status" else BROADCAST
    return _DOMAINS.get(domain, OTHER)


def excerpt(body: str) -> str:
    """What is kept of a reply: its first REPLY_CHARS characters, surrounding blanks removed."""
    return body.strip()[:REPLY_CHARS]


_DURATION = re.compile(r"^(?:\s*\d+(?:\.\d+)?\s*[dhms]\s*)+$", re.IGNORECASE)
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])", re.IGNORECASE)
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str, *, minimum: float = 0.0, maximum: float = 366 * 86400) -> float:
    """Seconds in `72h`, `2h30m`, `3d`, `90m`, `45s`; ValueError naming the problem."""
    raw = str(text).strip()
    if not raw or not _DURATION.match(raw):
        raise Problem(N_("cannot read duration {text!r} (use e.g. 72h, 2h30m, 3d, 90m)"), text=text)
    seconds = sum(float(n) * _UNIT[u.lower()] for n, u in _PART.findall(raw))
    if seconds < minimum or seconds > maximum:
        raise Problem(N_("duration {text!r} must lie between {minimum:g}s and {days:g} days"), text=text, minimum=minimum,
                      days=maximum / 86400)
    return seconds


def reply_span(at_iso: str, window_seconds: float) -> tuple[str, str]:
    """The `sent_at` range (ISO UTC text, inclusive) of the messages a reply written at AT_ISO can
    answer: no older than the window, no later than the reply (give or take the phone's clock)."""
    at = datetime.fromisoformat(at_iso)
    since = at - timedelta(seconds=window_seconds)
    until = at + timedelta(seconds=SKEW_SECONDS)
    return since.isoformat(timespec="milliseconds"), until.isoformat(timespec="milliseconds")


def rate(part: int, whole: int) -> float:
    """PART's share of WHOLE, 0..1 rounded to 4 places (0.0 when WHOLE is 0), as delivered_rate is."""
    return round(part / whole, 4) if whole else 0.0
