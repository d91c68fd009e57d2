"""SQL for replies: the campaign message a reply answers, recording it (at most once), warm
contacts, purging reply texts, and the listings `campaign replies` and the results read.

Callers hold the transaction (`store.delivery.transaction`), as the webhook's other writes do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """The sent campaign message a reply is attributed to."""

    id: int
    campaign_id: int
    phone: str
    session: str
    replied_at: str | None
    opted_out_at: str | None


_TARGET = "SELECT id, campaign_id, phone, session, replied_at, opted_out_at, sent_at FROM messages"


def reply_target(db, sessions: Iterable[str], phones: Iterable[str], lid_chat: str | None, since: str, until: str) -> Target | None:
    """The most recent message sent by one of SESSIONS to one of PHONES (or, for an @lid sender,
    to the chat LID_CHAT) with `sent_at` in [SINCE, UNTIL]; None when there is none."""
    sessions, phones = list(sessions), list(phones)
    if not sessions:
        return None
    in_sessions = f"session IN ({','.join('?' * len(sessions))})"
    # `sent_at IS NOT NULL`: the session's sends are read along messages_session_status_sent, partial (m015)
    rows = []
    if phones:
        rows += db.conn.execute(
            f"{_TARGET} WHERE phone IN ({','.join('?' * len(phones))}) AND status = 'sent' AND {in_sessions} "
            "AND sent_at >= ? AND sent_at <= ? AND sent_at IS NOT NULL ORDER BY sent_at DESC, id DESC LIMIT 1",
            [*phones, *sessions, since, until],
        ).fetchall()
    if lid_chat:
        rows += db.conn.execute(
            f"{_TARGET} WHERE chat_id = ? AND chat_id LIKE '%@lid' AND status = 'sent' AND {in_sessions} "
            "AND sent_at >= ? AND sent_at <= ? AND sent_at IS NOT NULL ORDER BY sent_at DESC, id DESC LIMIT 1",
            [lid_chat, *sessions, since, until],
        ).fetchall()
    if not rows:
        return None
    row = max(rows, key=lambda r: (r["sent_at"], r["id"]))
    return Target(row["id"], row["campaign_id"], row["phone"], row["session"], row["replied_at"], row["opted_out_at"])


def record_reply(db, message_id: int, at: str, text: str) -> bool:
    """Give message MESSAGE_ID its reply (when and the kept text); False when it already has one
    (the first reply counts: a repeated event or a later message changes nothing)."""
    cur = db.conn.execute(
        "UPDATE messages SET replied_at = ?, reply = ?, updated_at = ? WHERE id = ? AND replied_at IS NULL",
        (at, text, at, message_id),
    )
    return cur.rowcount == 1


def record_optout(db, message_id: int, at: str) -> bool:
    """Mark message MESSAGE_ID as answered by an opt-out; False when it already was."""
    cur = db.conn.execute(
        "UPDATE messages SET opted_out_at = ?, updated_at = ? WHERE id = ? AND opted_out_at IS NULL",
        (at, at, message_id),
    )
    return cur.rowcount == 1


# --- warm contacts ----------------------------------------------------------------------------


def mark_warm(db, phone: str, sessions: Iterable[str], at: str) -> None:
    """PHONE wrote to each of SESSIONS (local names) at AT."""
    for session in sessions:
        db.conn.execute(
            """INSERT INTO warm_contacts (phone, session, first_at, last_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (phone, session) DO UPDATE SET last_at = max(last_at, excluded.last_at),
                      first_at = min(first_at, excluded.first_at)""",
            (phone, session, at, at),
        )


CHUNK = 500


def warm_sessions(db, phones: list[str]) -> dict[str, list[str]]:
    """For each of PHONES that has written to a session: those sessions, the latest first."""
    out: dict[str, list[str]] = {}
    for i in range(0, len(phones), CHUNK):
        chunk = phones[i : i + CHUNK]
        for row in db.conn.execute(
            f"SELECT phone, session FROM warm_contacts WHERE phone IN ({','.join('?' * len(chunk))}) "
            "ORDER BY last_at DESC",
            chunk,
        ):
            out.setdefault(row["phone"], []).append(row["session"])
    return out


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantCounts:
    variant: int
    messages: int = 0
    sent: int = 0
    delivered: int = 0
    read: int = 0
    replied: int = 0
    opted_out: int = 0


def variant_counts(db, campaign_id: int) -> list[VariantCounts]:
    """Per variant of CAMPAIGN_ID (variant order), from the variant_counts counters (m010)."""
    rows = db.conn.execute(
        "SELECT variant, sum(messages) AS messages, sum(CASE WHEN status = 'sent' THEN messages ELSE 0 END) AS sent, "
        "sum(delivered) AS delivered, sum(read) AS read, sum(replied) AS replied, sum(opted_out) AS opted_out "
        "FROM variant_counts WHERE campaign_id = ? GROUP BY variant ORDER BY variant",
        (campaign_id,),
    ).fetchall()
    return [VariantCounts(r["variant"], r["messages"], r["sent"], r["delivered"], r["read"], r["replied"], r["opted_out"])
            for r in rows]


def replies(db, campaign_id: int) -> list[dict]:
    """The campaign's replies, newest first: phone, contact fields, when, kept text (None once purged)."""
    rows = db.conn.execute(
        "SELECT phone, fields, variant, replied_at, reply FROM messages "
        "WHERE campaign_id = ? AND replied_at IS NOT NULL ORDER BY replied_at DESC, id DESC",
        (campaign_id,),
    ).fetchall()
    return [dict(r) for r in rows]


def unanswered(db, campaign_id: int) -> list[tuple[str, str, str, str]]:
    """`(session, chat_id, phone, sent_at)` of the campaign's sent messages without a reply or
    opt-out yet (what `campaign sync` reads the chats of)."""
    return [
        (r["session"], r["chat_id"], r["phone"], r["sent_at"] or "")
        for r in db.conn.execute(
            "SELECT session, chat_id, phone, sent_at FROM messages WHERE campaign_id = ? AND status = 'sent' "
            "AND replied_at IS NULL AND opted_out_at IS NULL AND session IS NOT NULL AND chat_id IS NOT NULL "
            "ORDER BY session, chat_id, seq",
            (campaign_id,),
        )
    ]


# --- purge ------------------------------------------------------------------------------------


def purge_campaign(db, campaign_id: int) -> int:
    """Delete the reply texts of CAMPAIGN_ID (when they came stays: the counts do not change)."""
    cur = db.conn.execute("UPDATE messages SET reply = NULL WHERE campaign_id = ? AND reply IS NOT NULL", (campaign_id,))
    return cur.rowcount


def purge_before(db, cutoff: str) -> int:
    """Delete every reply text received before CUTOFF (the retention setting)."""
    cur = db.conn.execute("UPDATE messages SET reply = NULL WHERE reply IS NOT NULL AND replied_at < ?", (cutoff,))
    return cur.rowcount


# --- A/B tests (send --ab-test) ---------------------------------------------------------------


def hold_after(db, campaign_id: int, test_count: int) -> int:
    """Hold back every pending message of CAMPAIGN_ID after its first TEST_COUNT (campaign order)."""
    cur = db.conn.execute(
        """UPDATE messages SET held = 1 WHERE campaign_id = ? AND status = 'pending' AND seq > (
               SELECT coalesce(max(seq), 0) FROM (SELECT seq FROM messages WHERE campaign_id = ? AND status = 'pending'
                                                  ORDER BY seq LIMIT ?))""",
        (campaign_id, campaign_id, test_count),
    )
    return cur.rowcount


def unfinished_tests(db, campaign_id: int) -> int:
    """Messages of the test phase still to send (pending or sending, not held)."""
    row = db.conn.execute(
        "SELECT count(*) FROM messages WHERE campaign_id = ? AND status IN ('pending', 'sending') AND held = 0",
        (campaign_id,),
    ).fetchone()
    return int(row[0])


def held_messages(db, campaign_id: int) -> list[tuple[int, int | None, str]]:
    """`(id, row, fields JSON)` of the campaign's held pending messages."""
    return [(r[0], r[1], r[2]) for r in db.conn.execute(
        "SELECT id, row, fields FROM messages WHERE campaign_id = ? AND status = 'pending' AND held = 1 ORDER BY seq",
        (campaign_id,),
    )]


def release_held(db, changes: list[tuple[int, str, int]], now: str) -> int:
    """Give each held message `(id, text, variant)` its text and send it (held = 0)."""
    cur = db.conn.executemany(
        "UPDATE messages SET text = ?, variant = ?, held = 0, updated_at = ? WHERE id = ? AND status = 'pending' AND held = 1",
        [(text, variant, now, mid) for mid, text, variant in changes],
    )
    return cur.rowcount


def set_ab(db, campaign_id: int, ab: dict) -> None:
    """Store the campaign's A/B test state (options.ab)."""
    import json

    from nexus_blast.store.db import utcnow

    db.conn.execute(
        "UPDATE campaigns SET options = json_set(options, '$.ab', json(?)), updated_at = ? WHERE id = ?",
        (json.dumps(ab), utcnow(), campaign_id),
    )


def warm_first(db, campaign_id: int) -> int:
    """Renumber CAMPAIGN_ID's messages so the pending ones to contacts warm for their session come
    first (campaign order kept within warm and within cold); how many are warm. The caller holds
    the transaction (create_campaign's before_commit)."""
    order = db.conn.execute(
        """SELECT m.id, EXISTS (SELECT 1 FROM warm_contacts w WHERE w.phone = m.phone AND w.session = m.session)
                  AND m.status = 'pending' AS warm
           FROM messages m WHERE m.campaign_id = ? ORDER BY warm DESC, m.seq""",
        (campaign_id,),
    ).fetchall()
    db.conn.execute("UPDATE messages SET seq = -seq WHERE campaign_id = ?", (campaign_id,))  # UNIQUE (campaign, seq)
    db.conn.executemany("UPDATE messages SET seq = ? WHERE id = ?", [(n, r[0]) for n, r in enumerate(order, 1)])
    return sum(1 for r in order if r[1])
