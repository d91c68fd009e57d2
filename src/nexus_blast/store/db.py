"""The one place that opens the database: WAL, foreign keys, busy timeout, migrations."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from nexus_blast.errors import ConfigError
from nexus_blast.paths import ensure_private_dir

BUSY_TIMEOUT_MS = 30_000


def utcnow() -> str:
    """Timestamps are stored as ISO 8601 UTC text, which sorts and compares as time."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def connect(path: Path) -> sqlite3.Connection:
    """A raw connection with our pragmas (autocommit mode; use `transaction` for atomic work)."""
    try:
        ensure_private_dir(path.parent)
        if not path.exists():  # contacts are personal data (LGPD): owner-only from the start
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except (sqlite3.Error, OSError) as exc:
        raise ConfigError(f"{path}: cannot open database ({exc})") from None
    conn.row_factory = sqlite3.Row
    return conn


def open_database(path: Path):
    """A sqlite_utils.Database on PATH with every migration applied."""
    import sqlite_utils

    from nexus_blast.store.migrations import migrations

    conn = connect(path)
    db = sqlite_utils.Database(conn)
    try:
        if migrations.pending(db):
            # One writer migrates; a process starting at the same instant waits, then finds nothing to do.
            conn.execute("BEGIN IMMEDIATE")
            try:
                migrations.apply(db)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ConfigError(f"{path}: not a nexus_blast database ({exc})") from None
    return db
