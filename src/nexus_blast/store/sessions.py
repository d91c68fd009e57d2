"""Per-session figures from the database: messages sent today, health notes."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from nexus_blast.store.campaigns import uncounted_sent
from nexus_blast.store.db import iso


def today_bounds(timezone: str, now: datetime) -> tuple[str, str]:
    """[start, end) of NOW's calendar day in TIMEZONE, as stored (ISO UTC) timestamps."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    start = datetime.combine(local.date(), time(0), tzinfo=zone)
    end = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    return iso(start), iso(end)


def sent_today_counts(db, timezone: str, now: datetime) -> dict[str, int]:
    """{local session name: messages with status 'sent' today (in TIMEZONE)}: the day counters
    (session_day_counts, m005), plus messages sent today that no counter holds (moved before m005)."""
    start, end = today_bounds(timezone, now)
    conn = getattr(db, "conn", db)
    out = uncounted_sent(conn, start, end)
    for session, sent in conn.execute("SELECT session, sent FROM session_day_counts WHERE day = ?", (start,)):
        if sent:
            out[session] = out.get(session, 0) + sent
    return out


def health_notes(db) -> dict[str, dict]:
    """{local session name: {"healthy", "reason", "until", "updated_at", "status"}} from the last health record."""
    rows = db.execute("SELECT session, healthy, reason, until, updated_at, status FROM session_health").fetchall()
    return {
        row[0]: {"healthy": bool(row[1]), "reason": row[2], "until": row[3], "updated_at": row[4], "status": row[5]}
        for row in rows
    }


def last_sent_at(db, sessions: list[str]) -> dict[str, str]:
    """{session: ISO UTC of its newest sent message}. Only a send sets sent_at, with status 'sent';
    a confirm-first question closed unanswered keeps it as 'skipped': one max per status, each
    read at the end of its range in messages_session_status_sent (session, status, sent_at)."""
    conn = getattr(db, "conn", db)
    out = {}
    for name in sessions:
        newest = [row[0] for row in conn.execute(_LAST_SENT, (name, name)) if row[0]]
        if newest:
            out[name] = max(newest)
    return out


# `sent_at IS NOT NULL`: messages_session_status_sent holds only sent messages (m015, partial)
_LAST_SENT = """SELECT max(sent_at) FROM messages WHERE session = ? AND status = 'sent' AND sent_at IS NOT NULL
                UNION ALL SELECT max(sent_at) FROM messages WHERE session = ? AND status = 'skipped' AND sent_at IS NOT NULL"""


def clear_health(db, session: str) -> None:
    """SESSION's note no longer holds (a probe found it WORKING): it is healthy again."""
    conn = getattr(db, "conn", db)
    conn.execute(
        "UPDATE session_health SET status = 'WORKING', healthy = 1, reason = '', until = NULL, updated_at = ? WHERE session = ?",
        (iso(datetime.now(ZoneInfo("UTC"))), session),
    )
