"""Campaigns a process must give up when its database fails under it (locked past the busy
timeout, disk full): paused and unleased, so they are resumable at once rather than `running`
with no process until the lease expires. Plain sqlite3: the failing connection may be unusable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from nexus_blast.domain.messages import check_campaign_transition
from nexus_blast.store.db import utcnow

# A lock that outlived the busy timeout may be released a moment later (the other process
# committed); past this, the dead-owner take-over of campaigns/lease.py covers the campaign.
WAIT_SECONDS = 5.0


def pause_abandoned(path: Path, owner_prefix: str, reason: str, *, resume_on_due: bool) -> list[int]:
    """Pause the `running` campaigns whose lease owner starts with OWNER_PREFIX (this process),
    releasing their leases; RESUME_ON_DUE lets run-due/worker continue them. Best effort: [] when
    the database still cannot be written."""
    check_campaign_transition("running", "paused")
    try:
        conn = sqlite3.connect(path, timeout=WAIT_SECONDS, isolation_level=None)
    except sqlite3.Error:
        return []
    mine = "status = 'running' AND substr(lease_owner, 1, length(:prefix)) = :prefix"
    try:
        # A read first: under WAL it is not blocked by the writer, and most failures hold nothing.
        if not conn.execute(f"SELECT 1 FROM campaigns WHERE {mine} LIMIT 1", {"prefix": owner_prefix}).fetchone():
            return []
        rows = conn.execute(
            f"""UPDATE campaigns SET status = 'paused', status_reason = :reason, resume_on_due = :due,
                      lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
               WHERE {mine} RETURNING id""",
            {"reason": reason, "due": int(resume_on_due), "now": utcnow(), "prefix": owner_prefix},
        ).fetchall()
        return sorted(row[0] for row in rows)
    except sqlite3.Error:
        return []
    finally:
        conn.close()
