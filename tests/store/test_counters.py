"""Listing counters (m005): contact-list and campaign counts kept by triggers equal a full recount."""

from __future__ import annotations

import pytest

from nexus_blast.domain.receipts import Receipt
from nexus_blast.store import campaigns as store
from nexus_blast.store import contacts
from nexus_blast.store.db import open_database
from nexus_blast.store.delivery import save_receipt


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "b.db")
    yield database
    database.conn.close()


def recount_lists(db) -> dict[str, tuple[int, int, int, int]]:
    rows = db.conn.execute(
        """SELECT l.name, count(c.id), coalesce(sum(c.kind = 'mobile'), 0), coalesce(sum(c.kind = 'landline'), 0),
                  coalesce(sum(c.kind = 'foreign'), 0)
           FROM contact_lists l LEFT JOIN contacts c ON c.list_id = l.id GROUP BY l.id"""
    )
    return {r[0]: tuple(r[1:]) for r in rows}


def listed(db) -> dict[str, tuple[int, int, int, int]]:
    return {d["name"]: (d["contacts"], d["mobiles"], d["landlines"], d["foreign"]) for d in contacts.list_lists(db)}


def test_contact_list_counts_follow_inserts_kind_changes_and_deletes(db):
    first = contacts.upsert_contacts(db, "a", [("+5511981000000", "mobile", {}), ("+551133334444", "landline", {}),
                                              ("+14155550100", "foreign", {})])
    assert (first.inserted, first.updated) == (3, 0)
    again = contacts.upsert_contacts(db, "a", [("+551133334444", "mobile", {}), ("+5511981000001", "mobile", {})])
    assert (again.inserted, again.updated) == (1, 1)
    contacts.upsert_contacts(db, "b", [("+5511981000000", "mobile", {})])
    assert listed(db) == recount_lists(db) == {"a": (4, 3, 0, 1), "b": (1, 1, 0, 0)}
    assert contacts.delete_list(db, "a") == 4
    assert listed(db) == recount_lists(db) == {"b": (1, 1, 0, 0)}


def recount_campaign(db, cid: int) -> store.Counts:
    c = store.Counts()
    for status, n, delivered, read in db.conn.execute(
        "SELECT status, count(*), count(delivered_at), count(read_at) FROM messages WHERE campaign_id = ? GROUP BY status",
        (cid,),
    ):
        setattr(c, status, n)
        c.delivered += delivered
        c.read += read
    return c


def test_campaign_counts_follow_every_transition_and_receipt(db):
    msgs = [store.NewMessage(seq=i + 1, row=i + 1, phone=f"+55119810000{i:02d}", text="oi", session="a",
                             status="skipped" if i == 5 else "pending") for i in range(6)]
    cid = store.create_campaign(db, name="c", template="oi", sessions=["a"], delay=(0, 0), messages=msgs)
    ids = [m.id for m in store.messages_in(db, cid, "pending")]
    day = "2026-05-01T03:00:00.000+00:00"
    for mid in ids[:3]:
        assert store.start_sending(db, mid, session="a", cap=10, since=day, sending_at=day)
    store.transition(db, ids[0], "sending", "sent", sent_at=day, message_id="true_x@c.us_AAAAAAAAAA")
    store.transition(db, ids[1], "sending", "sent", sent_at=day, message_id="true_x@c.us_BBBBBBBBBB")
    store.transition(db, ids[2], "sending", "failed", error="x")
    save_receipt(db, ids[0], Receipt(3, day, day, ""), day)
    save_receipt(db, ids[1], Receipt(2, day, None, ""), day)
    save_receipt(db, ids[1], Receipt(2, day, None, ""), day)  # a repeated ack changes nothing
    store.transition(db, ids[3], "pending", "skipped", error="opted_out")
    c = store.counts(db, cid)
    assert c == recount_campaign(db, cid)
    assert (c.pending, c.sending, c.sent, c.failed, c.skipped, c.delivered, c.read) == (1, 0, 2, 1, 2, 2, 1)
    other = store.create_campaign(db, name="d", template="oi", sessions=["a"], delay=(0, 0), messages=msgs[:2])
    assert store.counts_by_campaign(db) == {cid: c, other: recount_campaign(db, other)}
    store.delete_campaign(db, other)
    assert store.counts_by_campaign(db) == {cid: c}
