"""The wall clock every command reads when no `now` is passed in.

Test hook: the suite runs `blast` in-process and replaces `nexus_blast.clock.now` (monkeypatch) to
put a command on another day (warm-up days, holidays); nothing else ever changes it."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Aware UTC now."""
    return datetime.now(UTC)
