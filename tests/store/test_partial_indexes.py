"""m015: the indexes only sent messages need are partial, and a session's failures have their own
index; every reader still finds the same rows, each along its index (no scan of the messages)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlite_utils

from nexus_blast.store import campaigns as store
from nexus_blast.store import confirm
from nexus_blast.store.db import connect, open_database
from nexus_blast.store.delivery import skip_pending
from nexus_blast.store.migrations import migrations
from nexus_blast.store.sessions import last_sent_at
from nexus_blast.store.signals import recent_sends
from nexus_blast.store.webhook import find_by_message_ids

DAY = "2026-05-01T03:00:00.000+00:00"
SESSIONS = ["a", "b", "c", "d"]


def at(minute: int) -> str:
    return f"2026-05-01T12:{minute:02d}:00.000+00:00"


def waha_id(mid: int) -> str:
    return f"true_55119810{mid:05d}@c.us_3EB0{mid:06d}X"


def before_m015(path):
    """A database migrated up to m014, as the previous release left it."""
    db = sqlite_utils.Database(connect(path))
    migrations.apply(db, stop_before="m015_partial_send_indexes")
    assert "messages_session_failed" not in schema(db)
    return db


def schema(db) -> dict[str, str]:
    return {r[0]: r[1] for r in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}


def start(db, mid: int, session: str, minute: int) -> None:
    assert store.start_sending(db, mid, session=session, cap=1000, since=DAY, sending_at=at(minute))


def fill(db) -> dict[str, list[int]]:
    """Messages in every state: pending, in flight, sent (with WAHA ids), failed (many on `a`),
    skipped, a confirm-first question closed unanswered (skipped, keeps sent_at) and one confirmed
    (pending again, its id and sent_at cleared)."""
    plain = [store.NewMessage(seq=i + 1, row=i + 1, phone=f"+5511981{i:06d}", text="oi") for i in range(40)]
    cid = store.create_campaign(db, name="all", template="oi", sessions=["a", "b"], delay=(0, 0), messages=plain)
    ids = [m.id for m in store.messages_in(db, cid, "pending")]
    by: dict[str, list[int]] = {"sent": [], "failed": [], "sending": [], "skipped": [], "pending": []}
    for k, mid in enumerate(ids[:12]):
        start(db, mid, "a" if k % 3 else "b", k)
        assert store.transition(db, mid, "sending", "sent", sent_at=at(k), message_id=waha_id(mid))
        by["sent"].append(mid)
    for k, mid in enumerate(ids[12:30]):
        start(db, mid, "a" if k % 6 else "b", 12 + k % 40)
        assert store.transition(db, mid, "sending", "failed", error="x")
        by["failed"].append(mid)
    for mid in ids[30:32]:
        start(db, mid, "a", 50)
        by["sending"].append(mid)
    assert skip_pending(db, f"+5511981{32:06d}", "opted_out", at(51)) == 1
    by["skipped"].append(ids[32])
    by["pending"] += ids[33:]

    asks = [store.NewMessage(seq=i + 1, row=i + 1, phone=f"+5511982{i:06d}", text="posso?", phase="ask", offer="oferta")
            for i in range(3)]
    second = store.create_campaign(db, name="ask", template="oi", sessions=["c"], delay=(0, 0), messages=asks)
    ask_ids = [m.id for m in store.messages_in(db, second, "pending")]
    for k, mid in enumerate(ask_ids):
        start(db, mid, "c", 52 + k)
        assert store.transition(db, mid, "sending", "sent", sent_at=at(52 + k), message_id=waha_id(mid))
    assert confirm.confirm(db, ask_ids[0], at(56))  # pending again: no id, no sent_at
    assert confirm.close(db, ask_ids[2], "no_confirmation")  # c's newest send, now skipped
    by["sent"].append(ask_ids[1])
    by["pending"].append(ask_ids[0])
    by["skipped"].append(ask_ids[2])
    return by


def traced(db, call: Callable[[], object]) -> tuple[object, list[str]]:
    """CALL's result and the statements on messages it ran (values bound in)."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        result = call()
    finally:
        db.conn.set_trace_callback(None)
    return result, [s for s in statements if "FROM messages" in s]


def plan(db, sql: str) -> str:
    return " | ".join(r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}"))


