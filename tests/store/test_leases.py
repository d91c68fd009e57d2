from __future__ import annotations

from nexus_blast.store import leases
from nexus_blast.store.db import open_database

T0, T1, T2, T3 = (f"2026-11-25T12:00:0{i}.000+00:00" for i in range(4))


def _db(tmp_path, status="scheduled", scheduled_at=T1, resume_on_due=0):
    db = open_database(tmp_path / "b.db")
    db.execute(
        "INSERT INTO campaigns (name, status, template, sessions, delay_min, delay_max, scheduled_at,"
        " resume_on_due, created_at, updated_at) VALUES ('c', ?, 't', '[]', 0, 0, ?, ?, 'x', 'x')",
        (status, scheduled_at, resume_on_due),
    )
    return db


def test_due_by_time(tmp_path):
    db = _db(tmp_path)
    assert leases.due_campaign_ids(db, T0) == []
    assert leases.due_campaign_ids(db, T1) == [1]


def test_paused_is_due_only_with_resume_on_due(tmp_path):
    assert leases.due_campaign_ids(_db(tmp_path / "a", "paused"), T2) == []
    assert leases.due_campaign_ids(_db(tmp_path / "b", "paused", resume_on_due=1), T2) == [1]


def test_only_one_owner_until_expiry(tmp_path):
    db = _db(tmp_path)
    assert leases.try_claim(db, 1, "a", T1, T2)
    assert not leases.try_claim(db, 1, "b", T1, T3)
    assert leases.try_claim(db, 1, "a", T1, T3)  # re-entrant for the owner
    assert leases.renew(db, 1, "a", T3)
    assert not leases.renew(db, 1, "b", T3)
    assert leases.try_claim(db, 1, "b", T3, "2026-11-25T12:01:00.000+00:00")  # expired: taken over
    assert not leases.renew(db, 1, "a", T3)  # the old owner learns it lost the lease
    leases.release(db, 1, "b")
    assert leases.holder(db, 1) == (None, None)


def test_running_with_expired_lease_is_due(tmp_path):
    db = _db(tmp_path, "running")
    leases.try_claim(db, 1, "dead", T0, T1)
    assert leases.due_campaign_ids(db, T0) == []
    assert leases.due_campaign_ids(db, T1) == [1]
