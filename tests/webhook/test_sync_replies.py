"""`campaign sync` reads what contacts wrote (the sandbox's scripted replies) as the webhook would."""

from __future__ import annotations

import asyncio

import pytest

from nexus_blast.store.db import open_database
from nexus_blast.webhook.sync import sync_campaign
from tests.waiting import wait_until
from tests.webhook.conftest import PHONES, add_campaign, make_settings, send_through


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "blast.db")
    yield database
    database.conn.close()


def test_sync_records_replies_and_optouts_once(db, make_sandbox):
    sandbox = make_sandbox(sessions=("s1",), ack_delay=0.01)
    sandbox.replies({"phone": PHONES[0], "text": "Quero sim!", "delay": 0},
                    {"phone": PHONES[1], "text": "SAIR", "delay": 0, "from": "552187651234@c.us"})
    cid = add_campaign(db, sent=0)
    send_through(sandbox.url, db, cid, PHONES)
    wait_until(lambda: all(r["delivered"] for r in sandbox.replies()["scheduled"]) and len(sandbox.replies()["scheduled"]) == 2,
               what="the sandbox's scripted replies")
    settings = make_settings(sessions={"s1": {"url": sandbox.url}})
    result = asyncio.run(sync_campaign(db, settings, cid))
    assert (result.replies, result.optouts, result.errors) == (1, 1, [])
    rows = {r["phone"]: r for r in db.conn.execute("SELECT phone, reply, replied_at, opted_out_at FROM messages")}
    assert rows[PHONES[0]]["reply"] == "Quero sim!" and rows[PHONES[0]]["opted_out_at"] is None
    assert rows[PHONES[1]]["reply"] is None and rows[PHONES[1]]["opted_out_at"]
    assert rows[PHONES[2]]["replied_at"] is None
    assert db.conn.execute("SELECT phone FROM optouts").fetchall()[0]["phone"] == PHONES[1]
    again = asyncio.run(sync_campaign(db, settings, cid))
    assert (again.replies, again.optouts) == (0, 0)


def test_sandbox_share_rule_picks_exactly_that_fraction(make_sandbox):
    from nexus_blast.sandbox.state import Message, ReplyRule, World

    rule = ReplyRule("ok", contains="A", share=0.3)
    world = World.__new__(World)
    world.reply_rules = [rule]
    picked = [world.reply_for(Message(f"id{i}", "x", "s1", f"55119{i:08d}@c.us", "texto A", 0)) is not None for i in range(100)]
    assert sum(picked) == 30
    assert world.reply_for(Message("idB", "x", "s1", "5511900000000@c.us", "texto B", 0)) is None
