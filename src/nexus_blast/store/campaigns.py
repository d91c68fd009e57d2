"""Campaigns and their messages in SQLite: creation, the guarded state transitions, queues, counts,
the recipients cache and session health.

Every message transition is one conditional UPDATE (`WHERE id = ? AND status = <from>`), committed
at once (the connection is in autocommit mode), so a crash leaves each message in exactly one state
and two processes can never both move the same message.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from nexus_blast.domain.messages import check_campaign_transition, check_message_transition
from nexus_blast.store.db import transaction, utcnow

MESSAGE_COLUMNS = frozenset(
    {"session", "chat_id", "message_id", "error", "sending_at", "sent_at", "next_attempt_at", "planned_id", "lead_id"}
)
CHUNK = 500


def _conn(db) -> sqlite3.Connection:
    return getattr(db, "conn", db)


@dataclass(frozen=True)
class NewMessage:
    seq: int
    row: int | None
    phone: str
    text: str
    fields: dict[str, str] = field(default_factory=dict)
    status: str = "pending"
    session: str | None = None
    error: str = ""
    variant: int = 0  # which text variant (0-based) the message uses
    phase: str = "offer"  # "ask": TEXT is a confirm-first question and OFFER the real message (m011)
    offer: str | None = None


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    status: str
    template: str
    image: dict | None
    sessions: list[str]
    delay_min: float
    delay_max: float
    options: dict
    source: str
    scheduled_at: str | None
    status_reason: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    updated_at: str
    resume_on_due: bool = False  # paused, to be continued by run-due/worker once scheduled_at has come
    lease_owner: str | None = None
    lease_expires_at: str | None = None


@dataclass(frozen=True)
class Message:
    id: int
    campaign_id: int
    seq: int
    row: int | None
    phone: str
    text: str
    status: str
    session: str | None
    chat_id: str | None
    message_id: str | None
    attempts: int
    error: str
    sending_at: str | None
    sent_at: str | None
    planned_id: str | None = None  # the short id blast chose for its send in flight (servers that accept one)
    lead_id: str | None = None  # a two-send message (voice note): the first send's id, once sent (m012)
    phase: str = "offer"  # "ask" while TEXT is a confirm-first question (m011)


@dataclass
class Counts:
    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    delivered: int = 0
    read: int = 0
    replied: int = 0  # sent messages answered (not by an opt-out keyword)
    opted_out: int = 0  # sent messages answered by an opt-out keyword

    @property
    def unfinished(self) -> int:
        return self.pending + self.sending


# --- campaigns ---------------------------------------------------------------------------------


def create_campaign(
    db,
    *,
    name: str,
    template: str,
    sessions: list[str],
    delay: tuple[float, float],
    messages: Iterable[NewMessage],
    image: dict | None = None,
    options: dict | None = None,
    source: str = "",
    status: str = "running",
    status_reason: str = "",
    scheduled_at: str | None = None,
    before_commit: Callable[[int], None] | None = None,
) -> int:
    """Store a campaign and all its messages in ONE transaction: an error while MESSAGES is being
    consumed (a template that fails on row 40,000) leaves nothing behind. BEFORE_COMMIT(campaign id)
    runs inside that transaction once every message is stored (e.g. reordering, holding back)."""
    conn = _conn(db)
    now = utcnow()
    conn.execute("BEGIN IMMEDIATE")
    try:
        cursor = conn.execute(
            """INSERT INTO campaigns (name, status, status_reason, template, image, sessions, delay_min, delay_max,
                                      options, source, scheduled_at, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                name, status, status_reason, template, json.dumps(image) if image else None, json.dumps(sessions),
                delay[0], delay[1], json.dumps(options or {}), source, scheduled_at, now, now,
            ),
        )
        campaign_id = int(cursor.lastrowid)
        batch: list[tuple] = []
        for m in messages:
            batch.append(
                (campaign_id, m.seq, m.row, m.phone, json.dumps(m.fields, ensure_ascii=False), m.text,
                 m.status, m.session, m.error, m.variant, now, m.phase, m.offer)
            )
            if len(batch) >= CHUNK:
                _insert_messages(conn, batch)
                batch.clear()
        _insert_messages(conn, batch)
        if before_commit is not None:
            before_commit(campaign_id)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return campaign_id


