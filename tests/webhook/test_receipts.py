"""message.ack over real HTTP: receipts move forward only, duplicates and unknown ids change nothing."""

from __future__ import annotations

from tests.webhook.conftest import PHONES, ack_event, add_campaign, envelope, wid


def test_ack_sequence_sets_delivered_then_read(receiver):
    cid = add_campaign(receiver.db)
    phone = PHONES[0]
    for ack in (1, 2):
        assert receiver.post(ack_event(wid(phone, cid), ack)).status_code == 200
    row = receiver.message(phone)
    assert row["ack"] == 2 and row["delivered_at"] and row["read_at"] is None
    response = receiver.post(ack_event(wid(phone, cid), 3))
    assert response.json() == {"status": "applied", "changed": True}
    row = receiver.message(phone)
    assert row["ack"] == 3 and row["read_at"] >= row["delivered_at"]
    assert row["status"] == "sent"


def test_out_of_order_acks_never_move_backwards(receiver):
    cid = add_campaign(receiver.db)
    phone = PHONES[0]
    receiver.post(ack_event(wid(phone, cid), 3))  # READ first: delivered too
    row = receiver.message(phone)
    assert row["ack"] == 3 and row["delivered_at"] and row["read_at"]
    before = receiver.message(phone)
    for ack in (2, 1, 0, -1):
        assert receiver.post(ack_event(wid(phone, cid), ack)).json()["changed"] is False
    assert receiver.message(phone) == before


def test_played_counts_as_read(receiver):
    cid = add_campaign(receiver.db)
    receiver.post(ack_event(wid(PHONES[0], cid), 4))
    row = receiver.message(PHONES[0])
    assert row["ack"] == 4 and row["delivered_at"] and row["read_at"]


def test_error_ack_is_recorded_only_before_delivery(receiver):
    cid = add_campaign(receiver.db, sent=2)
    first, second = PHONES[0], PHONES[1]
    receiver.post(ack_event(wid(first, cid), 1))
    receiver.post(ack_event(wid(first, cid), -1))
    row = receiver.message(first)
    assert row["ack"] == -1 and row["error"] == "ack_error" and row["delivered_at"] is None
    receiver.post(ack_event(wid(first, cid), 2))  # it arrived after all
    row = receiver.message(first)
    assert row["ack"] == 2 and row["error"] == "" and row["delivered_at"]

    receiver.post(ack_event(wid(second, cid), 2))
    receiver.post(ack_event(wid(second, cid), -1))
    row = receiver.message(second)
    assert row["ack"] == 2 and row["error"] == ""


def test_duplicate_event_changes_nothing_more(receiver):
    cid = add_campaign(receiver.db)
    event = ack_event(wid(PHONES[0], cid), 2, event_id="evt_dup")
    assert receiver.post(event).json()["status"] == "applied"
    after_first = receiver.snapshot()
    again = receiver.post(event)
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert receiver.snapshot() == after_first


def test_request_id_header_is_the_key_without_envelope_id(receiver):
    cid = add_campaign(receiver.db)
    event = ack_event(wid(PHONES[0], cid), 2, event_id=None)
    headers = {"X-Webhook-Request-Id": "req-1"}
    assert receiver.post(event, headers=headers).json()["status"] == "applied"
    assert receiver.post(event, headers=headers).json()["status"] == "duplicate"
    ids = [r[0] for r in receiver.db.conn.execute("SELECT id FROM webhook_events")]
    assert ids == ["req-1"]


def test_unknown_message_id_is_ignored_with_200(receiver):
    add_campaign(receiver.db)
    before = receiver.snapshot()["messages"]
    response = receiver.post(ack_event("true_5511999999999@c.us_3EB0NOPE0000000000", 3))
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert receiver.snapshot()["messages"] == before


def test_chat_spelling_variants_find_the_message(receiver):
    """@s.whatsapp.net instead of @c.us, the legacy 8-digit id, or an @lid chat: same message."""
    cid = add_campaign(receiver.db, sent=3)
    a, b, c = (wid(p, cid) for p in PHONES)
    receiver.post(ack_event(a.replace("@c.us", "@s.whatsapp.net"), 2))
    legacy = b.replace("5521987651234", "552187651234")
    receiver.post(ack_event(legacy, 2))
    lid = "true_123456789012345@lid_" + c.split("_", 2)[2]
    receiver.post(ack_event(lid, 3))
    assert receiver.message(PHONES[0])["delivered_at"]
    assert receiver.message(PHONES[1])["delivered_at"]
    assert receiver.message(PHONES[2])["read_at"]


def test_ack_name_without_number_is_accepted(receiver):
    cid = add_campaign(receiver.db)
    event = ack_event(wid(PHONES[0], cid), 2)
    del event["payload"]["ack"]
    assert receiver.post(event).json()["status"] == "applied"
    assert receiver.message(PHONES[0])["ack"] == 2


def test_event_time_is_the_envelope_timestamp(receiver):
    cid = add_campaign(receiver.db)
    event = ack_event(wid(PHONES[0], cid), 2)
    event["timestamp"] = 1_700_000_000_000  # 2023-11-14T22:13:20Z
    receiver.post(event)
    assert receiver.message(PHONES[0])["delivered_at"] == "2023-11-14T22:13:20.000+00:00"


def test_unused_event_types_are_acknowledged(receiver):
    response = receiver.post(envelope("presence.update", {"id": "x"}))
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert receiver.snapshot()["webhook_events"] == []


def test_health(receiver):
    import httpx

    assert httpx.get(f"{receiver.url}/health").json() == {"status": "ok"}
