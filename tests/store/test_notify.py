"""The notification claims (m013): one per campaign and kind per interval, across connections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nexus_blast import notify
from nexus_blast.store import notify as store
from nexus_blast.store.db import iso, open_database

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_one_claim_per_interval_whichever_connection_asks(tmp_path):
    a, b = open_database(tmp_path / "b.db"), open_database(tmp_path / "b.db")
    assert store.claim(a, 1, "paused", "why", T0, 3600) == ""
    assert store.claim(b, 1, "paused", "why", T0 + timedelta(seconds=10), 3600) is None
    assert store.claim(b, 1, "failed", "why", T0, 3600) == ""  # another kind
    assert store.claim(b, 2, "paused", "why", T0, 3600) == ""  # another campaign
    previous = store.claim(b, 1, "paused", "later", T0 + timedelta(hours=1), 3600)
    assert previous == iso(T0)  # given back by `release` if this one reaches no one


def test_a_released_claim_is_free_again_and_restores_the_previous_time(tmp_path):
    db = open_database(tmp_path / "b.db")
    first = store.claim(db, 1, "completed", "", T0, 60)
    store.release(db, 1, "completed", first)
    assert store.last_sent(db, 1, "completed") is None
    assert store.claim(db, 1, "completed", "", T0, 60) == ""
    later = store.claim(db, 1, "completed", "", T0 + timedelta(minutes=5), 60)
    store.release(db, 1, "completed", later)
    assert store.claim(db, 1, "completed", "", T0 + timedelta(minutes=5), 60) == later


def test_send_event_without_a_notifier_in_this_process_is_a_quiet_no():
    assert notify.send_event("lane_braked", 7, "session s1: braked", "blast campaign resume 7") is False
