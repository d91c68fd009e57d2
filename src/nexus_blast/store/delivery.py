"""SQL for delivery receipts, opt-out side effects and webhook idempotency.

Every function takes the sqlite_utils Database; callers group writes in `transaction(db)` so one
webhook event is applied atomically (raw SQL only: sqlite_utils' table helpers commit on their own).
"""

from __future__ import annotations

from dataclasses import dataclass

from nexus_blast.domain.messages import check_message_transition
from nexus_blast.store.db import transaction  # noqa: F401 (the webhook and campaigns group their writes with store.delivery.transaction)
from nexus_blast.domain.receipts import Receipt

REPLY_EVENT = "optout.reply"  # webhook_events rows that remember an opt-out confirmation was sent


# --- idempotency ------------------------------------------------------------------------------


def record_event(db, event_id: str, event: str, session: str | None, now: str) -> bool:
    """Remember EVENT_ID; False when it was already seen (the event must then change nothing)."""
    cur = db.conn.execute(
        "INSERT OR IGNORE INTO webhook_events (id, event, session, received_at) VALUES (?, ?, ?, ?)",
        (event_id, event, session, now),
    )
    return cur.rowcount == 1


def forget_events_before(db, cutoff: str) -> int:
    """Drop idempotency records older than CUTOFF (WAHA's retries are long over); replies stay."""
    cur = db.conn.execute("DELETE FROM webhook_events WHERE received_at < ? AND event != ?", (cutoff, REPLY_EVENT))
    return cur.rowcount


# --- receipts ---------------------------------------------------------------------------------


def save_receipt(db, row_id: int, receipt: Receipt, now: str) -> None:
    db.conn.execute(
        "UPDATE messages SET ack = ?, delivered_at = ?, read_at = ?, error = ?, updated_at = ? WHERE id = ?",
        (receipt.ack, receipt.delivered_at, receipt.read_at, receipt.error, now, row_id),
    )


def delivery_counts(db, campaign_id: int) -> dict[str, int]:
    """`{"delivered", "read"}` of one campaign (a read message counts as delivered too)."""
    from nexus_blast.store.campaigns import counts

    c = counts(db, campaign_id)
    return {"delivered": c.delivered, "read": c.read}


def delivery_summary(db, campaign_id: int) -> dict[str, float | int]:
    """Delivered and read counts plus `delivered_rate` / `read_rate`: their shares of the SENT
    messages, 0..1 rounded to 4 places (0.0 while nothing was sent)."""
    from nexus_blast.store.campaigns import counts

    c = counts(db, campaign_id)
    rate = (lambda n: round(n / c.sent, 4) if c.sent else 0.0)
    return {"delivered": c.delivered, "read": c.read, "delivered_rate": rate(c.delivered), "read_rate": rate(c.read)}


@dataclass(frozen=True)
class Unread:
    """A sent message whose read receipt is still missing (what `campaign sync` asks WAHA about)."""

    session: str
    chat_id: str
    message_id: str
    sent_at: str


def unread_messages(db, campaign_id: int) -> list[Unread]:
    rows = db.conn.execute(
        "SELECT session, chat_id, message_id, sent_at FROM messages "
        "WHERE campaign_id = ? AND status = 'sent' AND read_at IS NULL AND message_id IS NOT NULL "
        "AND session IS NOT NULL AND chat_id IS NOT NULL ORDER BY session, chat_id, seq",
        (campaign_id,),
    ).fetchall()
    return [Unread(r["session"], r["chat_id"], r["message_id"], r["sent_at"] or "") for r in rows]


# --- opt-outs -------------------------------------------------------------------------------


def skip_pending(db, phone: str, error: str, now: str) -> int:
    """Every campaign's still-pending message to PHONE becomes `skipped` with ERROR; the count."""
    check_message_transition("pending", "skipped")
    cur = db.conn.execute(
        "UPDATE messages SET status = 'skipped', error = ?, updated_at = ? WHERE phone = ? AND status = 'pending'",
        (error, now, phone),
    )
    return cur.rowcount


def claim_reply(db, phone: str, session: str, now: str) -> bool:
    """Reserve the one opt-out confirmation to PHONE; False when it was already sent (or is being)."""
    return record_event(db, f"{REPLY_EVENT}:{phone}", REPLY_EVENT, session, now)


def release_reply(db, phone: str) -> None:
    """The confirmation could not be sent: let the next opt-out message try again."""
    db.conn.execute("DELETE FROM webhook_events WHERE id = ?", (f"{REPLY_EVENT}:{phone}",))
