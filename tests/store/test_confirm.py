"""store/confirm.py: the ask-phase moves are conditional (a second move, or a move of a question not
out, changes nothing), the counters stay exact, and a pass decides only what can be decided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nexus_blast.campaigns.confirm import settle_asks
from nexus_blast.store import campaigns as campaigns_store
from nexus_blast.store import confirm as store
from nexus_blast.store.campaigns import NewMessage, create_campaign
from nexus_blast.store.db import iso, open_database

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "blast.db")
    yield database
    database.conn.close()


def _campaign(db, n=4) -> int:
    messages = [
        NewMessage(seq=i + 1, row=i + 1, phone=f"+551198100000{i}", text=f"posso? {i}", phase="ask", offer=f"oferta {i}", session="s1")
        for i in range(n)
    ]
    return create_campaign(db, name="c", template="oferta", sessions=["s1"], delay=(0, 0), messages=messages,
                           options={"confirm_first": {"question": "posso?", "window": 3600}})


def _ask_sent(db, cid, at=T0):
    for mid, _, _ in campaigns_store.pending_queue(db, cid):
        db.conn.execute("UPDATE messages SET status = 'sent', sent_at = ?, message_id = ? WHERE id = ?",
                        (iso(at), f"true_x@c.us_{mid}", mid))


def test_a_pass_confirms_declines_expires_and_waits(db):
    cid = _campaign(db)
    _ask_sent(db, cid)
    ids = [r[0] for r in db.conn.execute("SELECT id FROM messages ORDER BY seq")]
    db.conn.execute("UPDATE messages SET replied_at = ?, reply = 'sim' WHERE id = ?", (iso(T0 + timedelta(minutes=1)), ids[0]))
    db.conn.execute("INSERT INTO optouts (phone, reason, added_at) VALUES ('+5511981000001', 'keyword:sair', ?)", (iso(T0),))
    state = settle_asks(db, cid, timedelta(hours=1), T0 + timedelta(minutes=30))
    assert (state.confirmed, state.declined, state.expired, state.awaiting) == (1, 1, 0, 2)
    assert state.next_close == T0 + timedelta(hours=1)
    row = db.conn.execute("SELECT * FROM messages WHERE id = ?", (ids[0],)).fetchone()
    assert (row["status"], row["phase"], row["text"], row["message_id"], row["sent_at"]) == ("pending", "offer", "oferta 0", None, None)
    assert (row["asked_at"], row["confirmed_at"], row["replied_at"], row["reply"]) == (iso(T0), iso(T0 + timedelta(minutes=1)), None, None)
    late = settle_asks(db, cid, timedelta(hours=1), T0 + timedelta(hours=1))
    assert (late.expired, late.awaiting, late.next_close) == (2, 0, None)
    counts = campaigns_store.counts(db, cid)
    assert (counts.pending, counts.skipped, counts.sent) == (1, 3, 0)  # the counters follow every move
    assert store.confirm_counts(db, cid) == {
        "asked": 4, "awaiting": 0, "confirmed": 1, "no_confirmation": 2, "opted_out": 1, "offers_sent": 0,
    }


def test_moves_are_conditional(db):
    cid = _campaign(db, n=2)
    first, second = [r[0] for r in db.conn.execute("SELECT id FROM messages ORDER BY seq")]
    assert not store.confirm(db, first, iso(T0))  # not out yet: nothing to confirm
    assert not store.close(db, first, "no_confirmation")
    _ask_sent(db, cid)
    assert store.confirm(db, first, iso(T0)) and not store.confirm(db, first, iso(T0))  # once only
    assert not store.close(db, first, "no_confirmation")  # the offer is no question any more
    assert store.close(db, second, "no_confirmation") and not store.confirm(db, second, iso(T0))


def test_cancel_skips_awaiting_questions_too(db):
    cid = _campaign(db, n=3)
    _ask_sent(db, cid)
    db.conn.execute("UPDATE messages SET status = 'pending', sent_at = NULL WHERE seq = 3")
    assert campaigns_store.skip_pending(db, cid, "cancelled") == 3
    assert {r[0] for r in db.conn.execute("SELECT status FROM messages")} == {"skipped"}


def test_a_contact_who_wrote_after_the_question_went_out_confirms_it(db):
    """A reply that came while the question's outcome was unknown (blast killed between WAHA's
    answer and its commit) attached to nothing, but made the contact warm: that confirms it."""
    cid = _campaign(db, n=3)
    _ask_sent(db, cid)
    db.conn.execute("UPDATE messages SET sending_at = ?", (iso(T0 - timedelta(seconds=1)),))
    wrote = [("+5511981000000", iso(T0 + timedelta(seconds=3))),  # after the question: a reply
             ("+5511981000001", iso(T0 - timedelta(seconds=30))),  # the phone's clock a little behind: still one
             ("+5511981000002", iso(T0 - timedelta(hours=2)))]  # wrote long before: no reply to this question
    for phone, at in wrote:
        db.conn.execute("INSERT INTO warm_contacts (phone, session, first_at, last_at) VALUES (?, 's1', ?, ?)", (phone, at, at))
    state = settle_asks(db, cid, timedelta(hours=1), T0 + timedelta(minutes=5))
    assert (state.confirmed, state.awaiting) == (2, 1)
    confirmed = dict(db.conn.execute("SELECT phone, confirmed_at FROM messages WHERE phase = 'offer'").fetchall())
    assert confirmed == {"+5511981000000": wrote[0][1], "+5511981000001": wrote[1][1]}
