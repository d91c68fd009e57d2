"""The daily cap's counter (m005 session_day_counts): exact across campaigns, processes and days."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nexus_blast.store import campaigns as store
from nexus_blast.store.db import open_database
from nexus_blast.store.webhook import BARE_ID, find_by_message_ids
from nexus_blast.store.sessions import sent_today_counts, today_bounds

TZ = "America/Sao_Paulo"  # UTC-3: its local day starts at 03:00 UTC
DAY = today_bounds(TZ, datetime(2026, 5, 1, 12, tzinfo=UTC))[0]


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "b.db")
    yield database
    database.conn.close()


def make(db, n: int, name: str = "c", offset: int = 0) -> list[int]:
    msgs = [
        store.NewMessage(seq=i + 1, row=i + 1, phone=f"+55119810{offset + i:05d}", text="oi", session="a")
        for i in range(n)
    ]
    cid = store.create_campaign(db, name=name, template="oi", sessions=["a"], delay=(0, 0), messages=msgs)
    return [m.id for m in store.messages_in(db, cid, "pending")]


def take(db, mid: int, cap: int, day: str = DAY) -> bool:
    return store.start_sending(db, mid, session="a", cap=cap, since=day, sending_at=day)


def taken(db, day: str = DAY) -> int:
    row = db.conn.execute("SELECT taken FROM session_day_counts WHERE day = ? AND session = 'a'", (day,)).fetchone()
    return row[0] if row else 0


def test_two_campaigns_on_one_session_share_the_cap(db):
    first, second = make(db, 4, "one"), make(db, 4, "two", offset=100)
    results = [take(db, mid, cap=5) for pair in zip(first, second) for mid in pair]
    assert sum(results) == 5 and results[:5] == [True] * 5
    assert taken(db) == 5


def test_a_slot_is_freed_when_the_send_did_not_happen_and_kept_when_it_did(db):
    a, b, c, d = make(db, 4)
    assert take(db, a, cap=3) and take(db, b, cap=3) and take(db, c, cap=3)
    assert not take(db, d, cap=3)
    store.transition(db, a, "sending", "sent", sent_at=DAY, message_id="true_x@c.us_AAAAAAAAAA")
    store.transition(db, b, "sending", "pending")  # WAHA confirmed it did not go out: a retry
    assert taken(db) == 2 and store.get_message(db, b).status == "pending"
    assert take(db, d, cap=3)
    store.transition(db, c, "sending", "failed", error="x")
    assert taken(db) == 2  # a (sent) and d (sending)
    assert take(db, b, cap=3) and taken(db) == 3
    assert not take(db, make(db, 1, "late", offset=50)[0], cap=3)


def test_messages_moved_without_a_counter_are_counted_when_the_day_opens(db):
    # Sent before m005 (or by a bare transition): no cap_day, yet they count against the day.
    old = make(db, 3)
    for mid in old[:2]:
        store.transition(db, mid, "pending", "sending", session="a", sending_at=DAY)
        store.transition(db, mid, "sending", "sent", sent_at=DAY)
    store.transition(db, old[2], "pending", "sending", session="a", sending_at=DAY)
    assert [take(db, mid, cap=4) for mid in make(db, 3, "new", offset=10)] == [True, False, False]
    assert taken(db) == 4


def _race(path: str, ids: list[int], cap: int) -> int:
    database = open_database(Path(path))
    try:
        return sum(take(database, mid, cap) for mid in ids)
    finally:
        database.conn.close()


def test_two_processes_never_take_more_than_the_cap_together(db, tmp_path):
    ids = make(db, 400)
    with ProcessPoolExecutor(2) as pool:
        totals = list(pool.map(_race, [str(tmp_path / "b.db")] * 2, [ids[0::2], ids[1::2]], [150, 150]))
    assert sum(totals) == 150 and taken(db) == 150
    assert db.conn.execute("SELECT count(*) FROM messages WHERE status = 'sending'").fetchone()[0] == 150


def test_the_counter_rolls_over_at_midnight_in_the_configured_timezone(db):
    ids = make(db, 6)
    before = datetime(2026, 5, 2, 2, 59, tzinfo=UTC)  # 23:59 on May 1st in São Paulo
    after = datetime(2026, 5, 2, 3, 0, tzinfo=UTC)  # 00:00 on May 2nd there
    day1, day2 = today_bounds(TZ, before)[0], today_bounds(TZ, after)[0]
    assert (day1, day2) == ("2026-05-01T03:00:00.000+00:00", "2026-05-02T03:00:00.000+00:00")
    assert [take(db, mid, cap=2, day=day1) for mid in ids[:3]] == [True, True, False]
    for mid in ids[:2]:
        store.transition(db, mid, "sending", "sent", sent_at=day1)
    assert [take(db, mid, cap=2, day=day2) for mid in ids[2:5]] == [True, True, False]
    assert (taken(db, day1), taken(db, day2)) == (2, 2)
    store.transition(db, ids[2], "sending", "sent", sent_at=day2)
    assert sent_today_counts(db, TZ, before) == {"a": 2}
    assert sent_today_counts(db, TZ, after) == {"a": 1}


def test_deleting_messages_gives_their_slots_back(db):
    ids = make(db, 2)
    assert take(db, ids[0], cap=5) and take(db, ids[1], cap=5)
    store.transition(db, ids[0], "sending", "sent", sent_at=DAY)
    db.conn.execute("DELETE FROM messages")
    assert db.conn.execute("SELECT taken, sent FROM session_day_counts").fetchone()[:] == (0, 0)


def test_an_ack_naming_the_chat_by_lid_finds_its_message_by_index(db):
    ids = make(db, 3)
    for n, mid in enumerate(ids):
        take(db, mid, cap=9)
        store.transition(db, mid, "sending", "sent", sent_at=DAY, message_id=f"true_55119810{n:05d}@c.us_3EB0ID{n}XYZ")
    row = find_by_message_ids(db, ["a"], ["true_123@lid_3EB0ID1XYZ"], "3EB0ID1XYZ")
    assert row is not None and row.id == ids[1]
    assert find_by_message_ids(db, ["a"], ["true_123@lid_3EB0ID"], "3EB0ID") is None  # a prefix is not the id
    plan = " ".join(
        r[3]
        for r in db.conn.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM messages WHERE {BARE_ID} = ? AND message_id IS NOT NULL", ("x",)
        )
    )
    assert "messages_bare_id" in plan


def test_a_fresh_look_up_is_stored_with_the_send_start_even_when_the_slot_is_refused(db):
    a, b = make(db, 2)
    assert store.start_sending(db, a, session="a", cap=1, since=DAY, recipient=("+5511981000000", True, "x@c.us"), sending_at=DAY)
    assert not store.start_sending(db, b, session="a", cap=1, since=DAY, day_open=True,
                                   recipient=("+5511981000001", True, None), sending_at=DAY)
    assert not db.conn.in_transaction
    assert store.get_recipient(db, "+5511981000000")[:2] == (True, "x@c.us")
    assert store.get_recipient(db, "+5511981000001")[:2] == (True, None)
    assert taken(db) == 1 and store.get_message(db, b).status == "pending"


def test_an_ack_with_several_spellings_looks_each_id_up_instead_of_walking_the_session(db):
    ids = make(db, 3)
    for n, mid in enumerate(ids):
        take(db, mid, cap=9)
        store.transition(db, mid, "sending", "sent", sent_at=DAY, message_id=f"true_55119810{n:05d}@c.us_3EB0ID{n}XYZ")
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    candidates = ["true_5511981000002@s.whatsapp.net_3EB0ID2XYZ", "true_5511981000002@c.us_3EB0ID2XYZ"]
    row = find_by_message_ids(db, ["a"], candidates)
    db.conn.set_trace_callback(None)
    assert row is not None and row.id == ids[2]
    (lookup,) = [s for s in statements if "message_id IN" in s]
    plan = " ".join(r[3] for r in db.conn.execute(f"EXPLAIN QUERY PLAN {lookup}"))
    assert "messages_message_id (message_id=?)" in plan and "session=" not in plan, plan
