from __future__ import annotations

import os
import stat

from nexus_blast.store.db import open_database
from nexus_blast.store.due import anything_due


def test_open_applies_migrations_wal_and_foreign_keys(tmp_path):
    db = open_database(tmp_path / "b.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"campaigns", "messages", "contacts", "optouts", "recipients"} <= set(db.table_names())
    assert stat.S_IMODE(os.stat(tmp_path / "b.db").st_mode) == 0o600
    db.conn.close()
    again = open_database(tmp_path / "b.db")  # idempotent
    assert again["_sqlite_migrations"].count >= 1


def test_message_status_is_constrained(tmp_path):
    import sqlite3

    import pytest

    db = open_database(tmp_path / "b.db")
    db.execute(
        "INSERT INTO campaigns (name, status, template, sessions, delay_min, delay_max, created_at, updated_at)"
        " VALUES ('c', 'running', 't', '[]', 0, 0, 'x', 'x')"
    )
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO messages (campaign_id, seq, phone, text, status, updated_at) VALUES (1, 1, '+5511', 't', 'bogus', 'x')"
        )


def test_anything_due_fast_path(tmp_path):
    path = tmp_path / "b.db"
    assert anything_due(path, "2026-01-01T00:00:00.000+00:00") is False
    db = open_database(path)
    assert anything_due(path, "2026-01-01T00:00:00.000+00:00") is False
    db.execute(
        "INSERT INTO campaigns (name, status, template, sessions, delay_min, delay_max, scheduled_at, created_at, updated_at)"
        " VALUES ('c', 'scheduled', 't', '[]', 0, 0, '2026-01-01T09:00:00.000+00:00', 'x', 'x')"
    )
    assert anything_due(path, "2026-01-01T08:59:59.000+00:00") is False
    assert anything_due(path, "2026-01-01T09:00:00.000+00:00") is True


def test_processes_creating_the_database_at_once_all_succeed(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "new.db"
    code = "import sys; from nexus_blast.store.db import open_database; open_database(__import__('pathlib').Path(sys.argv[1])).conn.close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], stderr=subprocess.PIPE) for _ in range(8)]
    errors = [p.communicate(timeout=60)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    db = open_database(path)
    assert db["_sqlite_migrations"].count == len(__import__("nexus_blast.store.migrations", fromlist=["m"]).migrations._migrations)
