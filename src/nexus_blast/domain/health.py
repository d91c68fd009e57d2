"""What `session list` says about a session's health: its live status and at most one short
reason, recomputed from today's settings rather than repeated from an old note. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from nexus_blast.i18n import _, transform

SHORT = 90  # a reason longer than this is cut with '…' (the table must keep the phone visible)


@dataclass(frozen=True)
class Note:
    """A stored health note (session_health): what a run last saw of the session."""

    status: str  # UNHEALTHY | TIMELOCKED | CAPPED | UNUSABLE | WORKING | a WAHA status
    healthy: bool
    reason: str
    updated_at: str  # ISO UTC


@dataclass(frozen=True)
class Health:
    reason: str  # "" when nothing is worth saying
    stale: bool  # the stored note no longer holds (to clear it)


def short(text: str, limit: int = SHORT) -> str:
    """TEXT on one line, cut at LIMIT characters (a translated message keeps its English, cut alike)."""
    return transform(text, lambda t: _short(t, limit))


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def session_health(
    live_status: str, live_error: str, note: Note | None, *, sent_today: int, cap: int, today_start: str,
    last_sent_at: str | None,
) -> Health:
    """The one reason to show beside LIVE_STATUS (what the server says now). A session that is not
    WORKING: its probe's error. A WORKING one: its daily cap when today's sends reach today's CAP;
    a timelock seen today and not followed by a successful send; nothing else (a note about an
    earlier outage is stale: the probe just succeeded)."""
    stale = False
    if note is not None and not note.healthy and live_status == "WORKING":
        current_timelock = (
            note.status == "TIMELOCKED" and note.updated_at >= today_start
            and not (last_sent_at and last_sent_at > note.updated_at)
        )
        stale = not current_timelock
    if live_status != "WORKING":
        return Health(short(live_error), stale)
    if sent_today >= cap:
        return Health(_("daily cap of {cap} reached").format(cap=cap), stale)
    if note is not None and not note.healthy and not stale:
        return Health(short(note.reason), False)
    return Health("", stale)
