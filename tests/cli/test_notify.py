"""Operator notifications end to end through the `blast` command: `notify test`, and run-due under
cron (`env -i`) telling the operator (WhatsApp through a sandbox session, a signed JSON POST to a
loopback receiver) that a campaign completed or paused, once per notify.min_interval; a failure to
notify never fails the campaign."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from datetime import datetime

import pytest

from tests.campaigns.helpers import configure, write_contacts
from tests.cli.test_scheduler_logs import blast_cron
from tests.notify.receiver import Receiver
from tests.waiting import wait_until

OPERATOR = "(11) 99876-5432"  # the Brazilian spelling: +5511998765432
OPERATOR_CHAT = "5511998765432@c.us"
KEY = "s3cret-notify-key"


@pytest.fixture
def receiver():
    r = Receiver()
    r.server.start()
    yield r
    r.server.stop()


def _signed(post: dict) -> bool:
    expected = hmac.new(KEY.encode(), post["body"], hashlib.sha512).hexdigest()
    return post["headers"].get("x-webhook-hmac") == expected and post["headers"].get("x-webhook-hmac-algorithm") == "sha512"


def _rows(home, sql: str):
    with sqlite3.connect(home / "blast.db") as conn:
        return conn.execute(sql).fetchall()


def test_notify_test_sends_on_both_channels_signed_and_outside_every_campaign_table(blast, blast_home, sandbox, receiver):
    configure(blast_home, {"s1": sandbox.url}, notify={"whatsapp": OPERATOR, "url": receiver.url, "hmac_key": KEY})
    result = blast("notify", "test", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["ok"] is True and [c["channel"] for c in doc["channels"]] == ["whatsapp", "url"]
    assert "+5511998765432 via session s1" in doc["channels"][0]["detail"]
    (sent,) = sandbox.sent()
    assert sent["chatId"] == OPERATOR_CHAT and "test notification" in sent["text"]
    (post,) = receiver.posts
    assert _signed(post) and post["json"]["event"] == "test" and post["json"]["campaign"] is None
    assert blast("campaign", "list", "--json").json() == []
    assert _rows(blast_home, "SELECT count(*) FROM messages") == [(0,)]
    assert _rows(blast_home, "SELECT count(*) FROM campaigns") == [(0,)]
    assert _rows(blast_home, "SELECT count(*) FROM session_day_counts") == [(0,)]
    shown = blast("config", "show")
    assert KEY not in shown.stdout + shown.stderr  # the key is a secret: masked
    assert KEY not in result.stdout + result.stderr


def test_notify_test_without_channels_is_exit_2_and_a_failing_channel_exit_3(blast, blast_home, sandbox, receiver):
    configure(blast_home, {"s1": sandbox.url})
    none = blast("notify", "test")
    assert none.exit_code == 2 and "notify.url" in none.stderr
    configure(blast_home, {"s1": sandbox.url}, notify={"url": receiver.url})
    receiver.status = 500
    failed = blast("notify", "test", "--json")
    assert failed.exit_code == 3
    assert failed.json()["channels"][0] == {"channel": "url", "ok": False, "detail": receiver.url, "error": f"{receiver.url} answered HTTP 500"}


@pytest.mark.parametrize("section, why", [
    ({"url": "http://example.com/hook"}, "use https"),
    ({"url": "ftp://example.com/"}, "https URL"),
    ({"whatsapp": "12345"}, "not a phone number"),
    ({"events": '["paused", "exploded"]'}, "unknown event"),
])
def test_bad_notify_settings_are_exit_2_naming_the_key(blast, blast_home, sandbox, section, why):
    path = configure(blast_home, {"s1": sandbox.url})
    ((key, value),) = section.items()
    literal = value if value.startswith("[") else json.dumps(value)
    path.write_text(path.read_text() + f"[notify]\n{key} = {literal}\n")
    result = blast("notify", "test")
    assert result.exit_code == 2 and "notify." in result.stderr and why in result.stderr, result.stderr


def _scheduled(home, tmp_path, sb, n=4, **sections):
    configure(home, {"s1": sb.url}, **sections)
    csv = write_contacts(tmp_path / "c.csv", n)
    made = blast_cron(home, tmp_path, "send", str(csv), "-m", "Oi {{nome}}", "--at", "+0.5s", "--yes", "--json")
    assert made.returncode == 0, made.stderr
    at = datetime.fromisoformat(json.loads(made.stdout)["scheduled_at"])
    wait_until(lambda: datetime.now(at.tzinfo) >= at, what="the campaign to come due")


def test_cron_run_due_notifies_completion_by_whatsapp_and_signed_post(tmp_path, make_sandbox, receiver):
    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    _scheduled(home, tmp_path, sb, n=4, notify={"whatsapp": OPERATOR, "url": receiver.url, "hmac_key": KEY})
    ran = blast_cron(home, tmp_path, "run-due", "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["campaigns"][0]["status"] == "completed"
    (post,) = receiver.posts
    assert _signed(post)
    assert post["json"] | {"at": None} == {
        "event": "completed", "campaign": 1, "campaign_name": post["json"]["campaign_name"], "reason": post["json"]["reason"],
        "resume_command": None, "at": None, "source": "nexus-blast",
    }
    assert "4 sent" in post["json"]["reason"]
    operator = [m for m in sb.sent() if m["chatId"] == OPERATOR_CHAT]
    assert len(operator) == 1 and "campaign 1" in operator[0]["text"]
    assert len(sb.sent()) == 5  # 4 contacts + the operator
    assert _rows(home, "SELECT count(*) FROM messages") == [(4,)]  # the notification is no campaign message
    assert _rows(home, "SELECT sum(taken) FROM session_day_counts") == [(4,)]  # nor a daily-cap slot
    assert "completed notified by url" in ran.stderr and "completed notified by whatsapp" in ran.stderr


def test_cron_paused_campaign_is_notified_once_per_min_interval_and_a_failed_channel_changes_nothing(tmp_path, make_sandbox, receiver):
    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    _scheduled(home, tmp_path, sb, n=3, notify={"whatsapp": OPERATOR, "url": receiver.url, "hmac_key": KEY})
    sb.set_status("s1", "STOPPED")  # no session can send: the run pauses, nothing continues it
    ran = blast_cron(home, tmp_path, "run-due")
    assert ran.returncode == 3, ran.stderr
    (post,) = receiver.posts
    assert _signed(post) and post["json"]["event"] == "paused" and post["json"]["campaign"] == 1
    assert post["json"]["resume_command"] == "blast campaign resume 1"
    assert "no session can send" in post["json"]["reason"]
    # WhatsApp had no WORKING session to go through: said in the log, the run's outcome unchanged
    assert "paused could not be notified by whatsapp: no WORKING session" in ran.stderr
    assert sb.sent() == []

    # due again and paused again within notify.min_interval: not notified a second time
    with sqlite3.connect(home / "blast.db") as conn:
        conn.execute("UPDATE campaigns SET status = 'scheduled', scheduled_at = '2020-01-01T00:00:00.000+00:00'")
    again = blast_cron(home, tmp_path, "run-due")
    assert again.returncode == 3, again.stderr
    assert len(receiver.posts) == 1
    assert "not notified: one was sent less than notify.min_interval ago" in again.stderr


def test_a_receiver_that_fails_never_fails_the_campaign_and_the_next_event_tries_again(tmp_path, make_sandbox, receiver):
    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    _scheduled(home, tmp_path, sb, n=2, notify={"url": receiver.url, "min_interval": 3600})
    receiver.status = 500
    ran = blast_cron(home, tmp_path, "run-due", "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["campaigns"][0]["status"] == "completed"
    assert "completed could not be notified by url" in ran.stderr and "HTTP 500" in ran.stderr
    assert _rows(home, "SELECT count(*) FROM notifications") == [(0,)]  # reached no one: the claim was given back


def test_a_timelocked_lane_is_notified_with_its_session(tmp_path, make_sandbox, receiver):
    sb = make_sandbox(sessions=("s1", "s2"))
    home = tmp_path / "home"
    home.mkdir()
    configure(home, {"s1": sb.url, "s2": sb.url}, notify={"url": receiver.url})
    sb.faults(session="s1", timelock_after=1)
    csv = write_contacts(tmp_path / "c.csv", 6)
    made = blast_cron(home, tmp_path, "send", str(csv), "-m", "Oi {{nome}}", "--at", "+0.5s", "--yes", "--json")
    assert made.returncode == 0, made.stderr
    at = datetime.fromisoformat(json.loads(made.stdout)["scheduled_at"])
    wait_until(lambda: datetime.now(at.tzinfo) >= at, what="the campaign to come due")
    ran = blast_cron(home, tmp_path, "run-due", "--json")
    assert ran.returncode == 0, ran.stderr
    kinds = receiver.events()
    assert kinds.count("lane_timelocked") == 1 and "completed" in kinds
    lane = next(p["json"] for p in receiver.posts if p["json"]["event"] == "lane_timelocked")
    assert lane["reason"].startswith("session s1: ") and lane["resume_command"] == "blast campaign resume 1"


def test_a_braked_lane_is_notified_with_its_reason(tmp_path, make_sandbox, receiver):
    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    sb.faults(session="s1", fail_after=0, fail_message="invalid wid")  # every send refused for good
    _scheduled(home, tmp_path, sb, n=12, notify={"url": receiver.url},
               sending={"brake_window": 4, "brake_ratio": 0.5}, retry={"attempts": 1, "unhealthy_after": 100})
    ran = blast_cron(home, tmp_path, "run-due", "--json")
    assert ran.returncode in (0, 3), ran.stderr
    kinds = receiver.events()
    assert kinds.count("lane_braked") == 1, kinds
    lane = next(p["json"] for p in receiver.posts if p["json"]["event"] == "lane_braked")
    assert lane["reason"].startswith("session s1: brake") and lane["resume_command"] == "blast campaign resume 1"