def delete_campaign(db, campaign_id: int) -> None:
    """Forget a campaign that was never confirmed (its messages go with it)."""
    conn = _conn(db)
    conn.execute("DELETE FROM messages WHERE campaign_id = ?", (campaign_id,))
    conn.execute("DELETE FROM campaigns WHERE id = ?", (campaign_id,))


def _insert_messages(conn: sqlite3.Connection, batch: list[tuple]) -> None:
    if batch:
        conn.executemany(
            """INSERT INTO messages (campaign_id, seq, row, phone, fields, text, status, session, error, variant, updated_at,
                                    phase, offer)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            batch,
        )


def _campaign(row: sqlite3.Row) -> Campaign:
    return Campaign(
        id=row["id"], name=row["name"], status=row["status"], template=row["template"],
        image=json.loads(row["image"]) if row["image"] else None, sessions=json.loads(row["sessions"]),
        delay_min=row["delay_min"], delay_max=row["delay_max"], options=json.loads(row["options"] or "{}"),
        source=row["source"], scheduled_at=row["scheduled_at"], status_reason=row["status_reason"],
        created_at=row["created_at"], started_at=row["started_at"], finished_at=row["finished_at"],
        updated_at=row["updated_at"], resume_on_due=bool(row["resume_on_due"]),
        lease_owner=row["lease_owner"], lease_expires_at=row["lease_expires_at"],
    )


def get_campaign(db, campaign_id: int) -> Campaign | None:
    row = _conn(db).execute("SELECT * FROM campaigns WHERE id = ?", (campaign_id,)).fetchone()
    return _campaign(row) if row else None


def list_campaigns(db) -> list[Campaign]:
    return [_campaign(r) for r in _conn(db).execute("SELECT * FROM campaigns ORDER BY id")]


def campaign_status(db, campaign_id: int) -> str | None:
    row = _conn(db).execute("SELECT status FROM campaigns WHERE id = ?", (campaign_id,)).fetchone()
    return row[0] if row else None


def set_campaign_status(db, campaign_id: int, new: str, *, reason: str | None = None) -> bool:
    """Move the campaign to NEW if the state machine allows it from its current status (read and
    written under a conditional UPDATE); False when it changed meanwhile or the move is illegal."""
    conn = _conn(db)
    current = campaign_status(db, campaign_id)
    if current is None:
        return False
    _, target = check_campaign_transition(current, new)
    now = utcnow()
    sets = ["status = ?", "updated_at = ?"]
    args: list[Any] = [new, now]
    if reason is not None:
        sets.append("status_reason = ?")
        args.append(reason)
    if new == "running":
        sets.append("started_at = COALESCE(started_at, ?)")
        args.append(now)
    if target.final:
        sets.append("finished_at = ?")
        args.append(now)
    cursor = conn.execute(
        f"UPDATE campaigns SET {', '.join(sets)} WHERE id = ? AND status = ?", (*args, campaign_id, current)
    )
    return cursor.rowcount == 1


def schedule_campaign(db, campaign_id: int, at: str) -> bool:
    """A confirmed `send --at`: the campaign (stored paused, awaiting confirmation, so no scheduler
    could pick it up half-confirmed) becomes `scheduled` at AT (ISO UTC)."""
    cursor = _conn(db).execute(
        """UPDATE campaigns SET status = 'scheduled', scheduled_at = ?, status_reason = '', resume_on_due = 0,
                                 updated_at = ?
           WHERE id = ? AND status = 'paused'""",
        (at, utcnow(), campaign_id),
    )
    return cursor.rowcount == 1


def set_due_at(db, campaign_id: int, at: str) -> bool:
    """Run a scheduled campaign at AT instead, or resume a paused one at AT (resume_on_due)."""
    cursor = _conn(db).execute(
        """UPDATE campaigns SET scheduled_at = ?, resume_on_due = (status = 'paused'), updated_at = ?
           WHERE id = ? AND status IN ('scheduled', 'paused')""",
        (at, utcnow(), campaign_id),
    )
    return cursor.rowcount == 1


def set_resume_on_due(db, campaign_id: int, value: bool) -> None:
    _conn(db).execute(
        "UPDATE campaigns SET resume_on_due = ?, updated_at = ? WHERE id = ?", (int(value), utcnow(), campaign_id)
    )


def pause_for_later(db, campaign_id: int, reason: str) -> bool:
    """running → paused with resume_on_due set: the scheduler stopped it (deadline, shutdown) and
    the next run-due/worker continues it. Conditional: a campaign paused or cancelled meanwhile by
    a person keeps that decision."""
    check_campaign_transition("running", "paused")
    cursor = _conn(db).execute(
        """UPDATE campaigns SET status = 'paused', status_reason = ?, resume_on_due = 1, updated_at = ?
           WHERE id = ? AND status = 'running'""",
        (reason, utcnow(), campaign_id),
    )
    return cursor.rowcount == 1


def park(db, campaign_id: int, reason: str) -> bool:
    """A campaign the scheduler cannot run (its sessions were removed...): paused, not due any
    more, with REASON, so cron does not fail on it every minute."""
    cursor = _conn(db).execute(
        """UPDATE campaigns SET status = 'paused', status_reason = ?, resume_on_due = 0, updated_at = ?
           WHERE id = ? AND status IN ('scheduled', 'paused', 'running')""",
        (reason, utcnow(), campaign_id),
    )
    return cursor.rowcount == 1


def counts(db, campaign_id: int) -> Counts:
    return counts_by_campaign(db, [campaign_id]).get(campaign_id, Counts())


def counts_by_campaign(db, campaign_ids: list[int] | None = None) -> dict[int, Counts]:
    where, args = "", ()
    if campaign_ids is not None:
        if not campaign_ids:
            return {}
        where = f"WHERE campaign_id IN ({', '.join('?' * len(campaign_ids))})"
        args = tuple(campaign_ids)
    out: dict[int, Counts] = {}
    # variant_counts (m010) is kept by triggers on messages, per (campaign, variant, status): a
    # campaign's figures are its rows summed over variants, no scan of the messages themselves
    for campaign_id, status, messages, delivered, read, replied, opted_out in _conn(db).execute(
        f"""SELECT campaign_id, status, sum(messages), sum(delivered), sum(read), sum(replied), sum(opted_out)
            FROM variant_counts {where} GROUP BY campaign_id, status""",
        args,
    ):
        c = out.setdefault(campaign_id, Counts())
        setattr(c, status, messages)
        c.delivered += delivered
        c.read += read
        c.replied += replied
        c.opted_out += opted_out
    return out


# --- messages ----------------------------------------------------------------------------------


def _message(row: sqlite3.Row) -> Message:
    return Message(**{k: row[k] for k in Message.__dataclass_fields__})


def get_message(db, message_id: int) -> Message | None:
    row = _conn(db).execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
    return _message(row) if row else None


def transition(db, mid: int, old: str, new: str, /, *, bump_attempts: bool = False, **changes: Any) -> bool:
    """Move one message OLD → NEW (state machine checked) and set CHANGES; False when the message
    was not in OLD any more (another process or a cancel moved it)."""
    check_message_transition(old, new)
    key = (bump_attempts, *changes)
    sql = _TRANSITION.get(key)
    if sql is None:
        unknown = set(changes) - MESSAGE_COLUMNS
        if unknown:
            raise ValueError(f"not a message column: {sorted(unknown)}")
        sets = ["status = ?", "updated_at = ?"] + [f"{k} = ?" for k in changes]
        if bump_attempts:
            sets.append("attempts = attempts + 1")
        sql = _TRANSITION[key] = f"UPDATE messages SET {', '.join(sets)} WHERE id = ? AND status = ?"
    return _conn(db).execute(sql, (new, utcnow(), *changes.values(), mid, old)).rowcount == 1


_TRANSITION: dict[tuple, str] = {}  # transition's UPDATE per (bump_attempts, *CHANGES)


def start_sending(
    db, mid: int, *, session: str, cap: int, since: str, owner: str | None = None,
    recipient: tuple[str, bool, str | None] | None = None, day_open: bool = False, **changes: Any,
) -> bool:
    """pending → sending on SESSION (attempts bumped, CHANGES set) only while its campaign is
    `running` and SESSION's messages sent or in flight since SINCE (every campaign, every process)
    are fewer than CAP: one UPDATE, so a pause committed by another command stops the send, and two
    campaigns sharing a session cannot both take its last slot. With OWNER, also only while OWNER
    still holds the campaign's lease (a stalled process must not send after a takeover). False
    otherwise (tell the reasons apart with get_message, campaign_status and the lease owner).

    SINCE is the start of the session's local day (ISO UTC) and names its counter row
    (session_day_counts, m005): the UPDATE reads `taken` there and the trigger messages_cap_take
    adds the slot in the same statement, so the cost does not grow with the day's sends.

    DAY_OPEN: the caller already opened SINCE's counter row (open_day) on this database (rows are
    never deleted), so it is not looked for again. RECIPIENT (phone, on WhatsApp, chat id): a fresh
    look-up stored in the same transaction (one commit for both; stored even when the send may not
    start)."""
    check_message_transition("pending", "sending")
    conn = _conn(db)
    sql = _START_SENDING.get(tuple(changes))
    if sql is None:
        unknown = set(changes) - MESSAGE_COLUMNS
        if unknown:
            raise ValueError(f"not a message column: {sorted(unknown)}")
        sets = ", ".join(
            ["status = 'sending'", "updated_at = ?", "attempts = attempts + 1", "session = ?", "cap_day = ?"]
            + [f"{k} = ?" for k in changes]
        )
        sql = _START_SENDING[tuple(changes)] = f"""UPDATE messages SET {sets}
            WHERE id = ? AND status = 'pending'
              AND (SELECT status FROM campaigns WHERE campaigns.id = messages.campaign_id) = 'running'
              AND (? IS NULL OR (SELECT lease_owner FROM campaigns WHERE campaigns.id = messages.campaign_id) = ?)
              AND (SELECT taken FROM session_day_counts WHERE day = ? AND session = ?) < ?"""
    args = (utcnow(), session, since, *changes.values(), mid, owner, owner, since, session, cap)
    if recipient is None:
        if not day_open:
            open_day(conn, session, since)
        return conn.execute(sql, args).rowcount == 1
    with transaction(conn):
        _put_recipient(conn, *recipient)
        if not day_open:
            open_day(conn, session, since)
        return conn.execute(sql, args).rowcount == 1


_START_SENDING: dict[tuple[str, ...], str] = {}  # start_sending's UPDATE per set of CHANGES


# Messages moved before m005 (or by a bare `transition`) hold no slot in a counter: a day's row
# starts from them, read through the partial index messages_uncounted (only such messages).
_UNCOUNTED = "cap_day IS NULL AND status IN ('sending', 'sent')"


def open_day(conn: sqlite3.Connection, session: str, day: str) -> None:
    """Create SESSION's counter row for DAY (ISO UTC start of a local day) if it is missing, from
    the messages of that day no counter holds yet. INSERT OR IGNORE: two processes opening the
    same day at once create one row."""
    sent = f"""(SELECT count(*) FROM messages INDEXED BY messages_uncounted WHERE {_UNCOUNTED} AND status = 'sent'
                  AND sent_at >= :day AND session = :session)"""
    sending = f"""(SELECT count(*) FROM messages INDEXED BY messages_uncounted WHERE {_UNCOUNTED} AND status = 'sending'
                     AND sending_at >= :day AND session = :session)"""
    conn.execute(
        f"""INSERT OR IGNORE INTO session_day_counts (day, session, taken, sent)
            SELECT :day, :session, {sent} + {sending}, {sent}
            WHERE NOT EXISTS (SELECT 1 FROM session_day_counts WHERE day = :day AND session = :session)""",
        {"day": day, "session": session},
    )


def uncounted_sent(conn: sqlite3.Connection, start: str, end: str) -> dict[str, int]:
    """{session: messages sent in [START, END) that no day counter holds (moved before m005)}."""
    rows = conn.execute(
        f"""SELECT session, count(*) FROM messages
            WHERE {_UNCOUNTED} AND status = 'sent' AND sent_at >= ? AND sent_at < ? AND session IS NOT NULL
            GROUP BY session""",
        (start, end),
    )
    return {r[0]: r[1] for r in rows}


def record_lead(db, mid: int, lead_id: str, *, planned_id: str | None, sending_at: str) -> bool:
    """The first of a `sending` message's two sends went out as LEAD_ID: committed before the
    second is attempted, which gets PLANNED_ID and its own SENDING_AT (the decision window of an
    unknown outcome counts from there). False when the message is not `sending` any more."""
    cursor = _conn(db).execute(
        "UPDATE messages SET lead_id = ?, planned_id = ?, sending_at = ?, updated_at = ? WHERE id = ? AND status = 'sending'",
        (lead_id, planned_id, sending_at, utcnow(), mid),
    )
    return cursor.rowcount == 1


def set_lead(db, mid: int, lead_id: str) -> None:
    """A `pending` message's first send turned up in the chat (sent late): recorded, not resent."""
    _conn(db).execute("UPDATE messages SET lead_id = ?, updated_at = ? WHERE id = ? AND status = 'pending'", (lead_id, utcnow(), mid))


