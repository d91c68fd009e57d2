"""The A/B test's steps are each one transaction and idempotent: repeating one after a crash
changes nothing, and held messages are never in the sender's queue."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from nexus_blast.campaigns import abtest
from nexus_blast.store.campaigns import NewMessage, create_campaign, pending_queue
from nexus_blast.store.db import open_database


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "blast.db")
    yield database
    database.conn.close()


def make(db, n=10, share=0.2):
    messages = [NewMessage(seq=i, row=i, phone=f"+5511981{i:06d}", text=f"{'AB'[i % 2]} {i}", fields={"nome": f"N{i}"},
                           variant=i % 2) for i in range(1, n + 1)]
    cid = create_campaign(db, name="ab", template="A {{nome}}\n---\nB {{nome}}", sessions=["s1"], delay=(0, 0),
                          messages=messages, options={"variants": ["A {{nome}}", "B {{nome}}"]} | abtest.options_for(share, 60))
    abtest.hold_rest(db, cid, n, share, 2)
    return cid


def test_held_messages_are_not_queued(db):
    cid = make(db)
    assert [mid for mid, _, _ in pending_queue(db, cid)] == [1, 2]


def test_wait_then_decide_once(db):
    cid = make(db)
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert abtest.after_sending(db, cid, now) is None  # the test messages are still pending
    db.conn.execute("UPDATE messages SET status = 'sent', sent_at = '2026-12-01T11:00:00.000+00:00' WHERE held = 0")
    db.conn.execute("UPDATE messages SET replied_at = '2026-12-01T11:30:00.000+00:00' WHERE seq = 1")  # seq 1 has B: B answered
    reason, due = abtest.after_sending(db, cid, now)
    assert "waiting for replies" in reason and due == "2026-12-01T12:01:00.000+00:00"
    assert abtest.after_sending(db, cid, now + timedelta(seconds=30))[1] == due  # a repeat keeps the time
    assert abtest.before_run(db, cid, now + timedelta(seconds=30))[1] == due  # too early: still waiting
    assert abtest.before_run(db, cid, now + timedelta(seconds=61)) is None
    texts = db.conn.execute("SELECT text, variant, held FROM messages WHERE seq > 2 ORDER BY seq").fetchall()
    assert all(t["text"].startswith("B N") and t["variant"] == 1 and t["held"] == 0 for t in texts)
    options = json.loads(db.conn.execute("SELECT options FROM campaigns").fetchone()[0])
    assert options["ab"]["state"] == "decided" and options["ab"]["leader"] == 1
    db.conn.execute("UPDATE messages SET text = 'changed' WHERE seq = 3")
    assert abtest.decide(db, cid, now + timedelta(seconds=90)) == 1  # decided already: nothing re-rendered
    assert db.conn.execute("SELECT text FROM messages WHERE seq = 3").fetchone()[0] == "changed"
