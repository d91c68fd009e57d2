"""WhatsApp's signals, lane limits and brakes per session, and the log of their changes (SQL)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from nexus_blast.domain.brake import SendRecord
from nexus_blast.store.db import utcnow


@dataclass(frozen=True)
class LaneEvent:
    """One change of a lane's limits: `kind` is the limits' code (timelock, capped, brake, …),
    `cleared` when they lifted, or `signal_problem`."""

    id: int
    session: str
    campaign_id: int | None
    kind: str
    reason: str
    until: str | None
    at: str

    def as_json(self) -> dict:
        return {"id": self.id, "session": self.session, "campaign": self.campaign_id, "kind": self.kind,
                "reason": self.reason, "until": self.until, "at": self.at}


def _conn(db):
    return getattr(db, "conn", db)


def _upsert(db, session: str, **values) -> None:
    values["updated_at"] = utcnow()
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    updates = ", ".join(f"{k} = excluded.{k}" for k in values)
    _conn(db).execute(
        f"INSERT INTO session_signals (session, {names}) VALUES (?, {marks}) ON CONFLICT (session) DO UPDATE SET {updates}",
        (session, *values.values()),
    )


def save_signals(db, session: str, *, signals: dict, code: str, reason: str, until: str | None,
                 checked_at: str, problem: str = "") -> None:
    """The last reading of SESSION's signals and the limits they impose."""
    _upsert(db, session, signals=json.dumps(signals), code=code, reason=reason, until=until,
            checked_at=checked_at, problem=problem)


def save_problem(db, session: str, problem: str, checked_at: str) -> None:
    _upsert(db, session, problem=problem, checked_at=checked_at)


def save_brake(db, session: str, *, reason: str, braked_at: str, until: str | None) -> None:
    _upsert(db, session, brake_reason=reason, braked_at=braked_at, brake_until=until)


def states(db) -> dict[str, dict]:
    """{session: its stored signals, limits and brake} (`signals` decoded)."""
    rows = _conn(db).execute(
        "SELECT session, signals, code, reason, until, checked_at, problem, brake_reason, braked_at, brake_until "
        "FROM session_signals"
    ).fetchall()
    out = {}
    for row in rows:
        try:
            signals = json.loads(row[1] or "{}")
        except ValueError:
            signals = {}
        out[row[0]] = {
            "signals": signals, "code": row[2], "reason": row[3], "until": row[4], "checked_at": row[5],
            "problem": row[6], "brake_reason": row[7], "braked_at": row[8], "brake_until": row[9],
        }
    return out


def add_event(db, session: str, kind: str, *, reason: str = "", until: str | None = None,
              campaign_id: int | None = None, at: str | None = None) -> int:
    cur = _conn(db).execute(
        "INSERT INTO lane_events (session, campaign_id, kind, reason, until, at) VALUES (?, ?, ?, ?, ?, ?)",
        (session, campaign_id, kind, reason, until, at or utcnow()),
    )
    return int(cur.lastrowid)


def events_since(db, after_id: int = 0, *, kinds: tuple[str, ...] | None = None,
                 campaign_id: int | None = None, limit: int = 1000) -> list[LaneEvent]:
    """Lane events with id > AFTER_ID, oldest first (a notifier keeps the last id it handled):
    e.g. `events_since(db, last, kinds=("brake", "timelock"))`."""
    sql = "SELECT id, session, campaign_id, kind, reason, until, at FROM lane_events WHERE id > ?"
    args: list = [after_id]
    if kinds:
        sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
        args += list(kinds)
    if campaign_id is not None:
        sql += " AND campaign_id = ?"
        args.append(campaign_id)
    sql += " ORDER BY id LIMIT ?"
    args.append(limit)
    return [LaneEvent(*row) for row in _conn(db).execute(sql, args).fetchall()]


def recent_sends(db, session: str, *, since: str | None, limit: int) -> list[SendRecord]:
    """SESSION's last LIMIT sends (sent or failed, attempts begun after SINCE), newest first."""
    # Sent ones along messages_session_status_sent (session, status, sent_at), failed ones along
    # messages_session_failed (session, sending_at): both newest first, at most LIMIT of each (m015).
    rows = _conn(db).execute(
        """SELECT sent_at, status, sent_at, ack, delivered_at FROM messages
           WHERE session = ? AND status = 'sent' AND sent_at > ? AND sent_at IS NOT NULL
           ORDER BY sent_at DESC LIMIT ?""",
        (session, since or "", limit),
    ).fetchall()
    rows += _conn(db).execute(
        """SELECT sending_at, status, sent_at, ack, delivered_at FROM messages
           WHERE session = ? AND status = 'failed' AND sending_at > ? ORDER BY sending_at DESC LIMIT ?""",
        (session, since or "", limit),
    ).fetchall()
    rows.sort(key=lambda row: row[0], reverse=True)
    out = []
    for _at, status, sent_at, ack, delivered_at in rows[:limit]:
        if delivered_at is not None:
            ack = max(ack or 0, 2)
        out.append(SendRecord(failed=status == "failed", sent_at=_parse(sent_at), ack=ack))
    return out


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
