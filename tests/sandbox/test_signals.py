"""The sandbox's WhatsApp signals: `me.messageCapping` and `me.reachoutTimelock` shaped as WAHA
2026.7+ shows them, set through the control API or turned on by faults; silent non-delivery."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.waiting import wait_until

CHAT = "5511987654321@c.us"


def me_of(sb, session="s1"):
    return httpx.get(f"{sb.url}/api/sessions/{session}", timeout=5).json()["me"]


def test_no_signals_until_set(make_sandbox):
    sb = make_sandbox(sessions=("s1",))
    me = me_of(sb)
    assert "messageCapping" not in me and "reachoutTimelock" not in me


def test_capping_as_waha_shows_it(make_sandbox):
    sb = make_sandbox(sessions=("s1",))
    sb.capping("s1", "SECOND_WARNING", totalQuota=100, usedQuota=90, cycle_seconds=3600)
    capping = me_of(sb)["messageCapping"]
    assert set(capping) == {"cappingStatus", "totalQuota", "usedQuota", "cycleStart", "cycleEnd", "mvStatus", "oteStatus"}
    assert (capping["cappingStatus"], capping["totalQuota"], capping["usedQuota"]) == ("SECOND_WARNING", 100, 90)
    assert isinstance(capping["cycleEnd"], int) and abs(capping["cycleEnd"] - (time.time() + 3600)) < 60
    assert httpx.get(f"{sb.url}/api/sessions?all=true", timeout=5).json()[0]["me"]["messageCapping"] == capping
    sb.capping("s1", None)
    assert "messageCapping" not in me_of(sb)
    with pytest.raises(httpx.HTTPStatusError):
        sb.capping("s1", "ALMOST")


def test_timelock_in_unix_seconds_then_inactive_once_lifted(make_sandbox):
    sb = make_sandbox(sessions=("s1",))
    sb.timelock("s1", 600)
    lock = me_of(sb)["reachoutTimelock"]
    assert lock["isActive"] is True and abs(lock["timeEnforcementEnds"] - (time.time() + 600)) < 60
    sent = httpx.post(f"{sb.url}/api/sendText", json={"session": "s1", "chatId": CHAT, "text": "oi"}, timeout=5)
    assert sent.status_code == 500 and "463" in sent.text
    sb.timelock("s1", 0)
    assert me_of(sb)["reachoutTimelock"] == {"isActive": False}


def test_capping_after_turns_the_status_after_n_sends(make_sandbox):
    sb = make_sandbox(sessions=("s1",))
    sb.faults(session="s1", capping_after=2, capping_status="CAPPED")
    for i in range(2):
        assert "messageCapping" not in me_of(sb)
        httpx.post(f"{sb.url}/api/sendText", json={"session": "s1", "chatId": f"55119870000{i:02d}@c.us", "text": "oi"}, timeout=5)
    assert me_of(sb)["messageCapping"]["cappingStatus"] == "CAPPED"


def test_silent_sends_are_accepted_and_acks_stop_at_server(make_sandbox):
    sb = make_sandbox(sessions=("s1",), ack_delay=0.01)
    sb.faults(session="s1", silent=True)
    sent = httpx.post(f"{sb.url}/api/sendText", json={"session": "s1", "chatId": CHAT, "text": "oi"}, timeout=5)
    assert sent.status_code == 201
    wait_until(lambda: sb.sent()[0]["ack"] == 1, what="the SERVER ack")
    assert sb.world.messages[0].delivers is False
