"""m009: sessions' signals, brakes and the log of lane events (the notifications hook reads it)."""

from __future__ import annotations

import pytest

from nexus_blast.store import signals
from nexus_blast.store.db import open_database


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "b.db")
    yield database
    database.conn.close()


def test_events_since_reads_on_from_the_last_id_seen(db):
    first = signals.add_event(db, "s1", "timelock", reason="463", until="2026-12-02T00:00:00.000+00:00", campaign_id=1)
    signals.add_event(db, "s2", "first_warning", reason="x", campaign_id=1)
    third = signals.add_event(db, "s1", "brake", reason="failures", campaign_id=2)
    assert [e.kind for e in signals.events_since(db)] == ["timelock", "first_warning", "brake"]
    braked = signals.events_since(db, first, kinds=("brake", "timelock"))
    assert [(e.id, e.session, e.kind, e.campaign_id) for e in braked] == [(third, "s1", "brake", 2)]
    assert [e.kind for e in signals.events_since(db, campaign_id=1)] == ["timelock", "first_warning"]
    assert signals.events_since(db, first)[0].as_json()["session"] == "s2"


def test_signals_and_brake_are_kept_per_session(db):
    signals.save_signals(db, "s1", signals={"capping": {"status": "CAPPED"}, "timelock": None}, code="capped",
                         reason="r", until=None, checked_at="2026-12-01T10:00:00.000+00:00")
    signals.save_brake(db, "s1", reason="b", braked_at="2026-12-01T10:01:00.000+00:00", until="2026-12-01T10:11:00.000+00:00")
    signals.save_problem(db, "s2", "garbage", "2026-12-01T10:02:00.000+00:00")
    states = signals.states(db)
    assert states["s1"]["signals"]["capping"] == {"status": "CAPPED"} and states["s1"]["code"] == "capped"
    assert (states["s1"]["brake_reason"], states["s1"]["brake_until"]) == ("b", "2026-12-01T10:11:00.000+00:00")
    assert states["s2"]["problem"] == "garbage" and states["s2"]["signals"] == {}
