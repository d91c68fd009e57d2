"""SQL for confirm-first campaigns (m011): the questions awaiting a reply, the two moves that end
a question's phase (domain/messages.py ASK_TRANSITIONS) and the counts `campaign show` reports.

Each move is one conditional UPDATE (`WHERE status = 'sent' AND phase = 'ask'`), committed at once
(autocommit), so a crash leaves a contact either asked or moved, and two processes never both move it.
"""

from __future__ import annotations

from dataclasses import dataclass

from nexus_blast.domain.messages import check_ask_transition
from nexus_blast.store.db import utcnow


def _conn(db):
    return getattr(db, "conn", db)


@dataclass(frozen=True)
class AskRow:
    """A question that went out and awaits its verdict. REPLIED_AT: its recorded reply, else when
    the contact last wrote to the row's session after the question's attempt began (warm_contacts,
    m010): a reply that came while the question's outcome was still unknown (a crash between WAHA's
    answer and blast's commit) found no `sent` message to attach to, but the contact did write."""

    id: int
    phone: str
    sent_at: str
    replied_at: str | None
    opted_out: bool


SKEW_DAYS = 120 / 86400  # a message's own time comes from the phone's clock (domain/replies.SKEW_SECONDS)


def actionable(db, campaign_id: int, closed_before: str) -> list[AskRow]:
    """The awaiting questions that can be decided now: replied (or written after), opted out, or
    sent before CLOSED_BEFORE (now minus the window: expired). The others cost nothing to skip."""
    rows = _conn(db).execute(
        """SELECT m.id, m.phone, m.sent_at, coalesce(m.replied_at, w.last_at), (o.phone IS NOT NULL) AS opted_out
           FROM messages m
           LEFT JOIN optouts o ON o.phone = m.phone
           LEFT JOIN warm_contacts w ON w.phone = m.phone AND w.session = m.session
                AND julianday(w.last_at) >= julianday(coalesce(m.sending_at, m.sent_at)) - ?
           WHERE m.campaign_id = ? AND m.phase = 'ask' AND m.status = 'sent'
             AND (m.replied_at IS NOT NULL OR o.phone IS NOT NULL OR w.last_at IS NOT NULL OR m.sent_at <= ?)
           ORDER BY m.seq""",
        (SKEW_DAYS, campaign_id, closed_before),
    ).fetchall()
    return [AskRow(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


def awaiting(db, campaign_id: int) -> tuple[int, str | None]:
    """(questions still awaiting a verdict, the earliest send time among them)."""
    row = _conn(db).execute(
        "SELECT count(*), min(sent_at) FROM messages WHERE campaign_id = ? AND phase = 'ask' AND status = 'sent'",
        (campaign_id,),
    ).fetchone()
    return int(row[0]), row[1]


def confirm(db, mid: int, confirmed_at: str) -> bool:
    """(sent, ask) → (pending, offer): the row now holds the offer, to be sent like any pending
    message (a fresh attempt: no id, no receipt; the question's reply text is not kept)."""
    check_ask_transition(("sent", "ask"), ("pending", "offer"))
    cursor = _conn(db).execute(
        """UPDATE messages SET status = 'pending', phase = 'offer', text = coalesce(offer, text),
                  asked_at = sent_at, confirmed_at = ?, message_id = NULL, planned_id = NULL, sending_at = NULL,
                  sent_at = NULL, ack = NULL, delivered_at = NULL, read_at = NULL, replied_at = NULL, reply = NULL,
                  attempts = 0, error = '', next_attempt_at = NULL, updated_at = ?
           WHERE id = ? AND status = 'sent' AND phase = 'ask'""",
        (confirmed_at, utcnow(), mid),
    )
    return cursor.rowcount == 1


def close(db, mid: int, reason: str) -> bool:
    """(sent, ask) → (skipped, ask) with REASON (opted_out, no_confirmation)."""
    check_ask_transition(("sent", "ask"), ("skipped", "ask"))
    cursor = _conn(db).execute(
        """UPDATE messages SET status = 'skipped', error = ?, asked_at = sent_at, updated_at = ?
           WHERE id = ? AND status = 'sent' AND phase = 'ask'""",
        (reason, utcnow(), mid),
    )
    return cursor.rowcount == 1


def close_all(db, campaign_id: int, reason: str) -> int:
    """Every awaiting question of the campaign → skipped with REASON (a cancel)."""
    check_ask_transition(("sent", "ask"), ("skipped", "ask"))
    cursor = _conn(db).execute(
        """UPDATE messages SET status = 'skipped', error = ?, asked_at = sent_at, updated_at = ?
           WHERE campaign_id = ? AND status = 'sent' AND phase = 'ask'""",
        (reason, utcnow(), campaign_id),
    )
    return cursor.rowcount


def confirm_counts(db, campaign_id: int) -> dict[str, int]:
    """`asked` (questions that went out), `awaiting`, `confirmed`, `no_confirmation`, `opted_out`
    (asked, then opted out), and `offers_sent`."""
    row = _conn(db).execute(
        """SELECT count(*) FILTER (WHERE phase = 'ask' AND status = 'sent'),
                  count(asked_at),
                  count(confirmed_at),
                  count(*) FILTER (WHERE status = 'skipped' AND error = 'no_confirmation'),
                  count(*) FILTER (WHERE asked_at IS NOT NULL AND status = 'skipped' AND error = 'opted_out'),
                  count(*) FILTER (WHERE confirmed_at IS NOT NULL AND status = 'sent')
           FROM messages WHERE campaign_id = ?""",
        (campaign_id,),
    ).fetchone()
    return {
        "asked": row[0] + row[1], "awaiting": row[0], "confirmed": row[2], "no_confirmation": row[3],
        "opted_out": row[4], "offers_sent": row[5],
    }
