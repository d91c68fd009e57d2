"""SQLite failures through `blast` (issue 17.11) and databases written by a newer blast (17.12):
one line naming the file and what to do, exit 2 or 3, never a traceback; nothing half-stored."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tests.campaigns.helpers import configure, write_contacts

UNUSED_SERVER = "http://127.0.0.1:9"


@pytest.fixture
def home(blast_home):
    configure(blast_home, {"s1": UNUSED_SERVER})
    return blast_home


def one_line(result, code: int, *words: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def schedule_one(blast, home: Path, tmp_path: Path, n: int = 300) -> None:
    csv = write_contacts(tmp_path / "c.csv", n)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--at", "+2h", "--yes", "--json")
    assert result.exit_code == 0, result.stderr


def count(path: Path, sql: str):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchone()[0]


COMMANDS = [("campaign", "list", "--json"), ("campaign", "show", "1"), ("run-due", "--json"), ("run-due",), ("optout", "list", "--json")]


@pytest.mark.parametrize("args", COMMANDS)
def test_a_text_file_as_database(blast, home, args):
    db = home / "blast.db"
    db.write_text("nome;telefone\nAna;11 98100-0001\n" * 50, encoding="utf-8")
    result = blast(*args)
    one_line(result, 2, str(db), "not a nexus_blast database", "--db")
    if "--json" in args:
        assert result.json()["error"]["code"] == 2
    assert db.read_text(encoding="utf-8").startswith("nome;telefone")  # left as it was


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
@pytest.mark.parametrize("args", [("campaign", "list", "--json"), ("run-due", "--json"), ("campaign", "report", "1")])
def test_a_damaged_database(blast, home, tmp_path, damage, args):
    schedule_one(blast, home, tmp_path)
    db = home / "blast.db"
    data = db.read_bytes()
    page = 4096
    if damage == "truncated":
        db.write_bytes(data[: len(data) // 3])
    else:  # keep the header page, scribble over every other
        db.write_bytes(data[:page] + b"\xde\xad\xbe\xef" * ((len(data) - page) // 4))
    # Schedule it in the past so run-due has something to do (and must read the damaged pages).
    result = blast(*args)
    one_line(result, 2, str(db), "damaged", ".recover")


@pytest.fixture
def short_busy_timeout(monkeypatch):
    """Other processes hold locks far longer than a test wants to wait: 0.3 s instead of 30 s."""
    monkeypatch.setattr("nexus_blast.store.db.BUSY_TIMEOUT_MS", 300)


class Locker:
    """Another connection holding the database's write lock until released."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def test_send_while_another_process_holds_the_lock(blast, home, tmp_path, short_busy_timeout):
    schedule_one(blast, home, tmp_path, n=5)
    lock = Locker(home / "blast.db")
    try:
        csv = write_contacts(tmp_path / "more.csv", 50)
        result = blast("send", csv, "-m", "Oi {{nome}}", "--at", "+2h", "--yes", "--json")
        one_line(result, 3, str(home / "blast.db"), "locked", "retry")
        assert result.json()["error"]["code"] == 3
    finally:
        lock.release()
    assert count(home / "blast.db", "SELECT count(*) FROM campaigns") == 1


def test_run_due_on_a_locked_database_leaves_the_campaign_due(blast, home, tmp_path, short_busy_timeout, sandbox):
    configure(home, {"s1": sandbox.url})
    schedule_one(blast, home, tmp_path, n=4)
    db = home / "blast.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE campaigns SET scheduled_at = '2020-01-01T00:00:00.000+00:00'")
    lock = Locker(db)
    try:
        for _ in range(2):  # cron, minute after minute
            result = blast("run-due", "--json")
            one_line(result, 3, str(db), "locked")
    finally:
        lock.release()
    assert count(db, "SELECT status FROM campaigns") == "scheduled"
    assert count(db, "SELECT lease_owner FROM campaigns") is None
    result = blast("run-due", "--json")  # the lock is gone: the next minute sends it
    assert result.exit_code == 0, result.stderr
    assert [c["status"] for c in result.json()["campaigns"]] == ["completed"]
    assert len(sandbox.sent()) == 4


def test_disk_full_stores_nothing(blast, home, tmp_path, monkeypatch):
    schedule_one(blast, home, tmp_path, n=5)
    db = home / "blast.db"
    pages = count(db, "PRAGMA page_count")
    from nexus_blast.store import db as store_db

    real_connect = store_db.connect

    def full_disk(path):  # what the file system would do: no page past the current size
        conn = real_connect(path)
        conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        return conn

    monkeypatch.setattr(store_db, "connect", full_disk)
    csv = write_contacts(tmp_path / "big.csv", 3000)
    result = blast("send", csv, "-m", "Oi {{nome}}, " + "texto " * 20, "--at", "+2h", "--yes", "--json")
    one_line(result, 3, str(db), "full", "free disk space")
    monkeypatch.setattr(store_db, "connect", real_connect)
    assert count(db, "SELECT count(*) FROM campaigns") == 1
    assert count(db, "SELECT count(*) FROM messages") == 5


