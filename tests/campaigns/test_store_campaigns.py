"""store/campaigns.py: guarded transitions, counts, recipients, sticky senders, daily counts."""

from __future__ import annotations

import pytest

from nexus_blast.domain.messages import IllegalTransition
from nexus_blast.store import campaigns as store
from nexus_blast.store.db import open_database


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "b.db")
    yield database
    database.conn.close()


def make(db, n=3, sessions=("a",)):
    msgs = [store.NewMessage(seq=i + 1, row=i + 1, phone=f"+551198100000{i}", text=f"oi {i}", session=sessions[i % len(sessions)]) for i in range(n)]
    return store.create_campaign(db, name="c", template="oi", sessions=list(sessions), delay=(1, 2), messages=msgs)


def test_transition_is_conditional_on_the_current_status(db):
    cid = make(db)
    (first, *_) = store.messages_in(db, cid, "pending")
    assert store.transition(db, first.id, "pending", "sending", bump_attempts=True, session="a", chat_id="x@c.us", sending_at="t")
    assert not store.transition(db, first.id, "pending", "sending")  # someone already moved it
    assert store.transition(db, first.id, "sending", "sent", message_id="true_x@c.us_1", sent_at="2026-01-01T00:00:00.000+00:00")
    message = store.get_message(db, first.id)
    assert (message.status, message.attempts, message.message_id, message.chat_id) == ("sent", 1, "true_x@c.us_1", "x@c.us")
    with pytest.raises(IllegalTransition):
        store.transition(db, first.id, "sent", "pending")
    with pytest.raises(ValueError):
        store.transition(db, first.id, "pending", "sending", text="changed")  # the text is never rewritten


def test_counts_and_campaign_status(db):
    cid = make(db, 4)
    ids = [m.id for m in store.messages_in(db, cid, "pending")]
    store.transition(db, ids[0], "pending", "skipped", error="opted_out")
    store.transition(db, ids[1], "pending", "failed", error="x")
    c = store.counts(db, cid)
    assert (c.pending, c.skipped, c.failed, c.unfinished) == (2, 1, 1, 2)
    assert store.set_campaign_status(db, cid, "paused", reason="r")
    assert store.get_campaign(db, cid).status_reason == "r"
    with pytest.raises(IllegalTransition):
        store.set_campaign_status(db, cid, "completed")
    assert store.set_campaign_status(db, cid, "running")
    assert store.set_campaign_status(db, cid, "completed")
    assert store.get_campaign(db, cid).finished_at
    assert store.skip_pending(db, cid, "cancelled") == 2


def test_recipients_cache_and_last_senders_and_daily_count(db):
    assert store.get_recipient(db, "+5511981000000") is None
    store.put_recipient(db, "+5511981000000", True, "551181000000@c.us")
    store.put_recipient(db, "+5511981000000", False, None)
    assert store.get_recipient(db, "+5511981000000")[:2] == (False, None)
    cid = make(db, 2, sessions=("a", "b"))
    for m in store.messages_in(db, cid, "pending"):
        store.transition(db, m.id, "pending", "sending", session=m.session)
        store.transition(db, m.id, "sending", "sent", sent_at="2026-05-01T12:00:00.000+00:00", message_id=f"id{m.id}")
    assert store.last_senders(db, ["+5511981000000", "+5511981000001", "+5599"]) == {"+5511981000000": "a", "+5511981000001": "b"}
    assert store.sent_since(db, "a", "2026-05-01T00:00:00.000+00:00") == 1
    assert store.sent_since(db, "a", "2026-05-02T00:00:00.000+00:00") == 0
    assert store.message_id_known(db, "id1") and not store.message_id_known(db, "nope")


def test_reassign_only_moves_pending(db):
    cid = make(db, 2)
    a, b = store.messages_in(db, cid, "pending")
    store.transition(db, b.id, "pending", "sending")
    store.reassign(db, [(a.id, "z"), (b.id, "z")])
    assert store.get_message(db, a.id).session == "z" and store.get_message(db, b.id).session == "a"


def test_session_health(db):
    store.set_session_health(db, "a", status="UNHEALTHY", healthy=False, reason="down", until="t")
    store.set_session_health(db, "a", status="WORKING", healthy=True)
    assert {k: store.get_session_health(db, "a")[k] for k in ("healthy", "reason")} == {"healthy": 1, "reason": ""}


def test_start_sending_needs_the_lease_when_an_owner_is_given(db):
    from nexus_blast.store import leases

    cid = make(db, n=2)
    store.set_campaign_status(db, cid, "running", reason="")
    assert leases.try_claim(db, cid, "new-owner", "2026-01-01T00:00:00.000+00:00", "2999-01-01T00:00:00.000+00:00")
    first, second = store.messages_in(db, cid, "pending")
    since = "2000-01-01T00:00:00.000+00:00"
    # A stalled process whose lease was taken over must not start a send...
    assert not store.start_sending(db, first.id, session="a", cap=10, since=since, owner="old-owner", sending_at="t")
    assert store.get_message(db, first.id).status == "pending"
    # ...the holder may.
    assert store.start_sending(db, second.id, session="a", cap=10, since=since, owner="new-owner", sending_at="t")
