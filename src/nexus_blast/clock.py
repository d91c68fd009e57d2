"""The wall clock commands decide by when no `now` is passed in: what is due (run-due, the
scheduler), `--at` and `--resume-at`, today's counts and sending windows, warm-up days, the doctor's
window check and reply sync. Row stamps (`store.db.utcnow`) and log lines read the real clock.

Test hook: the suite runs `blast` in-process and replaces `nexus_blast.clock.now` (monkeypatch) to
put a command on another day (warm-up days, holidays) or hold it still (a due time checked without
racing the machine); nothing else ever changes it."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Aware UTC now."""
    return datetime.now(UTC)