def set_chat_id(db, message_id: int, chat_id: str) -> None:
    _conn(db).execute(
        "UPDATE messages SET chat_id = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
        (chat_id, utcnow(), message_id),
    )


def pending_queue(db, campaign_id: int) -> list[tuple[int, str | None, str]]:
    """(id, session, phone) of every pending message not held back by an A/B test, in campaign order."""
    return [
        (r[0], r[1], r[2])
        for r in _conn(db).execute(
            "SELECT id, session, phone FROM messages WHERE campaign_id = ? AND status = 'pending' AND held = 0 ORDER BY seq",
            (campaign_id,),
        )
    ]


def messages_in(db, campaign_id: int, status: str) -> list[Message]:
    return [
        _message(r)
        for r in _conn(db).execute(
            "SELECT * FROM messages WHERE campaign_id = ? AND status = ? ORDER BY seq", (campaign_id, status)
        )
    ]


def reassign(db, moves: Iterable[tuple[int, str]]) -> None:
    """Give pending messages to other sessions: (message id, session) pairs."""
    _conn(db).executemany(
        "UPDATE messages SET session = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
        [(session, utcnow(), mid) for mid, session in moves],
    )


def skip_pending(db, campaign_id: int, reason: str) -> int:
    """Every pending message of the campaign → skipped with REASON (a cancel), and so is every
    confirm-first question still awaiting its reply (store/confirm.py)."""
    from nexus_blast.store.confirm import close_all

    check_message_transition("pending", "skipped")
    cursor = _conn(db).execute(
        "UPDATE messages SET status = 'skipped', error = ?, updated_at = ? WHERE campaign_id = ? AND status = 'pending'",
        (reason, utcnow(), campaign_id),
    )
    return cursor.rowcount + close_all(db, campaign_id, reason)


