"""Events speak for the local sessions their signature (or `?session=`) proves: a receipt or a
session status never crosses sessions; an opt-out counts everywhere (issue 17, point 6)."""

from __future__ import annotations

import time

from nexus_blast.store.campaigns import get_session_health
from tests.webhook.conftest import PHONES, ack_event, add_campaign, chat_of, envelope, incoming_event, make_settings, wid

K1 = "key-of-server-a-0123456789abcdef"
K2 = "key-of-server-b-0123456789abcdef"
SAME_ID = "3EB0SAMEIDONBOTHSERVERS1"

TWO_SERVERS = {  # the same WAHA session name on two servers, each server with its own key
    "loja1": {"url": "http://127.0.0.1:9", "waha_session": "default", "webhook_hmac_key": K1},
    "loja2": {"url": "http://127.0.0.2:9", "waha_session": "default", "webhook_hmac_key": K2},
}


def receipt(receiver, campaign_id):
    row = receiver.message(PHONES[0], campaign_id)
    return row["ack"], row["delivered_at"], row["read_at"]


def test_unsigned_event_of_an_unkeyed_session_cannot_ack_a_keyed_sessions_message(start_receiver):
    sessions = {
        "keyed": {"url": "http://127.0.0.1:9", "waha_session": "s1", "webhook_hmac_key": K1},
        "open": {"url": "http://127.0.0.1:9", "waha_session": "s2"},
    }
    for allow in (False, True):
        receiver = start_receiver(make_settings(sessions=sessions, webhook={"allow_unsigned": allow}))
        cid = add_campaign(receiver.db, session="keyed", name=f"allow-{allow}")
        before = receipt(receiver, cid)
        response = receiver.post(ack_event(wid(PHONES[0], cid), 3, session="s2"))
        if allow:
            assert response.status_code == 200 and response.json() == {"status": "ignored", "reason": "unknown message id"}
        else:
            assert response.status_code == 401
        assert receipt(receiver, cid) == before
        signed = receiver.post(ack_event(wid(PHONES[0], cid), 3, session="s1"), key=K1)
        assert signed.json() == {"status": "applied", "changed": True}


def test_same_session_name_on_two_servers_is_told_apart_by_the_key(start_receiver):
    receiver = start_receiver(make_settings(sessions=TWO_SERVERS))
    c1 = add_campaign(receiver.db, session="loja1", name="a", bare_id=SAME_ID)
    c2 = add_campaign(receiver.db, session="loja2", name="b", bare_id=SAME_ID)
    before = receipt(receiver, c1)
    event = ack_event(wid(PHONES[0], bare_id=SAME_ID), 3, session="default")
    assert receiver.post(event, key=K2).json() == {"status": "applied", "changed": True}
    assert receipt(receiver, c1) == before  # loja1's message is untouched
    assert receipt(receiver, c2)[0] == 3

    status = receiver.post(envelope("session.status", {"status": "FAILED"}, session="default"), key=K1)
    assert status.json() == {"status": "applied", "sessions": ["loja1"], "healthy": False}
    assert get_session_health(receiver.db, "loja1")["status"] == "FAILED"
    assert get_session_health(receiver.db, "loja2") is None


def test_unknown_session_signed_with_a_key_changes_no_receipt_or_status(start_receiver):
    receiver = start_receiver(make_settings(sessions=TWO_SERVERS))
    cid = add_campaign(receiver.db, session="loja1")
    before = receiver.snapshot()
    ack = receiver.post(ack_event(wid(PHONES[0], cid), 3, session="intruder"), key=K1)
    assert ack.status_code == 200 and ack.json()["status"] == "ignored"
    status = receiver.post(envelope("session.status", {"status": "FAILED"}, session="intruder"), key=K1)
    assert status.json()["status"] == "ignored"
    after = receiver.snapshot()
    assert {t: after[t] for t in after if t != "webhook_events"} == {t: before[t] for t in before if t != "webhook_events"}


def test_query_parameter_names_the_local_session_of_unsigned_events(start_receiver):
    sessions = {name: {k: v for k, v in cfg.items() if k != "webhook_hmac_key"} for name, cfg in TWO_SERVERS.items()}
    receiver = start_receiver(make_settings(sessions=sessions))
    c1 = add_campaign(receiver.db, session="loja1", name="a", bare_id=SAME_ID)
    c2 = add_campaign(receiver.db, session="loja2", name="b", bare_id=SAME_ID)
    event = ack_event(wid(PHONES[0], bare_id=SAME_ID), 2, session="default")
    assert receiver.post(event, params={"session": "loja2"}).json() == {"status": "applied", "changed": True}
    assert receipt(receiver, c1)[0] == 0 and receipt(receiver, c2)[0] == 2
    status = receiver.post(envelope("session.status", {"status": "FAILED"}, session="default"), params={"session": "loja2"})
    assert status.json()["sessions"] == ["loja2"]
    assert get_session_health(receiver.db, "loja1") is None
    wrong = receiver.post(envelope("session.status", {"status": "FAILED"}, session="default"), params={"session": "nobody"})
    assert wrong.status_code == 401 and "nobody" in wrong.json()["error"]


def test_query_parameter_cannot_widen_what_a_key_proves(start_receiver):
    receiver = start_receiver(make_settings(sessions=TWO_SERVERS))
    c1 = add_campaign(receiver.db, session="loja1", bare_id=SAME_ID)
    before = receipt(receiver, c1)
    event = ack_event(wid(PHONES[0], bare_id=SAME_ID), 3, session="default")
    assert receiver.post(event, key=K2, params={"session": "loja1"}).status_code == 401
    assert receipt(receiver, c1) == before


def test_optout_heard_by_one_session_counts_for_every_campaign(start_receiver):
    settings = make_settings(sessions=TWO_SERVERS, webhook={"optout_reply": "Pronto, não enviaremos mais."})
    receiver = start_receiver(settings)
    c1 = add_campaign(receiver.db, session="loja1", name="a", sent=0)
    c2 = add_campaign(receiver.db, session="loja2", name="b", sent=0)
    response = receiver.post(incoming_event(chat_of(PHONES[1]), "SAIR", session="default"), key=K2)
    assert response.json()["status"] == "applied" and response.json()["skipped"] == 2
    assert receiver.message(PHONES[1], c1)["status"] == receiver.message(PHONES[1], c2)["status"] == "skipped"
    deadline = time.monotonic() + 10  # the reply is sent after the answer
    while not receiver.replies and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [r.session for r in receiver.replies] == ["loja2"]  # confirmed by the session that heard it
