"""Reading an unknown outcome back from the chat (campaigns/reconcile.py): what counts as proof
that a message went out."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from nexus_blast.campaigns.reconcile import find_sent
from nexus_blast.store.campaigns import Message
from nexus_blast.store.db import iso

CHAT = "5511981000000@c.us"
TEXT = "Olá Ana, oferta para São Paulo!"


class History:
    """A WAHA client whose chat history is ITEMS, newest first; like some servers, it may ignore
    the timestamp filter."""

    def __init__(self, items: list[dict], honour_filter: bool) -> None:
        self.items, self.honour_filter, self.asked = items, honour_filter, []

    async def chat_messages(self, session, chat_id, *, limit=20, since=None, from_me=True):
        self.asked.append(since)
        return [i for i in self.items if not self.honour_filter or since is None or i["timestamp"] >= since][:limit]


def message(sending_at: datetime) -> Message:
    return Message(
        id=1, campaign_id=2, seq=0, row=1, phone="+5511981000000", text=TEXT, status="sending", session="s1",
        chat_id=CHAT, message_id=None, attempts=1, error="", sending_at=iso(sending_at), sent_at=None,
    )


def item(ident: str, when: datetime, text: str = TEXT) -> dict:
    return {"id": f"true_{CHAT}_{ident}", "timestamp": int(when.timestamp()), "fromMe": True, "body": text}


def test_same_text_sent_long_before_is_not_proof_when_the_server_ignores_the_filter():
    now = datetime.now(UTC)
    # An earlier campaign (or a person) sent the same text to this chat an hour ago; its id is not
    # ours. Taking it as our message would mark ours sent without it ever going out: a loss.
    client = History([item("OLD", now - timedelta(hours=1))], honour_filter=False)
    assert asyncio.run(find_sent(client, "s1", message(now), lambda i: False)) is None


def test_our_message_after_sending_at_is_found_and_known_ids_are_skipped():
    now = datetime.now(UTC)
    ours, other = item("NEW", now + timedelta(seconds=1)), item("MINE_ALREADY", now + timedelta(seconds=2))
    client = History([other, ours, item("OLD", now - timedelta(hours=1))], honour_filter=False)
    found = asyncio.run(find_sent(client, "s1", message(now), lambda i: i.endswith("MINE_ALREADY")))
    assert found == f"true_{CHAT}_NEW"


def test_other_text_is_not_proof():
    now = datetime.now(UTC)
    client = History([item("X", now + timedelta(seconds=1), text=TEXT + "!")], honour_filter=True)
    assert asyncio.run(find_sent(client, "s1", message(now), lambda i: False)) is None


def test_line_endings_and_outer_blanks_changed_by_the_server_still_match():
    now = datetime.now(UTC)
    sent = message(now)
    sent = Message(**{**sent.__dict__, "text": "Olá Ana,\noferta!\n"})
    client = History([item("CRLF", now + timedelta(seconds=1), text="Olá Ana,\r\noferta!")], honour_filter=True)
    assert asyncio.run(find_sent(client, "s1", sent, lambda i: False)) == f"true_{CHAT}_CRLF"
