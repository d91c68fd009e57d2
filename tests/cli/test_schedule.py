"""Scheduling end to end: `send --at`, `run-due` (in-process and as concurrent processes),
`worker` (SIGTERM, SIGKILL and lease takeover), sending windows, `pause --resume-at`."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.campaigns.helpers import configure, e164, write_contacts
from tests.waiting import StreamLines

SP = ZoneInfo("America/Sao_Paulo")


def _cli() -> list[str]:
    return [sys.executable, "-m", "nexus_blast"]


def _env(home, **extra: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {"BLAST_HOME": str(home)} | extra


def _campaign(home, cid: int = 1) -> dict:
    """The campaign's row ({} while it, or the database, does not exist yet)."""
    try:
        with sqlite3.connect(f"file:{home / 'blast.db'}?mode=ro", uri=True, timeout=10) as conn:
            conn.row_factory = sqlite3.Row
            row = conn.execute("SELECT * FROM campaigns WHERE id = ?", (cid,)).fetchone()
    except sqlite3.OperationalError:
        return {}
    return dict(row) if row else {}


def _statuses(home) -> dict[str, int]:
    with sqlite3.connect(home / "blast.db", timeout=10) as conn:
        return dict(conn.execute("SELECT status, count(*) FROM messages GROUP BY status").fetchall())


def _each_once(sent: list[dict], n: int) -> None:
    chats = Counter(m["chatId"] for m in sent)
    assert set(chats) == {e164(i)[1:] + "@c.us" for i in range(n)}, "lost messages"
    assert set(chats.values()) == {1}, f"duplicates: {[c for c, k in chats.items() if k > 1]}"


def _closed_window() -> str:
    """A one-hour window starting two hours from now (São Paulo time): closed right now."""
    start = datetime.now(SP) + timedelta(hours=2)
    end = start + timedelta(hours=1)
    return f"{start:%H:%M}-{end:%H:%M}"


