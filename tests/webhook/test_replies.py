"""Incoming `message` events as replies: attributed to the latest campaign message within the
window, at most once, from any spelling of the number; opt-outs are not replies; others ignored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nexus_blast.store.campaigns import counts_by_campaign
from nexus_blast.store.replies import variant_counts
from tests.webhook.conftest import PHONES, add_campaign, chat_of, incoming_event, make_settings


def _replies(db, cid: int) -> tuple[int, int]:
    """(replied, opted_out) of campaign CID, from the counters `campaign list` reads."""
    counts = counts_by_campaign(db, [cid])[cid]
    return counts.replied, counts.opted_out


def reply_of(receiver, phone, campaign_id=None):
    row = receiver.message(phone, campaign_id)
    return row["replied_at"], row["reply"], row["opted_out_at"]


def test_reply_is_recorded_on_the_message(receiver):
    cid = add_campaign(receiver.db, sent=2)
    response = receiver.post(incoming_event(chat_of(PHONES[0]), "  Quanto custa a consulta?  "))
    assert response.json() == {"status": "applied", "reply": PHONES[0], "campaign": cid, "new": True}
    replied_at, text, opted = reply_of(receiver, PHONES[0])
    assert replied_at and text == "Quanto custa a consulta?" and opted is None
    assert reply_of(receiver, PHONES[1])[0] is None
    assert _replies(receiver.db, cid) == (1, 0)


def test_only_the_first_160_characters_are_kept(receiver):
    add_campaign(receiver.db)
    receiver.post(incoming_event(chat_of(PHONES[0]), "x" * 500))
    assert reply_of(receiver, PHONES[0])[1] == "x" * 160


def test_repeated_event_and_a_second_message_change_nothing(receiver):
    cid = add_campaign(receiver.db)
    event = incoming_event(chat_of(PHONES[0]), "sim, quero")
    receiver.post(event)
    first = reply_of(receiver, PHONES[0])
    assert receiver.post(event).json() == {"status": "duplicate"}  # WAHA's retry of the same event
    again = receiver.post(incoming_event(chat_of(PHONES[0]), "alô?")).json()  # a new message, same person
    assert again == {"status": "applied", "reply": PHONES[0], "campaign": cid, "new": False}
    assert reply_of(receiver, PHONES[0]) == first
    assert _replies(receiver.db, cid) == (1, 0)


@pytest.mark.parametrize("sender", ["551187654321@c.us", "5511987654321@s.whatsapp.net", "551187654321@s.whatsapp.net"])
def test_other_spellings_of_the_number_match(receiver, sender):
    add_campaign(receiver.db)  # PHONES[0] = +5511987654321
    assert receiver.post(incoming_event(sender, "oi")).json()["status"] == "applied"
    assert reply_of(receiver, PHONES[0])[1] == "oi"


def test_lid_sender_matches_by_its_phone_alternative(receiver):
    add_campaign(receiver.db)
    event = incoming_event("123456789012345@lid", "tenho interesse")
    event["payload"]["_data"] = {"key": {"remoteJid": "123456789012345@lid", "remoteJidAlt": "5511987654321@s.whatsapp.net"}}
    assert receiver.post(event).json()["status"] == "applied"
    assert reply_of(receiver, PHONES[0])[1] == "tenho interesse"


def test_lid_sender_matches_a_message_sent_to_that_lid_chat(receiver):
    cid = add_campaign(receiver.db)
    receiver.db.conn.execute("UPDATE messages SET chat_id = '123456789012345@lid' WHERE campaign_id = ? AND phone = ?",
                             (cid, PHONES[0]))
    assert receiver.post(incoming_event("123456789012345@lid", "ok")).json()["reply"] == PHONES[0]


def test_the_most_recent_campaign_message_gets_the_reply(receiver):
    older = add_campaign(receiver.db, name="old")
    newer = add_campaign(receiver.db, name="new")
    later = (datetime.now(UTC) - timedelta(seconds=10)).isoformat(timespec="milliseconds")
    receiver.db.conn.execute("UPDATE messages SET sent_at = ? WHERE campaign_id = ?", (later, newer))
    receiver.post(incoming_event(chat_of(PHONES[0]), "sim"))
    assert reply_of(receiver, PHONES[0], newer)[1] == "sim"
    assert reply_of(receiver, PHONES[0], older)[0] is None


def test_a_message_older_than_the_window_gets_no_reply(start_receiver):
    receiver = start_receiver(make_settings(campaigns={"reply_window": "1h"}))
    cid = add_campaign(receiver.db)
    old = (datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="milliseconds")
    receiver.db.conn.execute("UPDATE messages SET sent_at = ? WHERE campaign_id = ?", (old, cid))
    doc = receiver.post(incoming_event(chat_of(PHONES[0]), "oi")).json()
    assert doc["status"] == "ignored" and "reply_window" in doc["reason"]
    assert reply_of(receiver, PHONES[0])[0] is None


def test_a_reply_from_another_session_does_not_cross(start_receiver):
    receiver = start_receiver(make_settings(sessions={"s1": {"url": "http://127.0.0.1:9"}, "s2": {"url": "http://127.0.0.1:9"}}))
    add_campaign(receiver.db, session="s2")
    doc = receiver.post(incoming_event(chat_of(PHONES[0]), "oi", session="s1")).json()
    assert doc["status"] == "ignored"


def test_optout_keyword_counts_as_an_optout_not_a_reply(receiver):
    cid = add_campaign(receiver.db)
    doc = receiver.post(incoming_event(chat_of(PHONES[0]), "SAIR")).json()
    assert doc["optout"] == PHONES[0] and doc["campaign"] == cid
    replied_at, text, opted = reply_of(receiver, PHONES[0])
    assert replied_at is None and text is None and opted
    assert _replies(receiver.db, cid) == (0, 1)
    counts = variant_counts(receiver.db, cid)
    assert [(v.variant, v.sent, v.replied, v.opted_out) for v in counts] == [(0, 1, 0, 1)]


@pytest.mark.parametrize("sender, reason", [
    ("120363025246125486@g.us", "group message"), ("status@broadcast", "status message"),
    ("987654321@broadcast", "broadcast message"), ("123@newsletter", "newsletter message"),
    ("14155550123@c.us", "no campaign message to this number within campaigns.reply_window"),
    ("123456789012345@lid", "sender is not a phone chat"),
])
def test_groups_broadcasts_status_and_unknown_numbers_are_ignored(receiver, sender, reason):
    add_campaign(receiver.db)
    before = receiver.snapshot()
    doc = receiver.post(incoming_event(sender, "oi", event_id=None)).json()
    assert doc == {"status": "ignored", "reason": reason}
    assert receiver.snapshot() == before


def test_own_messages_are_ignored(receiver):
    add_campaign(receiver.db)
    event = incoming_event(chat_of(PHONES[0]), "oi")
    event["payload"]["fromMe"] = True
    assert receiver.post(event).json() == {"status": "ignored", "reason": "own message"}


def test_writing_makes_the_contact_warm_for_the_session(receiver):
    from nexus_blast.store.replies import warm_sessions

    add_campaign(receiver.db, sent=0)
    receiver.post(incoming_event(chat_of(PHONES[2]), "bom dia"))
    assert warm_sessions(receiver.db, [PHONES[2], PHONES[0]]) == {PHONES[2]: ["s1"]}


def test_ignored_events_are_counted_in_the_log(start_receiver, caplog):
    import logging

    receiver = start_receiver()
    with caplog.at_level(logging.INFO, logger="nexus_blast.webhook"):
        for _ in range(2):
            receiver.post(incoming_event("120363025246125486@g.us", "oi"))
    assert "ignored: group message (2 so far)" in caplog.text


def test_retention_deletes_old_reply_texts(start_receiver):
    receiver = start_receiver(make_settings(campaigns={"reply_retention_days": 30}))
    cid = add_campaign(receiver.db, sent=2)
    old = (datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="milliseconds")
    receiver.db.conn.execute("UPDATE messages SET replied_at = ?, reply = 'velho' WHERE campaign_id = ? AND phone = ?",
                             (old, cid, PHONES[1]))
    receiver.post(incoming_event(chat_of(PHONES[0]), "novo"))
    assert reply_of(receiver, PHONES[1])[:2] == (old, None)  # when stays (the count), the text goes
    assert reply_of(receiver, PHONES[0])[1] == "novo"