def message_id_known(db, message_id: str) -> bool:
    return _conn(db).execute(
        "SELECT 1 FROM messages WHERE message_id = ? AND message_id IS NOT NULL LIMIT 1", (message_id,)
    ).fetchone() is not None


def last_senders(db, phones: list[str]) -> dict[str, str]:
    """For each phone that already got a message: the session that sent it most recently."""
    out: dict[str, str] = {}
    conn = _conn(db)
    for i in range(0, len(phones), CHUNK):
        chunk = phones[i : i + CHUNK]
        for phone, session in conn.execute(
            f"""SELECT phone, session FROM messages
                WHERE phone IN ({', '.join('?' * len(chunk))}) AND status = 'sent' AND session IS NOT NULL
                ORDER BY sent_at""",
            chunk,
        ):
            out[phone] = session
    return out


def sent_since(db, session: str, since_iso: str) -> int:
    """Messages SESSION sent since SINCE (all campaigns): the daily cap's count."""
    row = _conn(db).execute(
        "SELECT count(*) FROM messages WHERE session = ? AND status = 'sent' AND sent_at >= ? AND sent_at IS NOT NULL",
        (session, since_iso),
    ).fetchone()
    return int(row[0])


def report_rows(db, campaign_id: int) -> Iterator[dict[str, Any]]:
    """One dict per contact, in campaign order (the `campaign report` columns)."""
    for r in _conn(db).execute(
        """SELECT phone, status, session, message_id, sent_at, delivered_at, read_at, error, replied_at, reply,
                  variant, opted_out_at
           FROM messages WHERE campaign_id = ? ORDER BY seq""",
        (campaign_id,),
    ):
        yield {k: r[k] for k in r.keys()}


