"""Sending windows inside the sender, with an injected clock (real seconds, fake wall time):
São Paulo has no DST any more, windows crossing midnight belong to the day they open on; and
`next_send_at` for `campaign list`."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nexus_blast.campaigns.create import SendRequest, prepare
from nexus_blast.campaigns.runner import run_campaign
from nexus_blast.campaigns.timing import next_send_at
from nexus_blast.config import load_settings
from nexus_blast.domain.window import Window
from nexus_blast.store import campaigns as store
from nexus_blast.store.db import open_database
from tests.campaigns.helpers import configure, write_contacts

SP = ZoneInfo("America/Sao_Paulo")


def clock(start: datetime):
    """Wall time START, advancing with real time."""
    t0 = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - t0)


def clock_from_first_send(start: datetime, sandbox):
    """Wall time START until the sandbox accepts the first send, then advancing with real time:
    however long a busy machine takes to get going, the first message goes out at START."""
    t0 = None

    def now() -> datetime:
        nonlocal t0
        if t0 is None:
            if not sandbox.world.messages:
                return start
            t0 = time.monotonic()
        return start + timedelta(seconds=time.monotonic() - t0)

    return now


class Notices:
    def __init__(self, on_wait=None) -> None:
        self.texts: list[str] = []
        self.on_wait = on_wait

    def progress(self, tally) -> None:
        pass

    def notice(self, text: str) -> None:
        self.texts.append(text)
        if self.on_wait and "waiting until" in text:
            self.on_wait()


@pytest.fixture
def campaign(tmp_path):
    def make(url: str, n: int, delay: str):
        home = tmp_path / "home"
        home.mkdir()
        settings = load_settings(configure(home, {"s1": url}, sending={"delay": delay}))
        db = open_database(home / "blast.db")
        csv = write_contacts(tmp_path / "c.csv", n)
        prepared = prepare(settings, db, SendRequest(message="Oi {{nome}}", source=str(csv)), dry_run=False, rng=random.Random(3))
        db.conn.close()
        return settings, home / "blast.db", prepared.campaign_id

    return make


def sent_times(db_path, campaign_id) -> list[datetime]:
    db = open_database(db_path)
    try:
        return sorted(datetime.fromisoformat(r["sent_at"]) for r in store.report_rows(db, campaign_id) if r["sent_at"])
    finally:
        db.conn.close()


def test_lanes_wait_for_the_opening_at_0800_sao_paulo_no_dst(sandbox, campaign):
    settings, db_path, cid = campaign(sandbox.url, 5, "0-0.05")
    start = datetime(2026, 11, 25, 7, 59, 59, 400_000, tzinfo=SP)  # a Wednesday; was DST (-02) before 2019
    notices = Notices()
    outcome = run_campaign(settings, db_path, cid, now=clock(start), events=notices,
                           window=Window.parse("08:00-20:00", "mon-sat"))
    assert (outcome.status, outcome.sent) == ("completed", 5)
    times = sent_times(db_path, cid)
    assert min(times) >= datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # 08:00 at -03:00
    assert any("waiting until 2026-11-25 08:00 (America/Sao_Paulo)" in t for t in notices.texts)
    assert len(sandbox.sent()) == 5


def test_a_window_crossing_midnight_keeps_sending_after_midnight(sandbox, campaign):
    settings, db_path, cid = campaign(sandbox.url, 12, "0.1-0.12")
    start = datetime(2026, 11, 26, 23, 59, 59, tzinfo=SP)  # Thursday night, window opened 22:00
    outcome = run_campaign(settings, db_path, cid, now=clock_from_first_send(start, sandbox), window=Window.parse("22:00-02:00", "thu"))
    assert (outcome.status, outcome.sent) == ("completed", 12)
    local = [t.astimezone(SP) for t in sent_times(db_path, cid)]
    assert local[0].day == 26 and local[-1].day == 27  # Friday 00:00:01 is still Thursday's window


def test_a_window_crossing_midnight_closes_at_its_end_and_waits_a_week(sandbox, campaign):
    settings, db_path, cid = campaign(sandbox.url, 30, "0.1-0.12")
    start = datetime(2026, 11, 28, 1, 59, 59, tzinfo=SP)  # Saturday 01:59:59: Friday night's window
    stop = threading.Event()
    notices = Notices(on_wait=stop.set)
    outcome = run_campaign(settings, db_path, cid, now=clock_from_first_send(start, sandbox), events=notices, stop_event=stop,
                           window=Window.parse("22:00-02:00", "fri"))
    assert outcome.status == "paused" and 1 <= outcome.sent < 30
    # No send starts after 02:00 local; `sent_at` is written when WAHA answers, a request later.
    assert max(sent_times(db_path, cid)) < datetime(2026, 11, 28, 5, 0, 2, tzinfo=UTC)
    assert any("waiting until 2026-12-04 22:00" in t for t in notices.texts)
    assert len(sandbox.sent()) == outcome.sent


def test_next_send_at_follows_schedule_window_and_resume_on_due(tmp_path):
    settings = load_settings(configure(tmp_path, {"s1": "http://127.0.0.1:9"}, sending={"window": "08:00-20:00", "days": "mon-sat"}))
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday 09:00 in São Paulo
    base = store.Campaign(
        id=1, name="c", status="scheduled", template="t", image=None, sessions=["s1"], delay_min=0, delay_max=0,
        options={}, source="", scheduled_at="2026-11-29T13:00:00.000+00:00", status_reason="",  # Sunday 10:00
        created_at="", started_at=None, finished_at=None, updated_at="",
    )
    monday_8 = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    assert next_send_at(settings, base, now) == monday_8
    assert next_send_at(settings, replace(base, options={"ignore_window": True}), now) == datetime(2026, 11, 29, 13, 0, tzinfo=UTC)
    assert next_send_at(settings, replace(base, status="paused"), now) is None
    assert next_send_at(settings, replace(base, status="paused", resume_on_due=True), now) == monday_8
    assert next_send_at(settings, replace(base, status="running"), now) == now
    assert next_send_at(settings, replace(base, status="running"), now.replace(hour=23)) == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    assert next_send_at(settings, replace(base, status="completed"), now) is None
