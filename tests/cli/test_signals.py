"""WhatsApp's signals (capping, reach-out timelock) and the brake on failure, end to end: `blast
send` against the sandbox, whose `me` carries the signals as WAHA does (issue 13, points 3 and 4)."""

from __future__ import annotations

import socket
import sqlite3
from collections import Counter

import pytest

from tests.campaigns.helpers import configure, e164, write_contacts

SIGNALS = {"signal_check": 1}


@pytest.fixture
def setup(blast_home, tmp_path):
    def make(sb, sessions=("s1", "s2"), n=20, **sections):
        configure(blast_home, {s: sb.url for s in sessions}, **sections)
        return write_contacts(tmp_path / "contatos.csv", n)

    return make


def events(blast_home) -> list[tuple[str, str]]:
    with sqlite3.connect(blast_home / "blast.db") as conn:
        return conn.execute("SELECT session, kind FROM lane_events ORDER BY id").fetchall()


def test_second_warning_mid_campaign_rests_that_session_and_its_contacts_move(blast, make_sandbox, setup, blast_home):
    sb = make_sandbox(sessions=("s1", "s2"))
    for s in ("s1", "s2"):
        sb.capping(s, "NONE")
    sb.faults(session="s1", capping_after=3, capping_status="SECOND_WARNING")
    csv = setup(sb, n=20, sending=SIGNALS)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert (result.json()["status"], result.json()["sent"]) == ("completed", 20)
    sent = sb.sent()
    assert Counter(m["chatId"] for m in sent) == {e164(i)[1:] + "@c.us": 1 for i in range(20)}
    assert Counter(m["session"] for m in sent)["s1"] == 3  # read before its next send: it rested at once
    assert "s1 resting" in result.stderr and "SECOND_WARNING" in result.stderr
    assert ("s1", "second_warning") in events(blast_home)
    shown = blast("session", "show", "s1", "--json").json()
    assert shown["capping"]["status"] == "SECOND_WARNING" and shown["capping"]["total_quota"] == 250
    assert shown["timelock"] is None and shown["brake"] is None
    campaign = blast("campaign", "show", "1", "--json").json()
    assert [(e["session"], e["kind"]) for e in campaign["lane_events"]] == [("s1", "second_warning")]
    assert "SECOND_WARNING" in campaign["lane_events"][0]["reason"]


def test_the_only_session_at_second_warning_pauses_the_campaign_exit_3_until_its_rest_ends(blast, make_sandbox, setup):
    sb = make_sandbox(sessions=("s1",))
    sb.capping("s1", "SECOND_WARNING", cycle_seconds=7200)
    csv = setup(sb, sessions=("s1",), n=5)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 3, result.stderr
    doc = result.json()
    assert (doc["status"], doc["sent"], doc["pending"]) == ("paused", 0, 5)
    assert "every session rests" in doc["reason"] and "SECOND_WARNING" in doc["reason"]
    assert sb.sent() == []
    listed = blast("campaign", "show", "1", "--json").json()
    assert listed["resume_on_due"] is True  # run-due continues it once the rest is over


def test_first_warning_is_shown_and_the_campaign_still_completes(blast, make_sandbox, setup):
    sb = make_sandbox(sessions=("s1",))
    sb.capping("s1", "FIRST_WARNING", usedQuota=200)
    csv = setup(sb, sessions=("s1",), n=4)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    listed = blast("session", "list", "--json").json()
    assert listed[0]["capping"] == {"status": "FIRST_WARNING", "total_quota": 250, "used_quota": 200,
                                    "cycle_end": listed[0]["capping"]["cycle_end"]}
    assert "session s1: WhatsApp capping FIRST_WARNING (200/250): delays doubled" in result.stderr
    assert "capping FIRST_WARNING" in blast("session", "list").stdout