# --- recipients cache and session health -----------------------------------------------------


def get_recipient(db, phone: str) -> tuple[bool, str | None, str] | None:
    row = _conn(db).execute("SELECT on_whatsapp, chat_id, checked_at FROM recipients WHERE phone = ?", (phone,)).fetchone()
    return (bool(row[0]), row[1], row[2]) if row else None


def put_recipient(db, phone: str, on_whatsapp: bool, chat_id: str | None) -> None:
    _put_recipient(_conn(db), phone, on_whatsapp, chat_id)


def _put_recipient(conn: sqlite3.Connection, phone: str, on_whatsapp: bool, chat_id: str | None) -> None:
    conn.execute(
        """INSERT INTO recipients (phone, on_whatsapp, chat_id, checked_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (phone) DO UPDATE SET on_whatsapp = excluded.on_whatsapp, chat_id = excluded.chat_id,
                                             checked_at = excluded.checked_at""",
        (phone, int(on_whatsapp), chat_id, utcnow()),
    )


def set_session_health(db, session: str, *, status: str, healthy: bool, reason: str = "", until: str | None = None) -> None:
    _conn(db).execute(
        """INSERT INTO session_health (session, status, healthy, reason, until, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (session) DO UPDATE SET status = excluded.status, healthy = excluded.healthy,
                  reason = excluded.reason, until = excluded.until, updated_at = excluded.updated_at""",
        (session, status, int(healthy), reason, until, utcnow()),
    )


def get_session_health(db, session: str) -> dict[str, Any] | None:
    row = _conn(db).execute("SELECT * FROM session_health WHERE session = ?", (session,)).fetchone()
    return {k: row[k] for k in row.keys()} if row else None


def unfinished_by_session(db, campaign_id: int) -> dict[str, int]:
    """{session: pending + sending messages} of a campaign ('' for ones not yet assigned)."""
    return {
        (r[0] or ""): r[1]
        for r in _conn(db).execute(
            "SELECT session, count(*) FROM messages WHERE campaign_id = ? AND status IN ('pending', 'sending') "
            "GROUP BY session ORDER BY count(*) DESC, session",
            (campaign_id,),
        )
    }
