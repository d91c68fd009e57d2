"""What pacing keeps in the database: each lane's batch and rest (m008), and the days on which a
session sent (session_day_counts, m005) from which its warm-up is derived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from nexus_blast.store.db import iso


@dataclass(frozen=True)
class LaneRest:
    sent_in_batch: int = 0
    batch_target: int | None = None
    rest_until: datetime | None = None  # aware, UTC


def _conn(db):
    return getattr(db, "conn", db)


def get_lane_rest(db, campaign_id: int, session: str) -> LaneRest:
    row = _conn(db).execute(
        "SELECT sent_in_batch, batch_target, rest_until FROM lane_rests WHERE campaign_id = ? AND session = ?",
        (campaign_id, session),
    ).fetchone()
    if row is None:
        return LaneRest()
    until = datetime.fromisoformat(row[2]) if row[2] else None
    return LaneRest(int(row[0]), row[1], until)


def put_lane_rest(db, campaign_id: int, session: str, rest: LaneRest) -> None:
    _conn(db).execute(
        """INSERT INTO lane_rests (campaign_id, session, sent_in_batch, batch_target, rest_until, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (campaign_id, session) DO UPDATE SET sent_in_batch = excluded.sent_in_batch,
               batch_target = excluded.batch_target, rest_until = excluded.rest_until, updated_at = excluded.updated_at""",
        (campaign_id, session, rest.sent_in_batch, rest.batch_target,
         iso(rest.rest_until) if rest.rest_until else None, iso(datetime.now(UTC))),
    )


def sending_days(db, session: str, timezone: str) -> list[date]:
    """The local days (in TIMEZONE) on which SESSION sent at least one message."""
    zone = ZoneInfo(timezone)
    rows = _conn(db).execute("SELECT day FROM session_day_counts WHERE session = ? AND sent > 0", (session,))
    return sorted({datetime.fromisoformat(r[0]).astimezone(zone).date() for r in rows})
