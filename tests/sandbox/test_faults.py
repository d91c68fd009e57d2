"""Fault modes of real servers: a session deleted behind blast's back, NOWEB reconnecting (STARTING
repeated every 2 s), webhook retries delivered late and out of order; WAHA's waits on by default."""

from __future__ import annotations

import json
import threading
import time

import httpx

from nexus_blast.sandbox.state import SandboxConfig

from tests.waiting import wait_until
from tests.waha.loopback import serve

CHAT = "5511987654321@c.us"


def _receiver(fail_first: int = 0):
    """A webhook receiver that answers 500 to its first FAIL_FIRST calls."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    received: list[tuple[dict, dict]] = []
    lock = threading.Lock()
    calls = [0]

    async def hook(request):
        body = json.loads(await request.body())
        with lock:
            calls[0] += 1
            failing = calls[0] <= fail_first
            received.append((dict(request.headers), body | {"_answered": 500 if failing else 200}))
        return Response(status_code=500 if failing else 200)

    return Starlette(routes=[Route("/hook", hook, methods=["POST"])]), received


def _hook(sb, session, url, **retries):
    config = {"webhooks": [{"url": url, "events": ["session.status"], "retries": {"policy": "constant", "attempts": 3, "delaySeconds": 0.3, **retries}}]}
    sb.world.sessions[session].config = config  # written directly: a PUT would restart the session


def test_waits_are_wahas_by_default_and_scaled_by_the_option(make_sandbox):
    assert SandboxConfig().wait_scale == 1.0  # 5 s / 10 s, as the real server
    sb = make_sandbox(sessions=("s1",), wait_scale=0.2)  # 5 s → 1 s
    httpx.post(f"{sb.url}/api/sessions/s1/stop", timeout=30)
    started = time.monotonic()
    answer = httpx.post(f"{sb.url}/api/sendText", json={"session": "s1", "chatId": CHAT, "text": "oi"}, timeout=30)
    assert time.monotonic() - started >= 0.9
    assert answer.status_code == 422 and answer.json()["status"] == "STOPPED"


def test_session_deleted_now_answers_does_not_exist(make_sandbox):
    sb = make_sandbox(sessions=("s1", "s2"))
    assert sb.delete("s1") == {"name": "s1", "deleted": True}
    assert httpx.get(f"{sb.url}/api/sessions/s1").status_code == 404
    answer = httpx.post(f"{sb.url}/api/sendText", json={"session": "s1", "chatId": CHAT, "text": "oi"}, timeout=30)
    assert answer.status_code == 422 and answer.json() == {"error": 'Session "s1" does not exist', "session": "s1"}
    assert [s["name"] for s in httpx.get(f"{sb.url}/api/sessions", params={"all": "true"}).json()] == ["s2"]


def test_reconnecting_repeats_starting_every_two_seconds_scaled(make_sandbox):
    sb = make_sandbox(sessions=("s1",), wait_scale=0.05)  # 2 s → 0.1 s
    app, received = _receiver()
    with serve(app) as url:
        _hook(sb, "s1", f"{url}/hook")
        sb.faults(session="s1", reconnecting=True)
        sb.set_status("s1", "STARTING")
        wait_until(lambda: len(received) >= 4)
    events = [body for _, body in received]
    assert all(e["payload"]["status"] == "STARTING" and e["payload"]["name"] == "s1" for e in events)
    histories = [len(e["payload"]["statuses"]) for e in events]
    assert histories == sorted(histories) and histories[-1] > histories[0]  # the history grows, as WAHA's
    assert httpx.get(f"{sb.url}/api/sessions/s1").json()["status"] == "STARTING"  # never gets further


def test_retry_delivered_after_a_newer_event_keeps_its_request_id(make_sandbox):
    sb = make_sandbox(sessions=("s1",))
    app, received = _receiver(fail_first=1)
    with serve(app) as url:
        _hook(sb, "s1", f"{url}/hook", delaySeconds=2)
        sb.set_status("s1", "FAILED")  # its first attempt answered 500: retried in 2 s
        wait_until(lambda: len(received) >= 1)
        sb.set_status("s1", "STOPPED")  # goes out meanwhile
        wait_until(lambda: len(received) >= 3)
    order = [(b["payload"]["status"], b["_answered"], h["x-webhook-request-id"], b["id"]) for h, b in received]
    assert [(s, a) for s, a, _, _ in order] == [("FAILED", 500), ("STOPPED", 200), ("FAILED", 200)]
    assert order[0][2] == order[2][2] and order[0][3] == order[2][3]  # same delivery, same ids
    assert order[1][2] != order[0][2]
    retried, newer = received[2][1], received[1][1]
    assert retried["timestamp"] <= newer["timestamp"]  # the older event, by its envelope, arrived last


def test_webhook_late_fault_delivers_an_event_after_newer_ones(make_sandbox):
    sb = make_sandbox(sessions=("s1",))
    app, received = _receiver()
    with serve(app) as url:
        _hook(sb, "s1", f"{url}/hook")
        sb.faults(session="s1", webhook_late=1, webhook_late_seconds=0.3)
        sb.set_status("s1", "STARTING")
        sb.set_status("s1", "WORKING")
        wait_until(lambda: len(received) >= 2)
    statuses = [b["payload"]["status"] for _, b in received]
    assert statuses == ["WORKING", "STARTING"]
    late, newer = received[1][1], received[0][1]
    assert late["timestamp"] <= newer["timestamp"]  # older by its envelope timestamp, arrived last
    assert late["id"].startswith("evt_") and len(late["id"]) == 30
    lost = next(d for d in sb.webhooks() if d["request_id"] == received[1][0]["x-webhook-request-id"])
    assert lost["attempts"] == 2 and lost["status_code"] == 200
