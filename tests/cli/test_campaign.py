"""`blast campaign list/show/pause/resume/cancel/report` through the real entry point."""

from __future__ import annotations

import csv
import io
import sqlite3

import pytest

from tests.campaigns.helpers import configure, e164, write_contacts

LIST_KEYS = {
    "campaign", "status", "sent", "failed", "skipped", "pending", "name", "scheduled_at", "delivered", "read",
    "delivered_rate", "read_rate", "replied", "reply_rate", "opted_out", "opted_out_rate",
}


@pytest.fixture
def sent_campaign(blast, sandbox, blast_home, tmp_path):
    configure(blast_home, {"s1": sandbox.url, "s2": sandbox.url})
    contacts = write_contacts(tmp_path / "c.csv", 4)
    result = blast("send", contacts, "-m", "Oi {{nome}}", "--name", "Black Friday", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()["campaign"]


@pytest.fixture
def paused_campaign(blast, make_sandbox, blast_home, tmp_path):
    sb = make_sandbox(sessions=("s1",))
    configure(blast_home, {"s1": sb.url})
    contacts = write_contacts(tmp_path / "c.csv", 5)
    stored = blast("send", contacts, "-m", "Oi {{nome}}", "--at", "+1h", "--yes", "--json")
    assert stored.exit_code == 0, stored.stderr  # `send` itself refuses when no session can send
    sb.set_status("s1", "FAILED")
    result = blast("campaign", "resume", str(stored.json()["campaign"]), "--yes", "--json")
    assert result.exit_code == 3, result.stderr
    return sb, result.json()["campaign"]


def test_list_and_show_json_shapes(blast, sent_campaign):
    listed = blast("campaign", "list", "--json")
    assert listed.exit_code == 0
    (doc,) = listed.json()
    assert set(doc) == LIST_KEYS
    assert (doc["campaign"], doc["status"], doc["sent"], doc["name"], doc["scheduled_at"]) == (sent_campaign, "completed", 4, "Black Friday", None)
    shown = blast("campaign", "show", str(sent_campaign), "--json")
    assert shown.exit_code == 0
    assert LIST_KEYS <= set(shown.json()) and shown.json()["sessions"] == ["s1", "s2"]
    assert "Black" in blast("campaign", "list").stdout
    assert blast("campaign", "show", str(sent_campaign)).exit_code == 0


def test_delivered_and_read_counts_and_rates(blast, sent_campaign, blast_home, tmp_path):
    from nexus_blast.store.db import open_database
    from nexus_blast.store.delivery import delivery_summary

    with sqlite3.connect(blast_home / "blast.db") as conn:  # receipts as the webhook or sync would store them
        conn.execute("UPDATE messages SET delivered_at = sent_at WHERE seq <= 3")
        conn.execute("UPDATE messages SET read_at = sent_at WHERE seq = 1")
    expected = {"sent": 4, "delivered": 3, "read": 1, "delivered_rate": 0.75, "read_rate": 0.25}
    (listed,) = blast("campaign", "list", "--json").json()
    shown = blast("campaign", "show", str(sent_campaign), "--json").json()
    assert {k: listed[k] for k in expected} == expected == {k: shown[k] for k in expected}
    db = open_database(blast_home / "blast.db")
    assert delivery_summary(db, sent_campaign) == {k: expected[k] for k in ("delivered", "read", "delivered_rate", "read_rate")}
    db.conn.close()
    assert "75% · 25%" in blast("campaign", "list").stdout
    human_show = blast("campaign", "show", str(sent_campaign)).stdout
    assert "3 (75%)" in human_show and "1 (25%)" in human_show and "_rate" not in human_show
    # The report keeps one row per contact; -o says the counts and rates on stderr.
    rows = blast("campaign", "report", str(sent_campaign), "--format", "json").json()
    assert len(rows) == 4 and sum(bool(r["delivered_at"]) for r in rows) == 3 and sum(bool(r["read_at"]) for r in rows) == 1
    written = blast("campaign", "report", str(sent_campaign), "-o", tmp_path / "r.csv")
    assert written.exit_code == 0 and "delivered 3 (75%), read 1 (25%)" in written.stderr


def test_rates_are_zero_while_nothing_was_sent(blast, paused_campaign):
    _, cid = paused_campaign
    shown = blast("campaign", "show", str(cid), "--json").json()
    assert (shown["sent"], shown["delivered_rate"], shown["read_rate"]) == (0, 0.0, 0.0)
    assert blast("campaign", "show", str(cid)).exit_code == 0


def test_unknown_campaign_is_exit_2(blast, blast_home):
    for args in (["show", "9"], ["pause", "9"], ["resume", "9", "--yes"], ["cancel", "9"], ["report", "9"]):
        result = blast("campaign", *args, "--json") if args[0] != "report" else blast("campaign", *args)
        assert result.exit_code == 2, args
        assert "no campaign 9" in result.stderr


def test_empty_list(blast, blast_home):
    assert blast("campaign", "list", "--json").json() == []


def test_report_csv_one_row_per_contact(blast, sent_campaign):
    result = blast("campaign", "report", str(sent_campaign))
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["phone", "status", "session", "message_id", "sent_at", "delivered_at", "read_at", "error",
                       "replied_at", "reply", "variant", "opted_out_at"]
    assert len(rows) == 5
    # Phones start with "+": escaped like every cell a spreadsheet could run as a formula.
    assert sorted(r[0] for r in rows[1:]) == sorted("'" + e164(i) for i in range(4))
    assert {r[1] for r in rows[1:]} == {"sent"}
    as_json = blast("campaign", "report", str(sent_campaign), "--format", "json").json()
    assert sorted(r["phone"] for r in as_json) == [e164(i) for i in range(4)]
    assert all(r["message_id"].startswith("true_") for r in as_json)


def test_report_escapes_formula_cells_and_writes_files(blast, sent_campaign, blast_home, tmp_path):
    with sqlite3.connect(blast_home / "blast.db") as conn:
        conn.execute("UPDATE messages SET error = '=HYPERLINK(\"http://x\")' WHERE seq = 1")
        conn.execute("UPDATE messages SET error = '@SUM(A1)' WHERE seq = 2")
        conn.execute("UPDATE messages SET error = '-2+3' WHERE seq = 3")
    out = tmp_path / "r.csv"
    assert blast("campaign", "report", str(sent_campaign), "-o", out).exit_code == 0
    errors = [r["error"] for r in csv.DictReader(out.open(encoding="utf-8"))]
    assert errors[:3] == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'-2+3"]
    again = blast("campaign", "report", str(sent_campaign), "-o", out)
    assert again.exit_code == 2 and "--yes" in again.stderr  # overwriting asks first
    assert blast("campaign", "report", str(sent_campaign), "-o", out, "--format", "json", "--yes").exit_code == 0
    assert out.read_text().lstrip().startswith("[")
    assert blast("campaign", "report", str(sent_campaign), "--format", "xml").exit_code == 2


def test_pause_then_resume_then_cannot_pause_completed(blast, paused_campaign):
    sb, cid = paused_campaign
    shown = blast("campaign", "show", str(cid), "--json").json()
    assert shown["status"] == "paused" and "no session can send" in shown["reason"]
    assert blast("campaign", "pause", str(cid), "--json").json()["status"] == "paused"  # idempotent
    needs_yes = blast("campaign", "resume", str(cid), "--json")
    assert needs_yes.exit_code == 2 and "--yes" in needs_yes.stderr
    still_down = blast("campaign", "resume", str(cid), "--yes", "--json")
    assert still_down.exit_code == 3 and still_down.json()["status"] == "paused"
    sb.set_status("s1", "WORKING")
    done = blast("campaign", "resume", str(cid), "--yes", "--json")
    assert done.exit_code == 0 and done.json()["sent"] == 5
    assert len(sb.sent()) == 5
    assert blast("campaign", "pause", str(cid)).exit_code == 2
    assert blast("campaign", "resume", str(cid), "--yes").exit_code == 2  # completed: nothing to resume


def test_cancel_skips_pending_and_is_final(blast, paused_campaign):
    sb, cid = paused_campaign
    refused = blast("campaign", "cancel", str(cid), "--json")  # no terminal, no --yes: nothing changes
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert blast("campaign", "show", str(cid), "--json").json()["status"] == "paused"
    result = blast("campaign", "cancel", str(cid), "--yes", "--json")
    assert result.exit_code == 0
    assert {k: result.json()[k] for k in ("status", "skipped", "pending")} == {"status": "cancelled", "skipped": 5, "pending": 0}
    report = blast("campaign", "report", str(cid), "--format", "json").json()
    assert {r["error"] for r in report} == {"cancelled"}
    assert blast("campaign", "report", str(cid), "--json").json() == report
    sb.set_status("s1", "WORKING")
    assert blast("campaign", "resume", str(cid), "--yes").exit_code == 2
    assert sb.sent() == []


def test_pause_from_another_command_stops_a_running_campaign(blast, sandbox, blast_home, tmp_path):
    """The runner reads the campaign's status before every send."""
    import threading

    from nexus_blast.campaigns.create import SendRequest, prepare
    from nexus_blast.campaigns.runner import run_campaign
    from nexus_blast.config import load_settings
    from nexus_blast.store import campaigns as store
    from nexus_blast.store.db import open_database

    settings = load_settings(configure(blast_home, {"s1": sandbox.url}, sending={"delay": "0.05-0.1"}))
    db = open_database(blast_home / "blast.db")
    prepared = prepare(settings, db, SendRequest(message="Oi", source=str(write_contacts(tmp_path / "c.csv", 30))), dry_run=False)
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.setdefault("o", run_campaign(settings, blast_home / "blast.db", prepared.campaign_id)))
    runner.start()
    while store.counts(db, prepared.campaign_id).sent < 3:
        threading.Event().wait(0.02)
    assert blast("campaign", "pause", str(prepared.campaign_id)).exit_code == 0
    runner.join(30)
    assert outcome["o"].status == "paused" and outcome["o"].exit_code == 0
    assert 3 <= outcome["o"].sent < 30
    db.conn.close()


def test_cancel_while_send_runs_ends_it_cancelled_exit_0(make_sandbox, tmp_path, blast_home, blast):
    """`campaign cancel` while `blast send` runs the campaign: the send process ends it as
    cancelled, exit 0, one clear line (today: IllegalTransition, a crash)."""
    import os
    import subprocess
    import sys
    import time

    sb = make_sandbox(sessions=("s1",))
    configure(blast_home, {"s1": sb.url}, sending={"delay": "0.1-0.15"})
    contacts = write_contacts(tmp_path / "c.csv", 40)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {"BLAST_HOME": str(blast_home)}
    proc = subprocess.Popen([sys.executable, "-m", "nexus_blast", "send", str(contacts), "-m", "Oi {{nome}}", "--yes", "--json"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 30
        while len(sb.sent()) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert blast("campaign", "cancel", "1", "--yes").exit_code == 0
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "cancelled by another command" in err
    import json

    doc = json.loads(out)
    assert doc["status"] == "cancelled" and 3 <= doc["sent"] < 40 and doc["pending"] == 0
    assert len({m["chatId"] for m in sb.sent()}) == len(sb.sent()) == doc["sent"]
