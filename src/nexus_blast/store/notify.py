"""Operator notifications: the one-per-interval claims and each channel's last delivery (m013)."""

from __future__ import annotations

from datetime import datetime, timedelta

from nexus_blast.store.db import iso


def _conn(db):
    return getattr(db, "conn", db)


def claim(db, campaign_id: int, kind: str, reason: str, now: datetime, min_interval: float) -> str | None:
    """Take the right to send CAMPAIGN_ID's KIND notification now: None when one was sent less than
    MIN_INTERVAL seconds ago (by any process), else the previous claim's time ('' for the first), to
    give back with `release` if nothing could be delivered. One conditional statement: two processes
    never both win."""
    conn = _conn(db)
    row = conn.execute("SELECT sent_at FROM notifications WHERE campaign_id = ? AND kind = ?", (campaign_id, kind)).fetchone()
    before = iso(now - timedelta(seconds=min_interval))
    cursor = conn.execute(
        """INSERT INTO notifications (campaign_id, kind, sent_at, reason) VALUES (?, ?, ?, ?)
           ON CONFLICT (campaign_id, kind) DO UPDATE SET sent_at = excluded.sent_at, reason = excluded.reason
           WHERE notifications.sent_at <= ?""",
        (campaign_id, kind, iso(now), reason, before),
    )
    if cursor.rowcount != 1:
        return None
    return row[0] if row else ""


def release(db, campaign_id: int, kind: str, previous: str) -> None:
    """Undo a claim whose notification reached no one (the next event may try again)."""
    conn = _conn(db)
    if previous:
        conn.execute("UPDATE notifications SET sent_at = ? WHERE campaign_id = ? AND kind = ?", (previous, campaign_id, kind))
    else:
        conn.execute("DELETE FROM notifications WHERE campaign_id = ? AND kind = ?", (campaign_id, kind))


def last_sent(db, campaign_id: int, kind: str) -> str | None:
    row = _conn(db).execute("SELECT sent_at FROM notifications WHERE campaign_id = ? AND kind = ?", (campaign_id, kind)).fetchone()
    return row[0] if row else None


def channel_last(db, channel: str) -> str | None:
    row = _conn(db).execute("SELECT last_at FROM notify_channels WHERE channel = ?", (channel,)).fetchone()
    return row[0] if row else None


def channel_used(db, channel: str, at: datetime) -> None:
    _conn(db).execute(
        "INSERT INTO notify_channels (channel, last_at) VALUES (?, ?) ON CONFLICT (channel) DO UPDATE SET last_at = excluded.last_at",
        (channel, iso(at)),
    )
