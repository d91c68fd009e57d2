"""HMAC signatures, malformed bodies and garbage: 401/400, never a state change, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from tests.webhook.conftest import PHONES, ack_event, add_campaign, chat_of, incoming_event, make_settings, sign, wid

KEY = "hmac-key-for-tests-0123456789"


@pytest.fixture
def signed(start_receiver):
    sessions = {
        "loja1": {"url": "http://127.0.0.1:9", "waha_session": "s1", "webhook_hmac_key": KEY},
        "loja2": {"url": "http://127.0.0.1:9", "waha_session": "s2"},
    }
    return start_receiver(make_settings(sessions=sessions))


def test_valid_signature_is_accepted(signed):
    cid = add_campaign(signed.db, session="loja1")
    response = signed.post(ack_event(wid(PHONES[0], cid), 2), key=KEY)
    assert response.status_code == 200 and response.json()["status"] == "applied"


@pytest.mark.parametrize("how", ["missing", "wrong key", "tampered body", "garbage header"])
def test_bad_signature_is_401_and_changes_nothing(signed, how):
    cid = add_campaign(signed.db)
    before = signed.snapshot()
    events = [ack_event(wid(PHONES[0], cid), 3), incoming_event(chat_of(PHONES[1]), "SAIR")]
    for event in events:
        body = json.dumps(event).encode()
        headers = {}
        if how == "wrong key":
            headers["X-Webhook-Hmac"] = sign(body, "another-key")
        elif how == "tampered body":
            headers["X-Webhook-Hmac"] = sign(body, KEY)
            body = body.replace(b'"ack": 3', b'"ack": 4').replace(b"SAIR", b"PARAR")
        elif how == "garbage header":
            headers["X-Webhook-Hmac"] = "zz\u00e9".encode("latin-1")
        response = signed.post(raw=body, headers=headers)
        assert response.status_code == 401
        assert KEY not in response.text
    assert signed.snapshot() == before


def test_session_without_key_is_refused_once_another_has_one(signed):
    """A keyed session's receipts and opt-outs cannot be reached through an unkeyed one (17.6)."""
    before = signed.snapshot()
    response = signed.post(incoming_event(chat_of(PHONES[1]), "SAIR", session="s2"))
    assert response.status_code == 401 and "X-Webhook-Hmac" in response.json()["error"]
    assert signed.snapshot() == before


def test_allow_unsigned_accepts_sessions_without_a_key(start_receiver):
    sessions = {
        "loja1": {"url": "http://127.0.0.1:9", "waha_session": "s1", "webhook_hmac_key": KEY},
        "loja2": {"url": "http://127.0.0.1:9", "waha_session": "s2"},
    }
    receiver = start_receiver(make_settings(sessions=sessions, webhook={"allow_unsigned": True}))
    response = receiver.post(incoming_event(chat_of(PHONES[1]), "SAIR", session="s2"))
    assert response.status_code == 200 and response.json()["status"] == "applied"
    assert receiver.post(incoming_event(chat_of(PHONES[1]), "SAIR", session="s1")).status_code == 401


def test_unknown_session_needs_some_configured_key(signed):
    """An unknown session name must not bypass the check: any configured key is required."""
    event = incoming_event(chat_of(PHONES[1]), "SAIR", session="intruder")
    assert signed.post(event).status_code == 401
    assert signed.post(event, key=KEY).status_code == 200


def test_unknown_session_without_any_key_is_accepted(receiver):
    response = receiver.post(incoming_event(chat_of(PHONES[1]), "SAIR", session="other"))
    assert response.status_code == 200


