"""The one place that opens the database: WAL, foreign keys, busy timeout, migrations; and what
a SQLite failure means for the user (one line naming the file and what to do)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from nexus_blast.errors import BlastError, ExitCode, StorageError
from nexus_blast.i18n import N_, _, os_reason, transform
from nexus_blast.paths import ensure_private_dir

BUSY_TIMEOUT_MS = 30_000


def utcnow() -> str:
    """Timestamps are stored as ISO 8601 UTC text, which sorts and compares as time."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@contextmanager
def transaction(db) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error): take the write lock up front, wait busy_timeout.
    DB: a sqlite_utils Database or a bare connection."""
    conn: sqlite3.Connection = getattr(db, "conn", db)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # some errors (a full disk) have rolled it back already
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def connect(path: Path) -> sqlite3.Connection:
    """A raw connection with our pragmas (autocommit mode; use `transaction` for atomic work)."""
    try:
        ensure_private_dir(path.parent)
        if not path.exists():  # contacts are personal data (LGPD): owner-only from the start
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # A checkpoint (and its fsync) every ~32 MiB of WAL, not SQLite's default 4 MiB: a send
            # commits twice per message, and the checkpoints were a fifth of the store's part of it
            # (bench/send --store-slices: ~2,850 → ~3,480 msg/s); the file is cut back to 64 MiB after.
            conn.execute("PRAGMA wal_autocheckpoint = 8000")
            conn.execute("PRAGMA journal_size_limit = 67108864")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error:
            conn.close()
            raise
    except sqlite3.Error as exc:
        raise storage_error(path, exc) from None
    except OSError as exc:
        raise StorageError(_("{path}: cannot open database ({reason})").format(path=path, reason=os_reason(exc)),
                           hint=_("check the path and its permissions")) from None
    conn.row_factory = sqlite3.Row
    return conn


def open_database(path: Path):
    """A sqlite_utils.Database on PATH with every migration applied; refused (StorageError) when
    the file is no database, is damaged, or was written by a newer nexus_blast."""
    import sqlite_utils

    from nexus_blast.store.migrations import migrations, refuse_newer

    conn = connect(path)
    db = sqlite_utils.Database(conn)
    try:
        refuse_newer(db, path)
        if migrations.pending(db):
            # One writer migrates; a process starting at the same instant waits, then finds nothing to do.
            conn.execute("BEGIN IMMEDIATE")
            try:
                refuse_newer(db, path)  # a newer blast may have migrated while this one waited
                migrations.apply(db)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    except sqlite3.Error as exc:
        conn.close()
        raise storage_error(path, exc) from None
    except BaseException:
        conn.close()
        raise
    return db


# SQLite's primary result code -> (what happened, what to do, exit code). Locked and full are
# conditions that pass (exit 3, like a dependency that could not be used); the others need a person.
_FAILURES: dict[str, tuple[str, str, ExitCode]] = {
    "SQLITE_BUSY": (
        N_("database is locked by another process (waited {timeout:g} s)"),
        N_("another blast may be writing to it: retry in a moment; campaigns are resumable"),
        ExitCode.DEPENDENCY,
    ),
    "SQLITE_LOCKED": (
        N_("database is locked (waited {timeout:g} s)"),
        N_("retry in a moment; campaigns are resumable"),
        ExitCode.DEPENDENCY,
    ),
    "SQLITE_FULL": (
        N_("database or disk is full"),
        N_("free disk space, then resume the campaign (blast campaign list shows it)"),
        ExitCode.DEPENDENCY,
    ),
    "SQLITE_IOERR": (
        N_("disk I/O error"),
        N_("check the disk and free space, then retry"),
        ExitCode.DEPENDENCY,
    ),
    "SQLITE_CORRUPT": (
        N_("database is damaged (corrupt pages)"),
        N_("restore a backup, or recover it: sqlite3 FILE .recover | sqlite3 NEW.db, and use --db NEW.db"),
        ExitCode.USAGE,
    ),
    "SQLITE_NOTADB": (
        N_("not a nexus_blast database (the file is not SQLite)"),
        N_("point --db or BLAST_HOME at the right file, or move this one away"),
        ExitCode.USAGE,
    ),
    "SQLITE_CANTOPEN": (
        N_("cannot open database"),
        N_("check the path and its permissions"),
        ExitCode.USAGE,
    ),
    "SQLITE_READONLY": (
        N_("database is read-only"),
        N_("check the permissions of the file and its folder"),
        ExitCode.USAGE,
    ),
    "SQLITE_PERM": (
        N_("access to the database denied"),
        N_("check the permissions of the file and its folder"),
        ExitCode.USAGE,
    ),
}


def storage_error(path: Path, exc: sqlite3.Error) -> BlastError:
    """EXC (a sqlite3 error while using the database at PATH) as one line for the user."""
    known = None
    cause: BaseException | None = exc
    while known is None and isinstance(cause, sqlite3.Error):
        known = _classify(cause)
        # SQLite rolls a transaction back by itself on SQLITE_FULL; the ROLLBACK that follows then
        # fails ("no transaction is active") and hides the real cause, which is its context.
        cause = cause.__context__
    if known is None:
        return StorageError(_("{path}: database error ({reason})").format(path=path, reason=exc),
                            hint=_("retry; if it persists, restore a backup"))
    what, todo, code = known
    error = StorageError(_("{path}: {problem}").format(path=path, problem=_(what).format(timeout=BUSY_TIMEOUT_MS / 1000)),
                         hint=transform(_(todo), lambda text: text.replace("FILE", str(path))))
    error.exit_code = code
    return error


def _classify(exc: sqlite3.Error) -> tuple[str, str, ExitCode] | None:
    primary = "_".join((getattr(exc, "sqlite_errorname", None) or "").split("_")[:2])
    if primary not in _FAILURES:
        text = str(exc).lower()
        primary = next((code for code, words in _BY_TEXT if words in text), "")
    return _FAILURES.get(primary)


# Older wrappers (and some sqlite3 paths) give no error name: the message says it.
_BY_TEXT = (
    ("SQLITE_BUSY", "database is locked"),
    ("SQLITE_FULL", "database or disk is full"),
    ("SQLITE_CORRUPT", "malformed"),
    ("SQLITE_NOTADB", "file is not a database"),
    ("SQLITE_CANTOPEN", "unable to open database"),
    ("SQLITE_READONLY", "readonly database"),
    ("SQLITE_IOERR", "disk i/o error"),
)
