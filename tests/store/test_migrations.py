"""m014: a database kept by m005's campaign_counts migrates to variant_counts alone, and every
listing reads the same numbers from it as before."""

from __future__ import annotations

import sqlite_utils

from nexus_blast.domain.receipts import Receipt
from nexus_blast.store import campaigns as store
from nexus_blast.store import confirm
from nexus_blast.store.db import connect, open_database
from nexus_blast.store.delivery import save_receipt, skip_pending
from nexus_blast.store.migrations import migrations
from nexus_blast.store.replies import record_optout, record_reply
from nexus_blast.store.sessions import last_sent_at

DAY = "2026-05-01T03:00:00.000+00:00"


def at(minute: int) -> str:
    return f"2026-05-01T12:{minute:02d}:00.000+00:00"


def before_m014(path):
    """A database migrated up to m013, as the previous release left it."""
    db = sqlite_utils.Database(connect(path))
    migrations.apply(db, stop_before="m014_leaner_send_path")
    assert "campaign_counts" in db.table_names()
    return db


def old_counts(db) -> dict[int, store.Counts]:
    """What `campaign list` / `show` read before m014: campaign_counts, plus replies from variant_counts."""
    out: dict[int, store.Counts] = {}
    for cid, status, messages, delivered, read in db.execute(
        "SELECT campaign_id, status, messages, delivered, read FROM campaign_counts"
    ):
        c = out.setdefault(cid, store.Counts())
        setattr(c, status, messages)
        c.delivered += delivered
        c.read += read
    for cid, replied, opted_out in db.execute(
        "SELECT campaign_id, sum(replied), sum(opted_out) FROM variant_counts GROUP BY campaign_id"
    ):
        c = out.setdefault(cid, store.Counts())
        c.replied, c.opted_out = replied, opted_out
    return out


def recount(db) -> dict[int, store.Counts]:
    """The same figures counted from the messages themselves."""
    out: dict[int, store.Counts] = {}
    for cid, status, n, delivered, read, replied, opted_out in db.execute(
        """SELECT campaign_id, status, count(*), count(delivered_at), count(read_at),
                  count(replied_at), count(opted_out_at)
           FROM messages GROUP BY 1, 2"""
    ):
        c = out.setdefault(cid, store.Counts())
        setattr(c, status, n)
        c.delivered += delivered
        c.read += read
        c.replied += replied
        c.opted_out += opted_out
    return out


def old_last_sent(db, sessions) -> dict[str, str]:
    out = {}
    for name in sessions:
        row = db.execute("SELECT max(sent_at) FROM messages WHERE session = ? AND sent_at IS NOT NULL", (name,)).fetchone()
        if row[0]:
            out[name] = row[0]
    return out


def send(db, mid: int, session: str, minute: int) -> None:
    assert store.start_sending(db, mid, session=session, cap=100, since=DAY, sending_at=at(minute))
    assert store.transition(db, mid, "sending", "sent", sent_at=at(minute), message_id=f"true_x@c.us_{mid:010d}")


