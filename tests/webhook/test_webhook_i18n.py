"""The receiver's refusals in pt-BR: its log line says why in the operator's language, its HTTP
answer (read by WAHA and its logs) stays English in every language."""

from __future__ import annotations

import logging

from tests.webhook.conftest import PHONES, add_campaign, ack_event, chat_of, incoming_event, make_settings, wid

KEY = "hmac-key-for-tests-0123456789"


def test_a_missing_signature_is_logged_in_portuguese_and_answered_in_english(start_receiver, portuguese, caplog):
    sessions = {"loja1": {"url": "http://127.0.0.1:9", "waha_session": "s1", "webhook_hmac_key": KEY}}
    receiver = start_receiver(make_settings(sessions=sessions))
    caplog.set_level(logging.WARNING, logger="nexus_blast.webhook")
    response = receiver.post(incoming_event(chat_of(PHONES[1]), "SAIR"))
    assert response.status_code == 401 and response.json() == {"error": "missing X-Webhook-Hmac"}
    assert "evento recusado para a sessão s1: X-Webhook-Hmac ausente" in caplog.text


def test_a_malformed_payload_is_logged_in_portuguese_and_answered_in_english(receiver, portuguese, caplog):
    cid = add_campaign(receiver.db)
    event = ack_event(wid(PHONES[0], cid), 3)
    event["payload"] = {"ack": 3}
    caplog.set_level(logging.WARNING, logger="nexus_blast.webhook")
    response = receiver.post(event)
    assert response.status_code == 400 and response.json() == {"error": "payload.id is missing"}
    assert "payload.id está ausente" in caplog.text
