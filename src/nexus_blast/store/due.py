"""The cron fast path: is anything due? Plain sqlite3, no heavy imports (run-due every minute)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# When a campaign needs a runner: its time has come, it was paused to be resumed then, or the
# process running it died (lease expired). The one definition, shared with store/leases.py.
DUE = """
    (status = 'scheduled' AND scheduled_at <= :now)
    OR (status = 'paused' AND resume_on_due = 1 AND (scheduled_at IS NULL OR scheduled_at <= :now))
    OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at <= :now))
"""


def anything_due(path: Path, now_iso: str) -> bool:
    """True when some campaign may need running; false also when there is no database yet."""
    if not path.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return True  # unreadable: the full path opens it and says why, naming the file
    try:
        row = conn.execute(f"SELECT 1 FROM campaigns WHERE {DUE} LIMIT 1", {"now": now_iso}).fetchone()
    except sqlite3.Error:
        return True  # no table yet, locked, damaged or no database: let the full path decide (and say)
    finally:
        conn.close()
    return row is not None