def readers(by: dict[str, list[int]]) -> dict[str, tuple[Callable, tuple[str, ...]]]:
    """Each reader of the rebuilt or new indexes: the call and the index each of its statements uses."""
    sent, failed = by["sent"][3], by["failed"][0]
    return {
        "last_sent_at": (lambda db: last_sent_at(db, SESSIONS), ("messages_session_status_sent",) * 4),
        "sent_since": (lambda db: store.sent_since(db, "a", at(4)), ("messages_session_status_sent",)),
        "recent_sends": (lambda db: recent_sends(db, "a", since=None, limit=50),
                         ("messages_session_status_sent", "messages_session_failed")),
        "recent_sends since": (lambda db: recent_sends(db, "a", since=at(8), limit=5),
                               ("messages_session_status_sent", "messages_session_failed")),
        "find_by_message_ids": (
            lambda db: find_by_message_ids(db, ["a", "b"], [waha_id(sent), waha_id(sent).replace("@c.us", "@s.whatsapp.net")]),
            ("messages_message_id",)),
        "find_by_message_ids @lid": (
            lambda db: find_by_message_ids(db, ["a", "b"], ["true_123@lid_nothing"], waha_id(sent).rsplit("_", 1)[1]),
            ("messages_message_id", "messages_bare_id")),
        "message_id_known": (lambda db: (store.message_id_known(db, waha_id(sent)),
                                         store.message_id_known(db, waha_id(failed))),
                             ("messages_message_id",) * 2),
    }


def test_the_migration_keeps_every_readers_rows_and_puts_each_on_its_index(tmp_path):
    path = tmp_path / "b.db"
    old = before_m015(path)
    by = fill(old)
    before = {name: traced(old, lambda: call(old))[0] for name, (call, _) in readers(by).items()}
    old.conn.close()

    db = open_database(path)
    indexes = schema(db)
    assert indexes["messages_session_status_sent"].endswith("WHERE sent_at IS NOT NULL")
    assert indexes["messages_message_id"].endswith("WHERE message_id IS NOT NULL")
    assert indexes["messages_bare_id"].endswith("WHERE message_id IS NOT NULL")
    assert indexes["messages_session_failed"].endswith("WHERE status = 'failed'")
    for name, (call, expected) in readers(by).items():
        result, statements = traced(db, lambda: call(db))
        assert result == before[name], name
        assert len(statements) == len(expected), (name, statements)
        for sql, index in zip(statements, expected, strict=True):
            detail = plan(db, sql)
            assert f"USING INDEX {index}" in detail or f"USING COVERING INDEX {index}" in detail, (name, detail)
            assert "SCAN messages" not in detail, (name, detail)
    db.conn.close()


def test_the_readers_answer_what_the_messages_say(tmp_path):
    db = open_database(tmp_path / "b.db")
    by = fill(db)
    # a's newest send is minute 11, b's minute 9; c's newest is the question closed unanswered
    assert last_sent_at(db, SESSIONS) == {"a": at(11), "b": at(9), "c": at(54)}
    assert store.sent_since(db, "a", at(4)) == 6  # minutes 4, 5, 7, 8, 10 and 11 (6 and 9 are b's)
    sends = recent_sends(db, "a", since=None, limit=50)
    assert sum(s.failed for s in sends) == 15 and sum(not s.failed for s in sends) == 8
    assert [s.failed for s in recent_sends(db, "a", since=at(20), limit=50)] == [True] * 8  # begun at minutes 21 to 29 but 24 (b's)
    sent = by["sent"][3]
    row = find_by_message_ids(db, ["a", "b"], [waha_id(sent)])
    assert row is not None and row.id == sent
    lid = find_by_message_ids(db, ["a", "b"], ["true_123@lid_x"], waha_id(sent).rsplit("_", 1)[1])
    assert lid is not None and lid.id == sent
    assert find_by_message_ids(db, ["c"], [waha_id(sent)]) is None  # receipts do not cross sessions
    assert not store.message_id_known(db, waha_id(by["pending"][-1]))  # confirmed: its id went
    db.conn.close()


@pytest.mark.parametrize("status", ["pending", "sending"])
def test_a_message_not_yet_sent_has_no_entry_in_the_sent_indexes(tmp_path, status):
    db = open_database(tmp_path / "b.db")
    cid = store.create_campaign(db, name="p", template="oi", sessions=["a"], delay=(0, 0),
                                messages=[store.NewMessage(seq=1, row=1, phone="+5511981000001", text="oi")])
    (mid,) = [m.id for m in store.messages_in(db, cid, "pending")]
    if status == "sending":
        start(db, mid, "a", 1)
    for index, where in (("messages_session_status_sent", "sent_at IS NOT NULL"),
                         ("messages_message_id", "message_id IS NOT NULL"),
                         ("messages_bare_id", "message_id IS NOT NULL"),
                         ("messages_session_failed", "status = 'failed'")):
        assert db.execute(f"SELECT count(*) FROM messages INDEXED BY {index} WHERE {where}").fetchone()[0] == 0, index
    db.conn.close()
