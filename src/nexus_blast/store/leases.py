"""Campaign leases: which process runs a campaign, until when (arq-style claims in SQLite).

A lease is taken with one conditional UPDATE, so two processes racing for the same campaign
cannot both win; a crashed owner's lease expires and can then be taken over."""

from __future__ import annotations

from nexus_blast.store.due import DUE as _DUE

# The lease can be taken: nobody holds it, we do, or the holder's time ran out.
_FREE = "(lease_owner IS NULL OR lease_owner = :owner OR lease_expires_at IS NULL OR lease_expires_at <= :now)"


def due_campaign_ids(db, now: str) -> list[int]:
    """Campaigns whose time has come, or that a dead process left running (oldest first)."""
    rows = db.execute(f"SELECT id FROM campaigns WHERE {_DUE} ORDER BY scheduled_at, id", {"now": now})
    return [row[0] for row in rows.fetchall()]


def try_claim(db, campaign_id: int, owner: str, now: str, until: str) -> bool:
    """Take the lease when it is free, expired, or already ours; True when we hold it now."""
    cursor = db.execute(
        f"""UPDATE campaigns SET lease_owner = :owner, lease_expires_at = :until
           WHERE id = :id AND {_FREE}""",
        {"owner": owner, "until": until, "id": campaign_id, "now": now},
    )
    return cursor.rowcount == 1


def claim_due(db, campaign_id: int, owner: str, now: str, until: str) -> bool:
    """Take the lease only while the campaign is still due (checked in the same UPDATE): a campaign
    paused by a person, completed, or claimed by another process a moment ago is left alone."""
    cursor = db.execute(
        f"""UPDATE campaigns SET lease_owner = :owner, lease_expires_at = :until
            WHERE id = :id AND ({_DUE}) AND {_FREE}""",
        {"owner": owner, "until": until, "id": campaign_id, "now": now},
    )
    return cursor.rowcount == 1


def take_over(db, campaign_id: int, dead_owner: str, owner: str, until: str) -> bool:
    """Take the lease from DEAD_OWNER (known dead) if it still holds it."""
    cursor = db.execute(
        "UPDATE campaigns SET lease_owner = ?, lease_expires_at = ? WHERE id = ? AND lease_owner = ?",
        (owner, until, campaign_id, dead_owner),
    )
    return cursor.rowcount == 1


def renew(db, campaign_id: int, owner: str, until: str) -> bool:
    """Extend our lease; False when it was lost (taken over after expiry)."""
    cursor = db.execute(
        "UPDATE campaigns SET lease_expires_at = ? WHERE id = ? AND lease_owner = ?",
        (until, campaign_id, owner),
    )
    return cursor.rowcount == 1


def release(db, campaign_id: int, owner: str) -> None:
    db.execute(
        "UPDATE campaigns SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?",
        (campaign_id, owner),
    )


def holder(db, campaign_id: int) -> tuple[str | None, str | None]:
    row = db.execute("SELECT lease_owner, lease_expires_at FROM campaigns WHERE id = ?", (campaign_id,)).fetchone()
    return (row[0], row[1]) if row else (None, None)
