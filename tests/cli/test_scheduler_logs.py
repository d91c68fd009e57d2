"""`run-due` and `worker` logs, run as cron and systemd run them (`env -i`: only PATH, HOME and
BLAST_HOME): every line stamped with the local time and the campaign, the summary once, progress
every scheduler.progress_every, and `--log-json` as one JSON object a line."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.campaigns.helpers import configure, write_contacts
from tests.waiting import StreamLines, wait_until

BLAST = str(Path(sys.executable).parent / "blast")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d) ")


def cron_env(home: Path, tmp_path: Path) -> list[str]:
    """`env -i` with only what a crontab line gives: PATH, HOME, BLAST_HOME."""
    return ["env", "-i", "PATH=/usr/bin:/bin", f"HOME={tmp_path}", f"BLAST_HOME={home}"]


def blast_cron(home, tmp_path, *args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([*cron_env(home, tmp_path), BLAST, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def scheduled(tmp_path, make_sandbox):
    """make(n, **sections) → (home, sandbox): a campaign of N contacts scheduled and already due."""

    def make(n: int = 5, **sections):
        sb = make_sandbox(sessions=("s1",))
        home = tmp_path / "home"
        home.mkdir()
        configure(home, {"s1": sb.url}, **sections)
        csv = write_contacts(tmp_path / "c.csv", n)
        made = blast_cron(home, tmp_path, "send", str(csv), "-m", "Oi {{nome}}", "--at", "+0.5s", "--yes", "--json")
        assert made.returncode == 0, made.stderr
        at = datetime.fromisoformat(json.loads(made.stdout)["scheduled_at"])
        wait_until(lambda: datetime.now(at.tzinfo) >= at, what="the campaign to come due")
        return home, sb

    return make


def test_cron_run_due_stamps_every_line_with_local_time_and_campaign_and_says_the_summary_once(scheduled, tmp_path):
    home, sb = scheduled(n=5, general={"timezone": "Asia/Tokyo"})
    ran = blast_cron(home, tmp_path, "run-due")
    assert ran.returncode == 0, ran.stderr
    lines = (ran.stdout + ran.stderr).splitlines()
    assert lines, "run-due said nothing about the campaign it ran"
    for line in lines:
        match = STAMP.match(line)
        assert match and match.group(1) == "+09:00", line  # general.timezone, not the machine's
        assert " campaign 1: " in line, line
    summaries = [line for line in lines if "completed: 5 sent, 0 failed, 0 skipped, 0 pending" in line]
    assert len(summaries) == 1, lines
    assert any("starting (scheduled → running)" in line for line in lines)
    assert len(sb.sent()) == 5


def test_log_json_is_one_object_a_line_on_stdout_and_on_stderr_beside_json(scheduled, tmp_path):
    home, _ = scheduled(n=3)
    ran = blast_cron(home, tmp_path, "run-due", "--log-json")
    assert ran.returncode == 0, ran.stderr
    records = [json.loads(line) for line in ran.stdout.splitlines()]
    assert ran.stderr == ""
    assert {"ts", "level", "event", "campaign", "message"} <= set(records[0])
    assert all(r["campaign"] == 1 and STAMP.match(r["ts"] + " ") for r in records)
    (done,) = [r for r in records if r["event"] == "campaign.completed"]
    assert (done["sent"], done["failed"], done["pending"], done["level"]) == (3, 0, 0, "info")
    assert [r["event"] for r in records][0] == "campaign.started"

    # again, with the --json document: stdout holds only it, the log lines go to stderr
    with sqlite3.connect(home / "blast.db") as conn:
        conn.execute("UPDATE campaigns SET status = 'scheduled', scheduled_at = '2020-01-01T00:00:00.000+00:00'")
        conn.execute("UPDATE messages SET status = 'pending', cap_day = NULL")
    both = blast_cron(home, tmp_path, "run-due", "--json", "--log-json")
    assert both.returncode == 0, both.stderr
    assert json.loads(both.stdout)["campaigns"][0]["campaign"] == 1
    assert all(json.loads(line)["campaign"] == 1 for line in both.stderr.splitlines())


def test_nothing_due_with_log_json_stays_silent_and_fast(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    quiet = blast_cron(home, tmp_path, "run-due", "--log-json")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    assert not (home / "blast.db").exists()  # the fast path: nothing opened, nothing created


def test_worker_logs_progress_every_progress_every_and_each_state_change(tmp_path, make_sandbox):
    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    configure(home, {"s1": sb.url}, sending={"delay": "0.25-0.3"}, scheduler={"progress_every": 0.4, "poll_interval": 0.1})
    csv = write_contacts(tmp_path / "c.csv", 12)
    worker = subprocess.Popen([*cron_env(home, tmp_path), BLAST, "worker", "--log-json"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        out = StreamLines(worker.stdout)
        out.wait_for('"worker.started"')
        made = blast_cron(home, tmp_path, "send", str(csv), "-m", "Oi {{nome}}", "--at", "+1s", "--yes", "--json")
        assert made.returncode == 0, made.stderr
        progress = json.loads(out.wait_for('"campaign.progress"', timeout=60))
        assert progress["campaign"] == 1 and progress["sent"] + progress["pending"] <= 12
        assert {"rate_per_minute", "eta_seconds", "failed"} <= set(progress)
        out.wait_for('"campaign.completed"', timeout=90)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    finally:
        worker.kill()
    records = [json.loads(line) for line in out.text().splitlines()]
    assert worker.returncode == 0, worker.stderr.read()
    events = [r["event"] for r in records]
    assert events[0] == "worker.started" and events[-1] == "worker.stopped"
    assert events.index("campaign.started") < events.index("campaign.completed")
    ticks = [r for r in records if r["event"] == "campaign.progress"]
    assert any(t["rate_per_minute"] > 0 and t["eta_seconds"] is not None for t in ticks), ticks
    assert all(STAMP.match(r["ts"] + " ") for r in records)


def test_an_error_that_stops_run_due_is_stamped_too_and_a_json_line_with_log_json(scheduled, tmp_path):
    home, sb = scheduled(n=2)
    config = home / "config.toml"
    config.write_text(config.read_text().replace("[general]", "") + '[general]\ntimezone = "Mars/Olympus"\n')
    failed = blast_cron(home, tmp_path, "run-due")
    assert failed.returncode == 2
    (line,) = failed.stderr.splitlines()
    assert STAMP.match(line) and "blast: error: " in line and "unknown timezone" in line
    as_json = blast_cron(home, tmp_path, "run-due", "--log-json")
    (record,) = [json.loads(x) for x in as_json.stderr.splitlines()]
    assert as_json.returncode == 2 and record["level"] == "error" and "unknown timezone" in record["message"]
    assert STAMP.match(record["ts"] + " ") and as_json.stdout == ""
    assert sb.sent() == []


def test_the_misplaced_config_warning_of_a_cron_run_due_is_stamped_like_its_lines(tmp_path):
    xdg = tmp_path / ".config" / "nexus-blast"
    xdg.mkdir(parents=True)
    (xdg / "config.toml").write_text("[general]\n")
    home = tmp_path / "srv"
    home.mkdir()
    quiet = blast_cron(home, tmp_path, "run-due")
    (line,) = quiet.stderr.splitlines()
    assert quiet.returncode == 0 and STAMP.match(line) and f"no config file at {home / 'config.toml'}" in line
    as_json = blast_cron(home, tmp_path, "run-due", "--log-json")
    (record,) = [json.loads(x) for x in as_json.stderr.splitlines()]
    assert record["level"] == "warning" and "no config file at" in record["message"]