def test_a_timelocked_session_keeps_only_its_existing_chats(blast, make_sandbox, setup, blast_home, tmp_path):
    sb = make_sandbox(sessions=("s1", "s2"))
    csv = setup(sb, n=10)
    first = write_contacts(tmp_path / "first.csv", 4)  # s1 talks to contacts 0-3 first
    assert blast("send", first, "-m", "Oi {{nome}}", "--session", "s1", "--yes").exit_code == 0
    sb.timelock("s1", 3600)
    before = len(sb.sent())
    result = blast("send", csv, "-m", "De novo {{nome}}", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["sent"] == 10
    second = sb.sent()[before:]
    assert Counter(m["chatId"] for m in second) == {e164(i)[1:] + "@c.us": 1 for i in range(10)}
    existing = {e164(i)[1:] + "@c.us" for i in range(4)}
    assert {m["chatId"] for m in second if m["session"] == "s1"} <= existing
    assert all(m["session"] == "s2" for m in second if m["chatId"] not in existing)
    assert "s1 timelocked" in result.stderr
    shown = blast("session", "show", "s1", "--json").json()
    assert shown["timelock"]["active"] is True and shown["timelock"]["ends"]


def test_a_463_reads_the_timelock_end_and_moves_new_contacts(blast, make_sandbox, setup, blast_home):
    sb = make_sandbox(sessions=("s1", "s2"))
    sb.faults(session="s1", timelock_after=2)
    csv = setup(sb, n=12)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["sent"] == 12
    assert len({m["chatId"] for m in sb.sent()}) == 12 == len(sb.sent())
    assert ("s1", "timelock") in events(blast_home)


def test_a_server_without_the_fields_sends_as_today(blast, sandbox, setup, blast_home):
    csv = setup(sandbox, n=9, sending=SIGNALS)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["sent"] == 9
    assert "signals" not in result.stderr and events(blast_home) == []
    shown = blast("session", "show", "s1", "--json").json()
    assert (shown["capping"], shown["timelock"], shown["brake"]) == (None, None, None)


def test_garbage_signals_are_logged_once_and_the_lane_goes_on(blast, make_sandbox, setup, blast_home):
    sb = make_sandbox(sessions=("s1",))
    sb.world.sessions["s1"].capping = {"cappingStatus": "SOMETHING_NEW", "totalQuota": "lots"}
    csv = setup(sb, sessions=("s1",), n=6, sending=SIGNALS)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["sent"] == 6
    assert result.stderr.count("signals unreadable") == 1
    assert events(blast_home) == [("s1", "signal_problem")]


def test_failures_trip_the_brake_and_when_every_session_brakes_the_campaign_pauses(blast, make_sandbox, setup, blast_home):
    sb = make_sandbox(sessions=("s1", "s2"))
    for s in ("s1", "s2"):  # WAHA refuses every send: each message fails for good
        sb.faults(session=s, fail_after=0, fail_message="invalid wid")
    csv = setup(sb, n=30, sending={"brake_window": 4, "brake_ratio": 0.5}, retry={"attempts": 1, "unhealthy_after": 100})
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 3, result.stderr
    doc = result.json()
    assert doc["status"] == "paused" and doc["pending"] > 0 and "brake" in doc["reason"]
    assert doc["failed"] <= 2 * 4  # each session stopped at its window
    kinds = Counter(kind for _, kind in events(blast_home))
    assert kinds["brake"] == 2
    shown = blast("session", "show", "s1", "--json").json()
    assert shown["brake"]["active"] is True and "failed" in shown["brake"]["reason"]
    again = blast("campaign", "resume", "1", "--yes", "--json")  # the rest still holds: paused again, said why
    assert again.exit_code == 3 and "brake" in again.json()["reason"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_silent_non_delivery_trips_the_brake_where_acks_arrive(blast, make_sandbox, blast_home, tmp_path):
    """Sends accepted, acks stop at SERVER (the sandbox's `silent` fault); the webhook receiver
    stores those acks, so the brake sees sends still undelivered after brake_ack_after."""
    from nexus_blast.config import load_settings
    from nexus_blast.serving import ThreadedServer
    from nexus_blast.store.db import open_database
    from nexus_blast.webhook.app import create_app

    sb = make_sandbox(sessions=("s1",), ack_delay=0.01)
    configure(blast_home, {}, sending={"delay": "0.3-0.3", "brake_window": 4, "brake_ratio": 0.5, "brake_ack_after": 0.2})
    port = _free_port()
    key = "signals-hmac-key-0123456789abcdef"
    added = blast("session", "add", "s1", "--url", sb.url, "--webhook", f"http://127.0.0.1:{port}/webhook",
                  "--webhook-hmac-key", key, "--json")
    assert added.exit_code == 0, added.stderr
    sb.faults(session="s1", silent=True)
    csv = write_contacts(tmp_path / "contatos.csv", 12)
    receiver_db = open_database(blast_home / "blast.db")
    try:
        with ThreadedServer(create_app(receiver_db, load_settings(blast_home / "config.toml")), port=port):
            result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    finally:
        receiver_db.conn.close()
    assert result.exit_code == 3, result.stderr
    doc = result.json()
    assert doc["status"] == "paused" and doc["pending"] > 0
    assert "brake" in doc["reason"] and "failed (0)" in doc["reason"]  # all of them silent, none failed
    assert 3 <= doc["sent"] < 12
    assert ("s1", "brake") in events(blast_home)


def test_dry_run_lists_the_sessions_signals_as_risks(blast, make_sandbox, setup):
    sb = make_sandbox(sessions=("s1", "s2", "s3"))
    sb.capping("s1", "CAPPED")
    sb.capping("s2", "FIRST_WARNING")
    sb.timelock("s3", 600)
    csv = setup(sb, sessions=("s1", "s2", "s3"), n=6)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    risks = [r for r in result.json()["risks"] if r["code"] in ("session_capping", "session_timelocked")]
    assert sorted((r["code"], r["level"], r["message"].split()[1]) for r in risks) == [
        ("session_capping", "high", "s1"), ("session_capping", "warn", "s2"), ("session_timelocked", "high", "s3"),
    ]
    human = blast("send", csv, "-m", "Oi {{nome}}", "--dry-run")
    assert "HIGH RISK (session_capping)" in human.stdout and "risk (session_capping)" in human.stdout
    assert sb.sent() == []


def test_dry_run_of_a_server_without_signals_has_no_signal_risks(blast, sandbox, setup):
    csv = setup(sandbox, n=3)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert [r for r in result.json()["risks"] if r["code"].startswith("session_")] == []
