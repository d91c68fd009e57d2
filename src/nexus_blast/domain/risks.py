"""Ban risks of a campaign, said before it sends: pure facts in, a list of `Risk` out."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import time
from typing import Literal

from nexus_blast.i18n import _

Level = Literal["warn", "high"]


@dataclass(frozen=True)
class Risk:
    """One risk: a stable `code` for scripts (`--json`), its `level`, and a human `message`."""

    code: str
    level: Level
    message: str

    def as_json(self) -> dict:
        return asdict(self)


SHORTENERS = frozenset({
    "bit.ly", "tinyurl.com", "goo.gl", "t.co", "ow.ly", "is.gd", "buff.ly", "cutt.ly", "rb.gy",
    "shorturl.at", "tiny.cc", "rebrand.ly", "s.id", "v.gd", "encurtador.com.br", "t.ly", "bl.ink",
})
_LINK = re.compile(r"\b(https?)://([^/\s?#:]+)", re.IGNORECASE)
SAFE_DELAY = 20.0  # seconds: WAHA's guide says 30-60; below 20 a lane looks like a bot
LATE_HOUR = time(20, 0)


@dataclass(frozen=True)
class CampaignFacts:
    """What the risk check looks at, gathered by the caller (campaigns/create.py)."""

    delay_low: float
    rests: bool  # rests between batches are on
    contacts: int  # messages to send
    without_chat: int  # of them, to phones no session of the campaign has a chat with
    identical: bool  # one text, no spintax, no placeholder: every message the same
    texts: tuple[str, ...]  # the templates (or AI variants) and the footer, for links
    has_optout: bool  # a footer, or an opt-out keyword in every text
    sunday: bool  # the window's days include Sunday (or no window)
    late: bool  # the window reaches past 20:00 (or no window)
    warmup: tuple[str, ...] = ()  # sessions still on their warm-up ramp
    days_needed: int = 1  # calendar days the estimate spans


def assess(facts: CampaignFacts, extra: tuple[Risk, ...] | list[Risk] = ()) -> list[Risk]:
    """The campaign's risks, most severe first. EXTRA: risks found elsewhere (the sessions' own
    signals, capping or timelock), appended as given."""
    risks: list[Risk] = []
    if facts.delay_low < SAFE_DELAY:
        level: Level = "high" if facts.delay_low < 5 else "warn"
        risks.append(Risk("delay_short", level, _("the delay between two sends starts at {low:g} s, below {safe:g} s").format(low=facts.delay_low, safe=SAFE_DELAY)))
    if not facts.rests:
        risks.append(Risk("no_rests", "warn", _("no rests between batches (sending.batch / sending.rest)")))
    if facts.warmup and facts.days_needed > 1:
        risks.append(Risk("warmup_days", "warn", _("sessions in warm-up ({names}): the campaign takes about {days} days").format(names=", ".join(facts.warmup), days=facts.days_needed)))
    if facts.contacts and facts.without_chat:
        share = facts.without_chat / facts.contacts
        if share >= 0.5:
            level = "high" if share >= 0.9 and facts.contacts >= 50 else "warn"
            risks.append(Risk("no_chat", level, _("{pct:.0%} of the contacts have no chat with any session").format(pct=share)))
    if facts.identical and facts.contacts > 1:
        risks.append(Risk("identical_text", "warn", _("every message is the same text (no spintax, no placeholder, one variant)")))
    for scheme, host in sorted({(m.group(1).lower(), m.group(2).lower()) for t in facts.texts for m in _LINK.finditer(t)}):
        if host.removeprefix("www.") in SHORTENERS:
            risks.append(Risk("short_link", "warn", _("link through a shortener ({host})").format(host=host)))
        elif scheme == "http":
            risks.append(Risk("http_link", "warn", _("link without https ({host})").format(host=host)))
    if not facts.has_optout:
        risks.append(Risk("no_optout", "warn", _("no opt-out line (sending.footer / --footer)")))
    if facts.sunday:
        risks.append(Risk("sunday", "warn", _("the sending days include Sunday")))
    if facts.late:
        risks.append(Risk("late_hours", "warn", _("the sending window reaches past 20:00")))
    risks.sort(key=lambda r: r.level != "high")
    return risks + list(extra)


def has_high(risks: list[Risk]) -> bool:
    return any(r.level == "high" for r in risks)
