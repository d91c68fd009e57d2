"""session.status events update the health of every configured session using that WAHA name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nexus_blast.store.campaigns import get_session_health, set_session_health
from tests.webhook.conftest import envelope, make_settings

SESSIONS = {
    "loja1": {"url": "http://a:3000", "waha_session": "default"},
    "loja2": {"url": "http://b:3000", "waha_session": "default"},  # same name, another server
    "vendas": {"url": "http://a:3000"},  # waha_session defaults to the local name
}


def health(receiver, name):
    row = get_session_health(receiver.db, name)
    return row and (row["status"], row["healthy"], row["reason"])


def test_status_changes_update_health(start_receiver):
    receiver = start_receiver(make_settings(sessions=SESSIONS))
    response = receiver.post(envelope("session.status", {"status": "FAILED"}, session="vendas"))
    assert response.json() == {"status": "applied", "sessions": ["vendas"], "healthy": False}
    assert health(receiver, "vendas") == ("FAILED", 0, "FAILED")
    receiver.post(envelope("session.status", {"status": "WORKING"}, session="vendas"))
    assert health(receiver, "vendas") == ("WORKING", 1, "WORKING")
    assert health(receiver, "loja1") is None


def test_same_name_on_several_servers_updates_all(start_receiver):
    receiver = start_receiver(make_settings(sessions=SESSIONS))
    receiver.post(envelope("session.status", {"status": "SCAN_QR_CODE"}, session="default"))
    assert health(receiver, "loja1") == health(receiver, "loja2") == ("SCAN_QR_CODE", 0, "SCAN_QR_CODE")


def test_unknown_session_is_ignored(start_receiver):
    receiver = start_receiver(make_settings(sessions=SESSIONS))
    response = receiver.post(envelope("session.status", {"status": "FAILED"}, session="nobody"))
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert receiver.db.conn.execute("SELECT COUNT(*) FROM session_health").fetchone()[0] == 0


def test_working_does_not_lift_a_timelock_hold(start_receiver):
    receiver = start_receiver(make_settings(sessions=SESSIONS))
    until = (datetime.now(UTC) + timedelta(hours=2)).isoformat(timespec="milliseconds")
    set_session_health(receiver.db, "vendas", status="WORKING", healthy=False, reason="timelock", until=until)
    receiver.post(envelope("session.status", {"status": "WORKING"}, session="vendas"))
    row = get_session_health(receiver.db, "vendas")
    assert (row["healthy"], row["reason"], row["until"]) == (0, "timelock", until)
    receiver.post(envelope("session.status", {"status": "FAILED"}, session="vendas"))
    row = get_session_health(receiver.db, "vendas")
    assert (row["status"], row["healthy"], row["until"]) == ("FAILED", 0, until)


def test_expired_hold_is_lifted_by_working(start_receiver):
    receiver = start_receiver(make_settings(sessions=SESSIONS))
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="milliseconds")
    set_session_health(receiver.db, "vendas", status="WORKING", healthy=False, reason="timelock", until=past)
    receiver.post(envelope("session.status", {"status": "WORKING"}, session="vendas"))
    row = get_session_health(receiver.db, "vendas")
    assert (row["healthy"], row["until"]) == (1, None)


def test_sandbox_status_change_reaches_the_receiver(start_receiver, make_sandbox):
    """A WAHA-shaped emitter (the sandbox) posting to the receiver over real HTTP."""
    import time

    receiver = start_receiver()
    sandbox = make_sandbox(sessions=("s1",))
    import httpx

    httpx.put(
        f"{sandbox.url}/api/sessions/s1",
        json={"config": {"webhooks": [{"url": f"{receiver.url}/webhook", "events": ["session.status"]}]}},
        timeout=10,
    ).raise_for_status()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        row = get_session_health(receiver.db, "s1")
        if row and row["status"] == "WORKING":
            break
        time.sleep(0.02)
    sandbox.set_status("s1", "FAILED")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and health(receiver, "s1") != ("FAILED", 0, "FAILED"):
        time.sleep(0.02)
    assert health(receiver, "s1") == ("FAILED", 0, "FAILED")


def _at(seconds_ago: float) -> int:
    return int((datetime.now(UTC) - timedelta(seconds=seconds_ago)).timestamp() * 1000)


def test_late_older_status_changes_nothing(start_receiver):
    """WAHA delivered a retried STARTING after the newer WORKING (issue 11, defect 4)."""
    receiver = start_receiver(make_settings(sessions=SESSIONS))
    receiver.post(envelope("session.status", {"status": "WORKING"}, session="vendas", timestamp=_at(5)))
    before = receiver.snapshot()["session_health"]
    late = receiver.post(envelope("session.status", {"status": "STARTING"}, session="vendas", timestamp=_at(10)))
    assert late.status_code == 200
    assert late.json() == {"status": "ignored", "reason": "older than the last status applied"}
    assert receiver.snapshot()["session_health"] == before
    assert health(receiver, "vendas") == ("WORKING", 1, "WORKING")
    newer = receiver.post(envelope("session.status", {"status": "FAILED"}, session="vendas", timestamp=_at(1)))
    assert newer.json()["status"] == "applied" and health(receiver, "vendas") == ("FAILED", 0, "FAILED")


def test_repeated_status_changes_nothing(start_receiver):
    """NOWEB repeats STARTING every ~2 s while it reconnects: only the first one is applied."""
    receiver = start_receiver(make_settings(sessions=SESSIONS))
    first = receiver.post(envelope("session.status", {"status": "STARTING"}, session="vendas", timestamp=_at(6)))
    assert first.json()["status"] == "applied"
    before = receiver.snapshot()["session_health"]
    for ago in (4, 2):
        again = receiver.post(envelope("session.status", {"status": "STARTING"}, session="vendas", timestamp=_at(ago)))
        assert again.json() == {"status": "ignored", "reason": "same status as the last applied"}
    assert receiver.snapshot()["session_health"] == before
    # the repeats moved the clock on: a late event stamped between them is still older
    stale = receiver.post(envelope("session.status", {"status": "WORKING"}, session="vendas", timestamp=_at(3)))
    assert stale.json()["status"] == "ignored" and health(receiver, "vendas") == ("STARTING", 0, "STARTING")
