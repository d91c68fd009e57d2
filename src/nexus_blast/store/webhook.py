"""SQL the webhook receiver needs beyond receipts' writes: finding the message an ack names (among
the messages of the sessions the event speaks for) and the last `session.status` applied per session."""

from __future__ import annotations

from dataclasses import dataclass

from nexus_blast.domain.receipts import Receipt


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    message_id: str
    receipt: Receipt


_COLUMNS = "id, message_id, ack, delivered_at, read_at, error"
# The stored id `true_<chat>_<id>` without `true_<chat>_`: exactly the expression of messages_bare_id.
BARE_ID = "substr(message_id, instr(substr(message_id, 6), '_') + 6)"


def find_by_message_ids(db, sessions: list[str], candidates: list[str], id_suffix: str | None = None) -> DeliveryRow | None:
    """The message sent by one of SESSIONS (local names) whose WAHA id is one of CANDIDATES, else
    (when given) the one `true_<chat>_<ID_SUFFIX>` — for acks that name the chat differently (@lid)
    than the send answer did. A message of another session is never found: receipts do not cross."""
    if not sessions:
        return None
    in_sessions = f"session IN ({','.join('?' * len(sessions))})"
    if candidates:
        marks = ",".join("?" * len(candidates))
        # `+session`: with two candidates or more SQLite would otherwise walk the session's index
        # entries (every message the session ever sent) instead of looking each id up
        row = db.conn.execute(
            f"SELECT {_COLUMNS} FROM messages WHERE message_id IN ({marks}) AND message_id IS NOT NULL "
            f"AND +{in_sessions} ORDER BY id LIMIT 1",
            [*candidates, *sessions],
        ).fetchone()
        if row is not None:
            return _delivery_row(row)
    if id_suffix:
        # messages_bare_id (m005; partial since m015: `message_id IS NOT NULL`) indexes the id part
        # after the chat: no scan of every message
        row = db.conn.execute(
            f"SELECT {_COLUMNS} FROM messages WHERE {BARE_ID} = ? AND message_id IS NOT NULL "
            "AND message_id LIKE 'true\\_%' ESCAPE '\\' "
            f"AND {in_sessions} ORDER BY id LIMIT 1",
            [id_suffix, *sessions],
        ).fetchone()
        if row is not None:
            return _delivery_row(row)
    return None


def _delivery_row(row) -> DeliveryRow:
    return DeliveryRow(
        row["id"], row["message_id"], Receipt(row["ack"], row["delivered_at"], row["read_at"], row["error"] or "")
    )


@dataclass(frozen=True)
class LastStatus:
    status: str
    event_at: str  # ISO UTC time the event carried


def last_status(db, session: str) -> LastStatus | None:
    """The newest `session.status` seen for local SESSION (applied, or a repeat of the applied one)."""
    row = db.conn.execute("SELECT status, event_at FROM webhook_session_status WHERE session = ?", (session,)).fetchone()
    return LastStatus(row["status"], row["event_at"]) if row else None


def save_status(db, session: str, status: str, event_at: str, now: str) -> None:
    db.conn.execute(
        """INSERT INTO webhook_session_status (session, status, event_at, received_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (session) DO UPDATE SET status = excluded.status, event_at = excluded.event_at,
                  received_at = excluded.received_at""",
        (session, status, event_at, now),
    )