def _wait(predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def setup(blast_home, tmp_path):
    def make(sb, sessions=("s1", "s2"), n=10, **sections):
        configure(blast_home, {s: sb.url for s in sessions}, **sections)
        return write_contacts(tmp_path / "contatos.csv", n)

    return make


# --- send --at ---------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["2020-01-01T09:00", "+0s", "amanhã de manhã", "25:99", ""])
def test_at_in_the_past_or_unreadable_is_exit_2_and_stores_nothing(blast, sandbox, setup, blast_home, when):
    csv = setup(sandbox)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--at", when, "--yes", "--json")
    assert result.exit_code == 2, result.stderr
    assert result.json()["error"]["code"] == 2 and "--at" in result.json()["error"]["message"]
    assert "--at" in result.stderr
    assert blast("campaign", "list", "--json").json() == []
    assert sandbox.sent() == []


def test_scheduled_2s_ahead_is_not_sent_early_then_fully_by_a_later_run_due(blast, sandbox, setup, blast_home, monkeypatch):
    csv = setup(sandbox, n=12)
    # The commands read the suite's clock hook (nexus_blast/clock.py): held still until the due
    # time is checked, so a slow machine cannot make the early run-due late; then it runs from there.
    before = datetime.now(UTC).replace(microsecond=0)  # scheduled_at is stored to the millisecond
    monkeypatch.setattr("nexus_blast.clock.now", lambda: before)
    scheduled = blast("send", csv, "-m", "Oi {{nome}}", "--at", "+2s", "--yes", "--json")
    assert scheduled.exit_code == 0, scheduled.stderr
    doc = scheduled.json()
    assert {k: doc[k] for k in ("campaign", "status", "sent", "failed", "skipped", "pending")} == {
        "campaign": 1, "status": "scheduled", "sent": 0, "failed": 0, "skipped": 0, "pending": 12,
    }
    at = datetime.fromisoformat(doc["scheduled_at"])
    assert at.utcoffset() == timedelta(0) and at - before == timedelta(seconds=2)
    assert _campaign(blast_home)["scheduled_at"] == doc["scheduled_at"]

    early = blast("run-due", "--json")
    assert (early.exit_code, early.json()) == (0, {"campaigns": []})
    assert sandbox.sent() == [] and _statuses(blast_home) == {"pending": 12}
    listed = blast("campaign", "list")
    assert "scheduled" in listed.stdout and f"{at.astimezone(SP):%H:%M}" in listed.stdout

    just_before = at - timedelta(milliseconds=1)
    monkeypatch.setattr("nexus_blast.clock.now", lambda: just_before)
    assert blast("run-due", "--json").json() == {"campaigns": []}
    t0 = time.monotonic()
    monkeypatch.setattr("nexus_blast.clock.now", lambda: at + timedelta(seconds=time.monotonic() - t0))
    due = blast("run-due", "--json")
    assert due.exit_code == 0, due.stderr
    assert due.json() == {"campaigns": [
        {"campaign": 1, "status": "completed", "sent": 12, "failed": 0, "skipped": 0, "pending": 0}
    ]}
    _each_once(sandbox.sent(), 12)
    row = _campaign(blast_home)
    assert (row["lease_owner"], row["lease_expires_at"]) == (None, None)  # released
    assert blast("run-due", "--json").json() == {"campaigns": []}


def test_run_due_with_nothing_at_all_is_quiet(blast, blast_home):
    quiet = blast("run-due")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert not (blast_home / "blast.db").exists()  # the fast path creates nothing
    assert blast("run-due", "--json").json() == {"campaigns": []}


def test_run_due_fast_path_forms_and_option_errors(blast, blast_home, tmp_path):
    other = tmp_path / "elsewhere.db"
    for args in (["--db", str(other), "run-due", "--json"], [f"--db={other}", "run-due", "--max-seconds=55", "--json"],
                 ["run-due", "--json", "--max-seconds", "1.5"]):
        result = blast(*args)
        assert (result.exit_code, result.json()) == (0, {"campaigns": []}), args
    assert not other.exists()
    for args in (["run-due", "--max-seconds", "0"], ["run-due", "--max-seconds", "soon"], ["run-due", "--bogus"]):
        result = blast(*args, "--json")
        assert result.exit_code == 2 and result.json()["error"]["code"] == 2, args
    assert blast("run-due", "--help").stdout.startswith("Usage:")


def test_scheduled_dry_run_and_human_output(blast, sandbox, setup, blast_home):
    csv = setup(sandbox, n=3)
    dry = blast("send", csv, "-m", "Oi {{nome}}", "--at", "tomorrow 09:00", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    tomorrow = (datetime.now(SP) + timedelta(days=1)).date()
    assert datetime.fromisoformat(dry.json()["scheduled_at"]) == datetime.combine(tomorrow, datetime.min.time().replace(hour=9), tzinfo=SP)
    human = blast("send", csv, "-m", "Oi {{nome}}", "--at", "tomorrow 09:00", "--yes")
    assert human.exit_code == 0, human.stderr
    assert f"scheduled for {tomorrow:%Y-%m-%d} 09:00" in human.stdout and "run-due" in human.stderr
    shown = blast("campaign", "show", "1", "--json").json()
    assert shown["status"] == "scheduled" and shown["next_send_at"] == shown["scheduled_at"]


# --- leases ------------------------------------------------------------------------------------


def test_resume_while_another_live_process_holds_the_lease_is_exit_2(blast, sandbox, setup, blast_home):
    csv = setup(sandbox, n=3)
    blast("send", csv, "-m", "Oi {{nome}}", "--at", "+1h", "--yes")
    until = (datetime.now(UTC) + timedelta(minutes=5)).isoformat(timespec="milliseconds")
    with sqlite3.connect(blast_home / "blast.db") as conn:  # pid 1 is alive (and not ours)
        conn.execute("UPDATE campaigns SET lease_owner = ?, lease_expires_at = ?", (f"{os.uname().nodename}:1:abc", until))
    result = blast("campaign", "resume", "1", "--yes", "--json")
    assert result.exit_code == 2
    assert "is being run by" in result.json()["error"]["message"] and ":1:abc" in result.stderr
    assert sandbox.sent() == [] and _campaign(blast_home)["status"] == "scheduled"


def test_two_run_due_processes_started_together_send_each_message_once(make_sandbox, tmp_path):
    sb = make_sandbox(sessions=("s1", "s2"))
    home = tmp_path / "home"
    home.mkdir()
    configure(home, {"s1": sb.url, "s2": sb.url}, sending={"delay": "0.02-0.05"})
    n = 30
    csv = write_contacts(tmp_path / "c.csv", n)
    env = _env(home)
    made = subprocess.run([*_cli(), "send", str(csv), "-m", "Oi {{nome}}", "--at", "+1s", "--yes", "--json"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    at = datetime.fromisoformat(json.loads(made.stdout)["scheduled_at"])
    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()) + 0.05)
    procs = [
        subprocess.Popen([*_cli(), "run-due", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    docs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        docs.append(json.loads(out))
    ran = [c for doc in docs for c in doc["campaigns"]]
    assert len(ran) == 1 and (ran[0]["status"], ran[0]["sent"]) == ("completed", n), docs
    _each_once(sb.sent(), n)


# --- worker ------------------------------------------------------------------------------------


def _start_worker(home, **env):
    return subprocess.Popen([*_cli(), "worker"], env=_env(home, **env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


def test_worker_sigterm_pauses_cleanly_exit_0_and_the_next_run_due_finishes(make_sandbox, tmp_path):
    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    configure(home, {"s1": sb.url}, sending={"delay": "0.1-0.15"}, scheduler={"poll_interval": 0.2})
    n = 40
    csv = write_contacts(tmp_path / "c.csv", n)
    worker = _start_worker(home)
    try:
        made = subprocess.run([*_cli(), "send", str(csv), "-m", "Oi {{nome}}", "--at", "+1s", "--yes"],
                              env=_env(home), capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        assert _wait(lambda: len(sb.sent()) >= 5), "the worker did not start the due campaign"
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        worker.kill()
    assert worker.returncode == 0, err
    assert "campaign 1" in err and "worker stopped" in err
    row = _campaign(home)
    assert (row["status"], row["resume_on_due"], row["lease_owner"]) == ("paused", 1, None)
    assert "next run-due or worker" in row["status_reason"]
    assert "sending" not in _statuses(home) and 5 <= len(sb.sent()) < n
    finished = subprocess.run([*_cli(), "run-due", "--json"], env=_env(home), capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["campaigns"][0]["status"] == "completed"
    _each_once(sb.sent(), n)


def test_worker_killed_leaves_a_lease_that_run_due_takes_over_after_expiry(make_sandbox, tmp_path):
    from nexus_blast.store import leases
    from nexus_blast.store.db import iso, open_database
    from nexus_blast.store.due import anything_due

    sb = make_sandbox(sessions=("s1", "s2"))
    home = tmp_path / "home"
    home.mkdir()
    configure(home, {"s1": sb.url, "s2": sb.url}, sending={"delay": "0.1-0.2"}, waha={"timeout": 1.0},
              scheduler={"poll_interval": 0.2})
    n = 40
    csv = write_contacts(tmp_path / "c.csv", n)
    made = subprocess.run([*_cli(), "send", str(csv), "-m", "Oi {{nome}}", "--at", "+1s", "--yes"],
                          env=_env(home), capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    worker = _start_worker(home, BLAST_SCHEDULER__LEASE_SECONDS="8")  # long enough to still be held when checked, on a busy machine
    try:
        assert _wait(lambda: len(sb.sent()) >= 6), "the worker did not start the due campaign"
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(timeout=20)
    row = _campaign(home)
    assert row["status"] == "running" and row["lease_owner"].split(":")[1] == str(worker.pid)
    db = open_database(home / "blast.db")
    try:
        now = iso(datetime.now(UTC))
        assert row["lease_expires_at"] > now  # still held: not due yet
        assert leases.due_campaign_ids(db, now) == [] and not anything_due(home / "blast.db", now)
    finally:
        db.conn.close()
    time.sleep(max(0.0, (datetime.fromisoformat(row["lease_expires_at"]) - datetime.now(UTC)).total_seconds()) + 0.1)
    taken = subprocess.run([*_cli(), "run-due", "--json"], env=_env(home), capture_output=True, text=True, timeout=120)
    assert taken.returncode == 0, taken.stderr
    (doc,) = json.loads(taken.stdout)["campaigns"]
    assert (doc["status"], doc["sent"], doc["pending"]) == ("completed", n, 0)
    _each_once(sb.sent(), n)
    with sqlite3.connect(home / "blast.db") as conn:
        ids = [r[0] for r in conn.execute("SELECT message_id FROM messages")]
    assert sorted(ids) == sorted(m["id"] for m in sb.sent())


# --- --max-seconds, windows, pause --resume-at ----------------------------------------------------


def test_max_seconds_pauses_resumably_and_the_next_run_due_continues(blast, sandbox, setup, blast_home):
    csv = setup(sandbox, sessions=("s1",), n=40, sending={"delay": "0.05-0.08"})
    blast("send", csv, "-m", "Oi {{nome}}", "--at", "+1s", "--yes")
    time.sleep(1.1)
    first = blast("run-due", "--max-seconds", "2", "--json")
    assert first.exit_code == 0, first.stderr
    (doc,) = first.json()["campaigns"]
    assert doc["status"] == "paused" and 0 < doc["sent"] < 40 and "--max-seconds" in doc["reason"]
    row = _campaign(blast_home)
    assert (row["resume_on_due"], row["lease_owner"]) == (1, None)
    second = blast("run-due", "--json")
    assert second.json()["campaigns"][0]["status"] == "completed"
    _each_once(sandbox.sent(), 40)


def test_run_due_outside_the_window_waits_and_ignore_window_sends(blast, sandbox, setup, blast_home):
    window = _closed_window()  # once: computed again a minute later it would name another minute
    csv = setup(sandbox, n=3, sending={"window": window, "days": "mon-sun"})
    first = blast("send", csv, "-m", "Oi {{nome}}", "--at", "+1s", "--yes", "--json")
    assert first.json()["next_send_at"] > first.json()["scheduled_at"] and "outside the sending window" in first.stderr
    second = blast("send", csv, "-m", "Olá {{nome}}", "--at", "+1s", "--ignore-window", "--yes", "--json")
    assert second.json()["next_send_at"] == second.json()["scheduled_at"]
    time.sleep(1.1)
    result = blast("run-due", "--json")
    assert result.exit_code == 0, result.stderr
    waiting, sent = result.json()["campaigns"]
    assert (waiting["campaign"], waiting["status"], waiting["sent"]) == (1, "scheduled", 0)
    opens = datetime.fromisoformat(waiting["next_send_at"]).astimezone(SP)
    assert f"{opens:%H:%M}" == window.split("-")[0] and opens > datetime.now(SP)
    assert (sent["campaign"], sent["status"], sent["sent"]) == (2, "completed", 3)
    assert {m["text"].split()[0] for m in sandbox.sent()} == {"Olá"}
    assert "outside the sending window" in result.stderr
    assert f"{opens:%H:%M}" in blast("campaign", "list").stdout  # next send
    # A person may push the waiting one out now, for this run only.
    now = blast("campaign", "resume", "1", "--ignore-window", "--yes", "--json")
    assert (now.exit_code, now.json()["status"], now.json()["sent"]) == (0, "completed", 3), now.stderr


def test_foreground_send_outside_the_window_says_it_waits_then_sigterm_pauses(make_sandbox, tmp_path):
    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    configure(home, {"s1": sb.url}, sending={"window": _closed_window(), "days": "mon-sun"})
    csv = write_contacts(tmp_path / "c.csv", 3)
    proc = subprocess.Popen([*_cli(), "send", str(csv), "-m", "Oi", "--yes", "--json"], env=_env(home),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        stderr = StreamLines(proc.stderr)
        stderr.wait_for("outside the sending window")
        proc.send_signal(signal.SIGTERM)
        out = proc.stdout.read()
        proc.wait(timeout=30)
        err = stderr.text()
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "outside the sending window" in err and "--at" in err
    assert (json.loads(out)["status"], sb.sent()) == ("paused", [])


def test_pause_resume_at_and_resume_at(blast, sandbox, setup, blast_home, monkeypatch):
    csv = setup(sandbox, n=3)
    blast("send", csv, "-m", "Oi {{nome}}", "--at", "+1h", "--yes")
    held = datetime.now(UTC)  # the clock hook held still until the early run-due: a slow machine cannot make it late
    monkeypatch.setattr("nexus_blast.clock.now", lambda: held)
    paused = blast("campaign", "pause", "1", "--resume-at", "+1s", "--json")
    assert paused.exit_code == 0, paused.stderr
    assert paused.json()["status"] == "paused"
    row = _campaign(blast_home)
    assert row["resume_on_due"] == 1 and row["scheduled_at"] == paused.json()["scheduled_at"]
    assert blast("run-due", "--json").json() == {"campaigns": []}
    due, t0 = datetime.fromisoformat(paused.json()["scheduled_at"]), time.monotonic()
    monkeypatch.setattr("nexus_blast.clock.now", lambda: due + timedelta(seconds=time.monotonic() - t0))  # runs on from its time
    assert blast("run-due", "--json").json()["campaigns"][0]["status"] == "completed"
    assert len(sandbox.sent()) == 3

    blast("send", csv, "-m", "Oi {{nome}}", "--at", "+1h", "--yes")
    assert blast("campaign", "pause", "2").exit_code == 0
    assert _campaign(blast_home, 2)["resume_on_due"] == 0  # a plain pause waits for a person
    later = blast("campaign", "resume", "2", "--at", "+1h", "--yes", "--json")
    assert later.exit_code == 0 and later.json()["status"] == "paused"
    assert _campaign(blast_home, 2)["resume_on_due"] == 1
    assert blast("campaign", "resume", "2", "--at", "yesterday", "--yes").exit_code == 2
    assert len(sandbox.sent()) == 3


def test_an_unset_api_key_env_under_cron_is_said_as_such_not_as_a_refused_key(blast, make_sandbox, blast_home, tmp_path, monkeypatch):
    sb = make_sandbox(sessions=("filial",), api_key="k-123456789012345")
    configure(blast_home, {"filial": sb.url})
    with open(blast_home / "config.toml", "a", encoding="utf-8") as config:
        config.write('api_key_env = "WAHA_KEY_FOR_TEST"\n')
    monkeypatch.setenv("WAHA_KEY_FOR_TEST", "k-123456789012345")  # set in the operator's shell...
    csv = write_contacts(tmp_path / "c.csv", 3)
    assert blast("send", csv, "-m", "Oi {{nome}}", "--at", "+1h", "--yes").exit_code == 0
    blast("campaign", "pause", "1", "--resume-at", "+1s")
    monkeypatch.delenv("WAHA_KEY_FOR_TEST")  # ... but not in cron's environment
    _wait(lambda: blast("run-due", "--json").json()["campaigns"], 30)
    row = _campaign(blast_home)
    assert row["status"] == "paused" and "environment variable WAHA_KEY_FOR_TEST" in row["status_reason"]
    assert "refused" not in row["status_reason"] and sb.sent() == []


def test_worker_second_signal_leaves_the_campaign_resumable_on_due_no_traceback(make_sandbox, tmp_path):
    """SIGTERM then SIGTERM again while a send's answer is stalled by a proxy: the worker stops at
    once (the message in flight stays `sending`), exit 0, no traceback, and the campaign is paused
    *with* resume_on_due, so the next run-due checks that message with WAHA and finishes the rest
    (today: KeyboardInterrupt, paused without resume_on_due: nothing continues it)."""
    from tests.waha.proxy import FaultyProxy

    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    n = 12
    with FaultyProxy(sb.url, {4: "stall"}, stall=60.0) as proxy:
        configure(home, {"s1": proxy.url}, sending={"delay": "0-0"}, scheduler={"poll_interval": 0.2},
                  waha={"timeout": 4.0, "settle": 0.3})
        csv = write_contacts(tmp_path / "c.csv", n)
        log = tmp_path / "worker.err"
        with log.open("w") as err_file:
            worker = subprocess.Popen([*_cli(), "worker"], env=_env(home), stdout=subprocess.DEVNULL,
                                      stderr=err_file, stdin=subprocess.DEVNULL, text=True)
        try:
            made = subprocess.run([*_cli(), "send", str(csv), "-m", "Oi {{nome}}", "--at", "+1s", "--yes"],
                                  env=_env(home), capture_output=True, text=True, timeout=60)
            assert made.returncode == 0, made.stderr
            assert _wait(lambda: proxy.faulted), "the worker did not reach the stalled send"
            worker.send_signal(signal.SIGTERM)
            assert _wait(lambda: "stopping:" in log.read_text()), log.read_text()
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        finally:
            worker.kill()
        err = log.read_text()
        assert worker.returncode == 0, err
        assert "Traceback" not in err and "stopping now" in err
        row = _campaign(home)
        assert (row["status"], row["resume_on_due"]) == ("paused", 1), row
        assert _statuses(home).get("sending") == 1
        finished = subprocess.run([*_cli(), "run-due", "--json"], env=_env(home), capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["campaigns"][0]["status"] == "completed"
    _each_once(sb.sent(), n)


def test_cancel_while_the_worker_runs_it_and_the_worker_goes_on_with_the_next(make_sandbox, tmp_path):
    """`campaign cancel` of the campaign a worker is sending: it ends cancelled, and the worker
    (today: crashed by IllegalTransition) goes on to run the next due campaign."""
    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    configure(home, {"s1": sb.url}, sending={"delay": "0.3-0.4"}, scheduler={"poll_interval": 0.2})
    log = tmp_path / "worker.err"
    with log.open("w") as err_file:
        worker = subprocess.Popen([*_cli(), "worker"], env=_env(home), stdout=subprocess.DEVNULL,
                                  stderr=err_file, stdin=subprocess.DEVNULL, text=True)
    try:
        for name, count in (("first", 60), ("second", 3)):
            made = subprocess.run(
                [*_cli(), "send", str(write_contacts(tmp_path / f"{name}.csv", count)), "-m", f"{name} {{{{nome}}}}",
                 "--at", "+1s", "--yes"], env=_env(home), capture_output=True, text=True, timeout=60)
            assert made.returncode == 0, made.stderr
        assert _wait(lambda: len(sb.sent()) >= 3), "the worker did not start the first campaign"
        cancelled = subprocess.run([*_cli(), "campaign", "cancel", "1", "--yes"], env=_env(home),
                                   capture_output=True, text=True, timeout=60)
        assert cancelled.returncode == 0, cancelled.stderr
        assert _wait(lambda: _campaign(home, 2).get("status") == "completed", 60), log.read_text()
        assert worker.poll() is None, log.read_text()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    finally:
        worker.kill()
    err = log.read_text()
    assert worker.returncode == 0 and "Traceback" not in err, err
    assert _campaign(home, 1)["status"] == "cancelled"
    assert "cancelled by another command" in err
    firsts = [m for m in sb.sent() if m["text"].startswith("first")]
    assert len({m["chatId"] for m in firsts}) == len(firsts) < 60
