"""Webhooks the sandbox emits: envelope, order of acks, HMAC over the raw body, session.status."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from nexus_blast.waha.client import WahaClient, run_sync

from tests.waiting import wait_until
from tests.waha.loopback import serve

CHAT = "5511987654321@c.us"


def _receiver():
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    received: list[tuple[dict, bytes]] = []

    async def hook(request):
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=200)

    return Starlette(routes=[Route("/hook", hook, methods=["POST"])]), received


def _configure(url, session, config):
    async def go():
        async with WahaClient(url) as waha:
            return await waha.update_session(session, config)

    return run_sync(go())


def _send(url, session, chat, text):
    async def go():
        async with WahaClient(url) as waha:
            return await waha.send_text(session, chat, text)

    return run_sync(go())


def test_acks_in_order_signed_with_hmac(sandbox):
    app, received = _receiver()
    with serve(app) as hook_url:
        _configure(sandbox.url, "s1", {"webhooks": [
            {"url": f"{hook_url}/hook", "events": ["message.ack", "session.status"], "hmac": {"key": "hmac-secret"}}
        ]})
        sent = _send(sandbox.url, "s1", CHAT, "oi")
        wait_until(lambda: sum(json.loads(b)["event"] == "message.ack" for _, b in received) >= 3)
    acks = [(h, json.loads(b)) for h, b in received if json.loads(b)["event"] == "message.ack"]
    assert [e["payload"]["ackName"] for _, e in acks] == ["SERVER", "DEVICE", "READ"]
    assert [e["payload"]["ack"] for _, e in acks] == [1, 2, 3]
    for headers, event in acks:
        assert event["payload"]["id"] == sent.serialized_id
        assert event["session"] == "s1" and event["id"].startswith("evt_")
        # WAHA 2026.2.1 (real-2026.2.1/…/webhooks): no `metadata` unless set; a request id of its own
        assert set(event) == {"id", "timestamp", "event", "session", "me", "engine", "environment", "payload"}
        assert headers["x-webhook-hmac-algorithm"] == "sha512"
        assert headers["x-webhook-request-id"] != event["id"] and len(headers["x-webhook-request-id"]) == 11
        assert "x-webhook-timestamp" in headers
    for headers, body in received:
        expected = hmac.new(b"hmac-secret", body, hashlib.sha512).hexdigest()
        assert headers["x-webhook-hmac"] == expected
    statuses = [json.loads(b)["payload"]["status"] for _, b in received if json.loads(b)["event"] == "session.status"]
    assert statuses[:3] == ["STOPPED", "STARTING", "WORKING"]  # PUT restarts a running session


def test_no_hmac_header_without_key_and_undelivered_number_stops_at_server(sandbox):
    app, received = _receiver()
    sandbox.whatsapp("5511911112222", exists=False)
    with serve(app) as hook_url:
        _configure(sandbox.url, "s2", {"webhooks": [{"url": f"{hook_url}/hook", "events": ["message.ack"]}]})
        _send(sandbox.url, "s2", "5511911112222@c.us", "ninguém")
        wait_until(lambda: len(received) >= 1)
        time.sleep(0.2)
    events = [json.loads(b) for _, b in received]
    assert [e["payload"]["ackName"] for e in events] == ["SERVER"]
    assert all("x-webhook-hmac" not in h for h, _ in received)
    assert sandbox.sent()[0]["ack"] == 1


def test_incoming_message_event_and_failed_deliveries_recorded(sandbox):
    app, received = _receiver()
    with serve(app) as hook_url:
        _configure(sandbox.url, "s3", {"webhooks": [
            {"url": f"{hook_url}/hook", "events": ["message"]},
            {"url": f"{hook_url}/missing", "events": ["message"], "retries": {"attempts": 1, "delaySeconds": 0.01}},
        ]})
        sandbox.incoming("s3", "5511987654321@c.us", "SAIR")
        wait_until(lambda: len(sandbox.webhooks()) >= 2 and all(d["attempts"] for d in sandbox.webhooks()))
        wait_until(lambda: any(d["status_code"] == 404 and d["attempts"] == 2 for d in sandbox.webhooks()))
    events = [json.loads(b) for _, b in received]
    assert events[0]["event"] == "message"
    assert events[0]["payload"]["body"] == "SAIR" and events[0]["payload"]["fromMe"] is False
