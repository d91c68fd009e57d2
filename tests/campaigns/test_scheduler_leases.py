"""Leases held by the runner (claim, renew, lose, release) and the scheduler's claims, against
the sandbox: a busy campaign is refused, a lost lease stops the run without touching the status,
a person's pause stops a run that waits for its window, a campaign that cannot run is parked."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from nexus_blast.campaigns.create import SendRequest, prepare
from nexus_blast.campaigns.lease import CampaignBusy, dead_here, new_owner
from nexus_blast.campaigns.runner import run_campaign
from nexus_blast.campaigns.scheduler import Scheduler, deadline_for, worst_exit_code
from nexus_blast.config import load_settings
from nexus_blast.domain.window import Window
from nexus_blast.store import campaigns as store
from nexus_blast.store import leases
from nexus_blast.store.db import iso, open_database
from tests.campaigns.helpers import configure, write_contacts


@pytest.fixture
def campaign(tmp_path):
    """make(url, n, delay, lease_seconds) → (settings, db_path, campaign id), stored paused."""

    def make(url: str, n: int = 10, delay: str = "0-0.05", lease_seconds: int = 60):
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        settings = load_settings(
            configure(home, {"s1": url}, sending={"delay": delay}, scheduler={"lease_seconds": lease_seconds})
        )
        db = open_database(home / "blast.db")
        csv = write_contacts(tmp_path / "c.csv", n)
        prepared = prepare(settings, db, SendRequest(message="Oi {{nome}}", source=str(csv)), dry_run=False, rng=random.Random(5))
        db.conn.close()
        return settings, home / "blast.db", prepared.campaign_id

    return make


def _later(seconds: float) -> str:
    return iso(datetime.now(UTC) + timedelta(seconds=seconds))


def _in_thread(fn):
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("v", fn()))
    thread.start()
    return thread, box


def test_a_run_holds_the_lease_and_releases_it(sandbox, campaign):
    settings, db_path, cid = campaign(sandbox.url, 20, "0.02-0.04")
    db = open_database(db_path)
    seen = []
    thread, box = _in_thread(lambda: run_campaign(settings, db_path, cid))
    while thread.is_alive():
        seen.append(leases.holder(db, cid)[0])
        time.sleep(0.02)
    thread.join()
    assert box["v"].status == "completed"
    owners = {o for o in seen if o}
    assert len(owners) == 1 and owners.pop().split(":")[:2] == [os.uname().nodename, str(os.getpid())]
    assert leases.holder(db, cid) == (None, None)


def test_a_live_holder_makes_the_run_refuse_and_change_nothing(sandbox, campaign):
    settings, db_path, cid = campaign(sandbox.url, 3)
    db = open_database(db_path)
    other = f"{os.uname().nodename}:1:cafe00"  # pid 1: alive
    assert leases.try_claim(db, cid, other, iso(datetime.now(UTC)), _later(300))
    with pytest.raises(CampaignBusy, match="being run by .*:1:cafe00"):
        run_campaign(settings, db_path, cid)
    assert store.campaign_status(db, cid) == "paused" and leases.holder(db, cid)[0] == other
    assert sandbox.sent() == []


def test_a_dead_holder_on_this_host_is_taken_over_at_once(sandbox, campaign):
    settings, db_path, cid = campaign(sandbox.url, 3)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = f"{os.uname().nodename}:{gone.stdout.strip()}:beef00"
    assert dead_here(dead)
    assert not dead_here(f"{os.uname().nodename}:{os.getpid()}:x") and not dead_here("elsewhere:1:x")
    db = open_database(db_path)
    leases.try_claim(db, cid, dead, iso(datetime.now(UTC)), _later(300))
    assert run_campaign(settings, db_path, cid).status == "completed"
    assert len(sandbox.sent()) == 3


def test_losing_the_lease_stops_the_run_and_leaves_the_status_to_the_new_owner(sandbox, campaign):
    settings, db_path, cid = campaign(sandbox.url, 40, "0.1-0.12", lease_seconds=1)
    db = open_database(db_path)
    thread, box = _in_thread(lambda: run_campaign(settings, db_path, cid))
    while store.counts(db, cid).sent < 2:
        time.sleep(0.02)
    db.execute("UPDATE campaigns SET lease_owner = 'thief:1:x', lease_expires_at = ? WHERE id = ?", (_later(300), cid))
    thread.join(20)
    outcome = box["v"]
    assert outcome.exit_code == 2 and "lost the campaign's lease" in outcome.reason and "thief:1:x" in outcome.reason
    assert store.campaign_status(db, cid) == "running" and leases.holder(db, cid)[0] == "thief:1:x"
    assert outcome.sent < 40


def test_a_pause_stops_a_run_waiting_for_its_window(sandbox, campaign):
    settings, db_path, cid = campaign(sandbox.url, 5, lease_seconds=1)
    closed = Window.parse("08:00-09:00", "mon")
    sunday = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    db = open_database(db_path)
    thread, box = _in_thread(lambda: run_campaign(settings, db_path, cid, now=lambda: sunday, window=closed))
    while store.campaign_status(db, cid) != "running":
        time.sleep(0.02)
    store.set_campaign_status(db, cid, "paused", reason="paused by user")
    thread.join(10)
    assert not thread.is_alive()
    assert (box["v"].status, box["v"].exit_code, box["v"].reason) == ("paused", 0, "paused by user")
    assert sandbox.sent() == [] and leases.holder(db, cid) == (None, None)


def test_the_scheduler_parks_a_campaign_it_cannot_run(tmp_path, sandbox, campaign):
    _, db_path, cid = campaign(sandbox.url, 3)
    db = open_database(db_path)
    store.schedule_campaign(db, cid, iso(datetime.now(UTC) - timedelta(seconds=1)))
    other = load_settings(configure(tmp_path / "home", {"s9": sandbox.url}))  # s1 was removed
    scheduler = Scheduler(other, db_path)
    (outcome,) = scheduler.run_due()
    scheduler.close()
    assert outcome.exit_code == 2 and "could not run" in outcome.reason and "s1" in outcome.reason
    campaign_row = store.get_campaign(db, cid)
    assert (campaign_row.status, campaign_row.resume_on_due, campaign_row.lease_owner) == ("paused", False, None)
    assert leases.due_campaign_ids(db, iso(datetime.now(UTC))) == []
    assert worst_exit_code([outcome]) == 2 and worst_exit_code([]) == 0


def test_deadline_keeps_a_margin_for_the_message_in_flight():
    assert deadline_for(None, 100.0) is None
    assert deadline_for(55, 100.0) == 150.0
    assert deadline_for(2, 100.0) == 101.5
    assert new_owner() != new_owner()