def fill(db) -> tuple[int, int]:
    """Two campaigns with every kind of change the counters follow, and a third one deleted."""
    ab = [store.NewMessage(seq=i + 1, row=i + 1, phone=f"+5511981000{i:03d}", text="oi", variant=i % 3)
          for i in range(12)]
    first = store.create_campaign(db, name="ab", template="oi", sessions=["a", "b"], delay=(0, 0), messages=ab)
    ids = [m.id for m in store.messages_in(db, first, "pending")]
    for k, mid in enumerate(ids[:8]):
        send(db, mid, "a" if k % 2 else "b", k)
    assert store.start_sending(db, ids[8], session="a", cap=100, since=DAY, sending_at=at(9))
    assert store.transition(db, ids[8], "sending", "failed", error="x")
    assert store.start_sending(db, ids[9], session="a", cap=100, since=DAY, sending_at=at(10))  # left in flight
    save_receipt(db, ids[0], Receipt(3, at(20), at(21), ""), at(21))
    save_receipt(db, ids[1], Receipt(2, at(20), None, ""), at(21))
    save_receipt(db, ids[2], Receipt(2, at(20), None, ""), at(21))
    assert record_reply(db, ids[0], at(30), "quero")
    assert record_optout(db, ids[3], at(31))
    assert skip_pending(db, "+5511981000010", "opted_out", at(31)) == 1

    asks = [store.NewMessage(seq=i + 1, row=i + 1, phone=f"+5511982000{i:03d}", text="posso?", phase="ask",
                             offer="oferta") for i in range(4)]
    second = store.create_campaign(db, name="ask", template="oi", sessions=["c"], delay=(0, 0), messages=asks)
    ask_ids = [m.id for m in store.messages_in(db, second, "pending")]
    for k, mid in enumerate(ask_ids[:3]):
        send(db, mid, "c", 40 + k)
    assert confirm.confirm(db, ask_ids[0], at(50))
    assert confirm.close(db, ask_ids[2], "no_confirmation")  # c's newest send: now a skipped question

    gone = store.create_campaign(db, name="gone", template="oi", sessions=["a"], delay=(0, 0), messages=ab[:3])
    send(db, store.messages_in(db, gone, "pending")[0].id, "a", 55)
    store.delete_campaign(db, gone)
    return first, second


def schema(db, kind: str) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))}


def test_a_database_with_campaign_counts_migrates_and_lists_the_same_numbers(tmp_path):
    path = tmp_path / "b.db"
    old = before_m014(path)
    first, second = fill(old)
    before = old_counts(old)
    assert set(before) == {first, second}
    assert before == recount(old)
    assert (before[first].sent, before[first].sending, before[first].failed, before[first].skipped,
            before[first].pending, before[first].delivered, before[first].read, before[first].replied,
            before[first].opted_out) == (8, 1, 1, 1, 1, 3, 1, 1, 1)
    assert (before[second].pending, before[second].sent, before[second].skipped) == (2, 1, 1)
    sent_before = old_last_sent(old, ["a", "b", "c", "d"])
    assert sent_before["c"] == at(42)
    old.conn.close()

    db = open_database(path)
    assert "campaign_counts" not in db.table_names()
    assert not {"messages_count_insert", "messages_count_delete", "messages_count_update",
                "campaigns_count_delete"} & schema(db, "trigger")
    assert "messages_session_sent" not in schema(db, "index")
    assert [r[2] for r in db.execute("PRAGMA index_info(messages_phone)")] == ["phone"]
    assert store.counts_by_campaign(db) == before
    assert store.counts_by_campaign(db, [second]) == {second: before[second]}
    assert store.counts(db, first) == before[first]
    assert last_sent_at(db, ["a", "b", "c", "d"]) == sent_before

    # the counters go on following changes after the migration
    pending = [m.id for m in store.messages_in(db, second, "pending")]
    send(db, pending[0], "c", 58)
    assert store.counts_by_campaign(db) == recount(db)
    assert last_sent_at(db, ["c"]) == {"c": at(58)}
    db.conn.close()


def test_queries_on_phone_and_last_sent_stay_on_indexes(tmp_path):
    db = open_database(tmp_path / "b.db")
    plans = {
        "last_senders": ("SELECT phone, session FROM messages WHERE phone IN (?, ?) AND status = 'sent' "
                         "AND session IS NOT NULL ORDER BY sent_at", ("+1", "+2")),
        "skip_pending": ("UPDATE messages SET status = 'skipped' WHERE phone = ? AND status = 'pending'", ("+1",)),
        "last_sent_at": ("SELECT max(sent_at) FROM messages WHERE session = ? AND status = 'sent' "
                         "AND sent_at IS NOT NULL", ("a",)),
    }
    for name, (sql, args) in plans.items():
        detail = " ".join(r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", args))
        assert "USING" in detail and "INDEX" in detail and "SCAN messages" not in detail, (name, detail)
    db.conn.close()
