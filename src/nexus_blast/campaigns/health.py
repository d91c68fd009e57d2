"""Sessions' health as `session list` and `send`'s pre-flight report it: the live probe decides,
the stored notes (session_health) only add what still holds today, and a note a successful probe
or send has outdated is cleared."""

from __future__ import annotations

from datetime import datetime

from nexus_blast.domain.health import Note, session_health
from nexus_blast.store import sessions as store


def current_reasons(settings, db, views, now: datetime, sent_today: dict[str, int]) -> dict[str, str]:
    """{session: its one short reason ('' for none)} for the probed VIEWS (waha.sessions.SessionView)."""
    start, _ = store.today_bounds(settings.general.timezone, now)
    notes = store.health_notes(db)
    last = store.last_sent_at(db, [v.name for v in views])
    out = {}
    for view in views:
        row = notes.get(view.name)
        note = Note(row.get("status", ""), row["healthy"], row["reason"], row["updated_at"]) if row else None
        cap = settings.sessions[view.name].daily_cap or settings.sending.daily_cap
        health = session_health(
            view.status, view.error, note, sent_today=sent_today.get(view.name, 0), cap=cap, today_start=start,
            last_sent_at=last.get(view.name),
        )
        if health.stale:
            store.clear_health(db, view.name)
        out[view.name] = health.reason
    return out