def test_uppercase_hex_signature_is_accepted(signed):
    body = json.dumps(incoming_event(chat_of(PHONES[1]), "oi")).encode()
    response = signed.post(raw=body, headers={"X-Webhook-Hmac": sign(body, KEY).upper()})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"", b"not json", b"{", b"[]", b"null", b'"text"', b"\xff\xfe", b"{}",
        b'{"event": "message.ack"}',  # no session
        b'{"session": "s1"}',  # no event
        b'{"event": "message.ack", "session": "s1"}',  # no payload
        b'{"event": "message.ack", "session": "s1", "payload": {"ack": 2}}',  # no id
        b'{"event": "message.ack", "session": "s1", "payload": {"id": "x", "ack": 9}}',
        b'{"event": "message.ack", "session": "s1", "payload": {"id": "x", "ack": "soon"}}',
        b'{"event": "message.ack", "session": "s1", "payload": []}',
        b'{"event": 5, "session": "s1", "payload": {}}',
        b'{"event": "message", "session": ["s1"], "payload": {}}',
        b'{"event": "message", "session": "s1", "payload": {"body": "sair"}}',  # no from
        b'{"event": "message", "session": "s1", "payload": {"from": "1@c.us", "body": 3}}',
        b'{"event": "message", "session": "s1", "payload": {"from": "1@c.us", "body": "x", "fromMe": "no"}}',
        b'{"event": "session.status", "session": "s1", "payload": {}}',
        b'{"event": "session.status", "session": "s1", "payload": {"status": 1}}',
        b"[" * 100_000,
    ],
)
def test_malformed_body_is_400(receiver, raw):
    before = receiver.snapshot()
    response = receiver.post(raw=raw)
    assert response.status_code == 400, response.text
    assert "error" in response.json()
    assert receiver.snapshot() == before


def test_oversized_body_is_413(receiver):
    response = receiver.post(raw=b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}')
    assert response.status_code == 413


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": _json | st.text(max_size=30),
        "event": st.sampled_from(["message", "message.ack", "session.status", "message.any"]) | _json,
        "session": st.sampled_from(["s1", "s2", ""]) | _json,
        "timestamp": _json,
        "payload": st.fixed_dictionaries(
            {},
            optional={
                "id": _json | st.just("true_5511987654321@c.us_3EB0AAAA") | st.just({"_serialized": "true_1@lid_3EB012345678"}),
                "ack": _json | st.integers(-3, 6), "ackName": _json | st.sampled_from(["READ", "DEVICE"]),
                "from": _json | st.sampled_from(["5511987654321@c.us", "1@lid", "x@g.us", "@"]),
                "fromMe": _json, "body": _json | st.sampled_from(["SAIR", "sair!", "não quero"]),
                "status": _json | st.sampled_from(["WORKING", "FAILED"]),
            },
        ) | _json,
    },
)


@hsettings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=200), _fields.map(lambda d: json.dumps(d).encode())))
def test_garbage_never_500s(receiver, body):
    response = receiver.post(raw=body, headers={"X-Webhook-Request-Id": "fuzz"})
    assert response.status_code in (200, 400), (body, response.text)


def _stamp(minutes_ago: float) -> int:
    from datetime import UTC, datetime, timedelta

    return int((datetime.now(UTC) - timedelta(minutes=minutes_ago)).timestamp() * 1000)


@pytest.mark.parametrize("minutes_ago", [20, -20, None, "yesterday"])
def test_event_without_id_outside_max_age_is_refused_as_a_replay(receiver, minutes_ago):
    cid = add_campaign(receiver.db)
    event = ack_event(wid(PHONES[0], cid), 3, event_id=None)
    if minutes_ago is None:
        del event["timestamp"]
    else:
        event["timestamp"] = minutes_ago if isinstance(minutes_ago, str) else _stamp(minutes_ago)
    before = receiver.snapshot()
    response = receiver.post(event, headers={"X-Webhook-Request-Id": "replayed-1"})
    assert response.status_code == 400 and "replay" in response.json()["error"]
    assert receiver.snapshot() == before


def test_max_age_is_a_setting_and_ids_make_old_events_safe(start_receiver):
    receiver = start_receiver(make_settings(webhook={"max_age": 3600}))
    cid = add_campaign(receiver.db, sent=2)
    old = ack_event(wid(PHONES[0], cid), 2, event_id=None, timestamp=_stamp(20))
    assert receiver.post(old).json()["status"] == "applied"
    with_id = ack_event(wid(PHONES[1], cid), 2, event_id="evt_old", timestamp=_stamp(24 * 60))
    assert receiver.post(with_id).json()["status"] == "applied"  # a replay of it would be a duplicate
    assert receiver.post(with_id).json() == {"status": "duplicate"}