@pytest.mark.parametrize("args", [("campaign", "list", "--json"), ("send", "c.csv", "-m", "x", "--dry-run"), ("optout", "list")])
def test_a_database_written_by_a_newer_blast_is_refused(blast, home, tmp_path, args):
    schedule_one(blast, home, tmp_path, n=2)
    db = home / "blast.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('nexus_blast', 'm099_future_table', 'x')"
        )
    before = db.read_bytes()
    result = blast(*[str(tmp_path / a) if a == "c.csv" else a for a in args])
    one_line(result, 2, str(db), "written by a newer nexus_blast (m099_future_table): upgrade")
    assert count(db, "SELECT count(*) FROM _sqlite_migrations WHERE name = 'm099_future_table'") == 1
    assert len(db.read_bytes()) == len(before)


def test_migrations_of_this_code_are_not_newer(tmp_path):
    from nexus_blast.store.db import open_database
    from nexus_blast.store.migrations import migrations

    db = open_database(tmp_path / "b.db")
    names = [m.name for m in migrations.applied(db)]
    assert names == [m.name for m in migrations._migrations]
    db.conn.close()
    open_database(tmp_path / "b.db").conn.close()  # reopening its own database is fine


def test_run_due_fast_path_never_raises_on_a_bad_file(tmp_path):
    from nexus_blast.store.due import anything_due

    text = tmp_path / "t.db"
    text.write_text("not sqlite at all" * 100)
    assert anything_due(text, "2026-01-01T00:00:00.000+00:00") is True  # the full path says why
    folder = tmp_path / "dir.db"
    folder.mkdir()
    assert anything_due(folder, "2026-01-01T00:00:00.000+00:00") is True


def test_a_lock_released_in_time_is_waited_for(blast, home, tmp_path, monkeypatch):
    monkeypatch.setattr("nexus_blast.store.db.BUSY_TIMEOUT_MS", 20_000)  # far beyond the release
    schedule_one(blast, home, tmp_path, n=2)
    lock = Locker(home / "blast.db")
    timer = threading.Timer(0.05, lock.release)
    timer.start()
    try:
        result = blast("campaign", "pause", "1", "--json")
    finally:
        timer.join()
    assert result.exit_code == 0, result.stderr


def test_a_lock_in_the_middle_of_a_send_leaves_the_campaign_resumable(blast, home, tmp_path, sandbox, monkeypatch):
    import time

    configure(home, {"s1": sandbox.url}, sending={"delay": "0.05-0.05"})
    csv = write_contacts(tmp_path / "c.csv", 30)
    blast("optout", "list")  # creates the database
    monkeypatch.setattr("nexus_blast.store.db.BUSY_TIMEOUT_MS", 300)
    done = threading.Event()
    holder: list[Locker] = []

    import sys

    def lock_after_five_sends() -> None:
        # Hold the write lock from the fifth send until blast has said why it stopped.
        deadline = time.monotonic() + 60
        while len(sandbox.sent()) < 5 and time.monotonic() < deadline and not done.is_set():
            done.wait(0.02)
        lock = Locker(home / "blast.db")
        holder.append(lock)
        while "blast: error" not in sys.stderr.getvalue() and time.monotonic() < deadline and not done.is_set():
            done.wait(0.02)
        lock.release()
        holder.clear()

    thread = threading.Thread(target=lock_after_five_sends)
    thread.start()
    try:
        result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    finally:
        done.set()
        thread.join()
        for lock in holder:
            lock.release()
    assert result.exit_code == 3 and "Traceback" not in result.stderr, result.stderr
    error, paused = result.stderr.splitlines()[-2:]  # after the plan (stderr): why, and what now
    assert str(home / "blast.db") in error and "locked" in error
    assert paused == "blast: campaign 1 paused; resume with: blast campaign resume 1"
    db = home / "blast.db"
    status = count(db, "SELECT status FROM campaigns")
    assert status == "paused", status
    assert count(db, "SELECT lease_owner FROM campaigns") is None
    assert "locked" in count(db, "SELECT status_reason FROM campaigns")
    resumed = blast("campaign", "resume", "1", "--yes", "--json")
    assert resumed.exit_code == 0, resumed.stderr
    assert resumed.json()["status"] == "completed"
    chats = [m["chatId"] for m in sandbox.sent()]
    assert sorted(chats) == sorted(set(chats)) and len(chats) == 30
