"""`campaign sync` logic: receipts polled from WAHA's chat history, through the webhook's code path."""

from __future__ import annotations

import asyncio

import pytest

from nexus_blast.errors import NotFound
from nexus_blast.store.db import open_database
from nexus_blast.webhook.sync import sync_campaign
from tests.waiting import wait_until
from tests.webhook.conftest import PHONES, add_campaign, make_settings, send_through


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "blast.db")
    yield database
    database.conn.close()


def test_sync_fills_delivered_and_read(db, make_sandbox):
    sandbox = make_sandbox(sessions=("s1",), ack_delay=0.01)
    cid = add_campaign(db, sent=0)
    send_through(sandbox.url, db, cid, PHONES[:2])
    wait_until(lambda: all(m["ack"] == 3 for m in sandbox.sent()), what="the sandbox's acks up to READ")
    settings = make_settings(sessions={"s1": {"url": sandbox.url}})
    result = asyncio.run(sync_campaign(db, settings, cid))
    assert result.document() == {"campaign": cid, "checked": 2, "updated": 2, "delivered": 2, "read": 2, "replies": 0, "optouts": 0, "errors": []}
    rows = db.conn.execute("SELECT ack, delivered_at, read_at FROM messages WHERE status = 'sent'").fetchall()
    assert all(r["ack"] == 3 and r["delivered_at"] and r["read_at"] for r in rows)
    again = asyncio.run(sync_campaign(db, settings, cid))
    assert (again.checked, again.updated) == (0, 0)  # nothing left unread


def test_sync_of_undelivered_number_records_server_ack_only(db, make_sandbox):
    sandbox = make_sandbox(sessions=("s1",), ack_delay=0.01)
    sandbox.whatsapp(PHONES[0].lstrip("+"), exists=False)  # a send "succeeds" but never arrives
    cid = add_campaign(db, sent=0)
    send_through(sandbox.url, db, cid, PHONES[:1])
    wait_until(lambda: all(m["ack"] == 1 for m in sandbox.sent()), what="the SERVER ack")
    result = asyncio.run(sync_campaign(db, make_settings(sessions={"s1": {"url": sandbox.url}}), cid))
    assert (result.checked, result.updated, result.delivered) == (1, 1, 0)
    row = db.conn.execute("SELECT ack, delivered_at FROM messages WHERE phone = ?", (PHONES[0],)).fetchone()
    assert (row["ack"], row["delivered_at"]) == (1, None)


def test_unreachable_session_is_reported_and_others_go_on(db, make_sandbox):
    sandbox = make_sandbox(sessions=("s1",), ack_delay=0.01)
    cid = add_campaign(db, sent=0)
    send_through(sandbox.url, db, cid, PHONES[:1])
    db.conn.execute("UPDATE messages SET status = 'sent', session = 'gone', chat_id = 'x@c.us', "
                    "message_id = 'true_x@c.us_1', sent_at = '2026-01-01T00:00:00.000+00:00' WHERE phone = ?", (PHONES[1],))
    wait_until(lambda: all(m["ack"] == 3 for m in sandbox.sent()), what="the sandbox's acks up to READ")
    settings = make_settings(
        sessions={"s1": {"url": sandbox.url}, "gone": {"url": "http://127.0.0.1:9"}},
        retry={"backoff_initial": 0.01, "backoff_max": 0.01},
    )
    result = asyncio.run(sync_campaign(db, settings, cid))
    assert result.exit_code == 3
    assert [e["session"] for e in result.errors] == ["gone"]
    assert result.read == 1


def test_session_no_longer_configured_is_exit_2(db):
    cid = add_campaign(db, sent=1, session="removed")
    result = asyncio.run(sync_campaign(db, make_settings(), cid))
    assert result.exit_code == 2 and "removed" in result.errors[0]["message"]


def test_unknown_campaign(db):
    with pytest.raises(NotFound):
        asyncio.run(sync_campaign(db, make_settings(), 99))
