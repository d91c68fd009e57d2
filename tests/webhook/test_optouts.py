"""Incoming `message` events: opt-out keywords stop every pending message and reply once."""

from __future__ import annotations

import time

import pytest

from tests.webhook.conftest import PHONES, add_campaign, chat_of, incoming_event, make_settings

REPLY = "Pronto, você não receberá mais mensagens."


def optouts(receiver) -> dict:
    return {r["phone"]: r["reason"] for r in receiver.db.conn.execute("SELECT phone, reason FROM optouts")}


@pytest.mark.parametrize(
    "body, word",
    [("SAIR", "sair"), ("sair!", "sair"), (" Sair. ", "sair"), ("NÃO QUERO", "nao quero"),
     ("nao quero", "nao quero"), ("Parar 🙏", "parar"), ("Stop", "stop"), ("descadastrar", "descadastrar")],
)
def test_keyword_opts_out_and_skips_pending_everywhere(receiver, body, word):
    phone = PHONES[1]
    first = add_campaign(receiver.db, sent=1, name="a")  # PHONES[1] still pending
    second = add_campaign(receiver.db, sent=0, name="b")
    response = receiver.post(incoming_event(chat_of(phone), body))
    assert response.status_code == 200
    assert response.json() == {"status": "applied", "optout": phone, "new": True, "skipped": 2}
    assert optouts(receiver) == {phone: f"keyword:{word}"}
    for cid in (first, second):
        row = receiver.message(phone, cid)
        assert (row["status"], row["error"]) == ("skipped", "opted_out")
    assert receiver.message(PHONES[0], first)["status"] == "sent"  # others untouched
    assert receiver.message(PHONES[2], first)["status"] == "pending"


@pytest.mark.parametrize("body", ["sair amanhã?", "quero sair", "Oi, tudo bem?", "", "🙏"])
def test_other_replies_change_nothing(receiver, body):
    add_campaign(receiver.db)
    before = receiver.snapshot()
    response = receiver.post(incoming_event(chat_of(PHONES[1]), body, event_id=None))
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert receiver.snapshot() == before


def test_legacy_8_digit_sender_maps_to_the_9_digit_number(receiver):
    add_campaign(receiver.db, sent=0)
    receiver.post(incoming_event("551187654321@c.us", "SAIR"))
    assert list(optouts(receiver)) == ["+5511987654321"]
    assert receiver.message("+5511987654321")["status"] == "skipped"


def test_s_whatsapp_net_sender_and_foreign_numbers(receiver):
    receiver.post(incoming_event("5531998765432@s.whatsapp.net", "parar"))
    receiver.post(incoming_event("14155550123@c.us", "STOP"))
    assert set(optouts(receiver)) == {"+5531998765432", "+14155550123"}


def test_own_messages_groups_and_lid_senders_are_ignored(receiver):
    own = incoming_event(chat_of(PHONES[0]), "sair")
    own["payload"]["fromMe"] = True
    for event in (own, incoming_event("120363025246125486@g.us", "sair"), incoming_event("123456789012345@lid", "sair")):
        assert receiver.post(event).json()["status"] == "ignored"
    assert optouts(receiver) == {}


def test_existing_optout_keeps_its_reason(receiver):
    from nexus_blast.store.contacts import add_optout

    add_optout(receiver.db, PHONES[0], "manual")
    assert receiver.post(incoming_event(chat_of(PHONES[0]), "sair")).json()["new"] is False
    assert optouts(receiver) == {PHONES[0]: "manual"}


def test_reply_is_sent_once(start_receiver):
    receiver = start_receiver(make_settings(webhook={"optout_reply": REPLY}))
    chat = chat_of(PHONES[0])
    for body in ("SAIR", "sair", "PARAR"):  # distinct events, same person
        assert receiver.post(incoming_event(chat, body)).status_code == 200
    assert [(r.session, r.chat_id, r.text) for r in receiver.replies] == [("s1", chat, REPLY)]


def test_no_reply_when_not_configured(receiver):
    receiver.post(incoming_event(chat_of(PHONES[0]), "SAIR"))
    assert receiver.replies == []


def test_reply_goes_through_waha_to_the_senders_chat(start_receiver, sandbox):
    """The real path: sendText on the sandbox, to the chat id the person wrote from (legacy here)."""
    settings = make_settings(webhook={"optout_reply": REPLY}, sessions={"loja": {"url": sandbox.url, "waha_session": "s2"}})
    receiver = start_receiver(settings, send_reply="waha")
    for _ in range(2):
        receiver.post(incoming_event("551187654321@c.us", "Sair", session="s2"))
    _wait_for(lambda: sandbox.sent())
    time.sleep(0.2)  # a second reply would have arrived by now
    sent = sandbox.sent()
    assert [(m["session"], m["chatId"], m["text"]) for m in sent] == [("s2", "551187654321@c.us", REPLY)]


def test_failed_reply_is_retried_by_the_next_keyword(start_receiver):
    attempts = []

    async def flaky(reply):
        attempts.append(reply)
        if len(attempts) == 1:
            raise ConnectionError("WAHA down")

    receiver = start_receiver(make_settings(webhook={"optout_reply": REPLY}), send_reply=flaky)
    receiver.post(incoming_event(chat_of(PHONES[0]), "SAIR"))
    _wait_for(lambda: attempts)
    _wait_for(lambda: not receiver.db.conn.execute("SELECT 1 FROM webhook_events WHERE event = 'optout.reply'").fetchone())
    receiver.post(incoming_event(chat_of(PHONES[0]), "SAIR"))
    _wait_for(lambda: len(attempts) == 2)
    receiver.post(incoming_event(chat_of(PHONES[0]), "SAIR"))
    time.sleep(0.1)
    assert len(attempts) == 2


def _wait_for(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")
