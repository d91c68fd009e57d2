"""`notify.send_event`, the door other parts (lane signals) report through: it reaches the
notifier run-due/worker installed, never blocks, honours notify.events and min_interval."""

from __future__ import annotations

import pytest

from nexus_blast import notify
from nexus_blast.config import load_settings
from tests.campaigns.helpers import configure
from tests.notify.receiver import Receiver
from tests.waiting import wait_until


@pytest.fixture
def receiver():
    r = Receiver()
    r.server.start()
    yield r
    r.server.stop()


def test_send_event_reaches_the_installed_notifier_once_per_interval(tmp_path, receiver):
    settings = load_settings(configure(tmp_path, {}, notify={"url": receiver.url, "min_interval": 3600}))
    logged = []
    with notify.Notifier(settings, tmp_path / "blast.db", log=lambda *a: logged.append(a)) as notifier:
        assert notify.send_event("lane_braked", 4, "session s1: braked (3 sends unanswered)", "blast campaign resume 4")
        assert notify.send_event("lane_braked", 4, "session s1: braked again", "blast campaign resume 4")  # queued, then skipped
        wait_until(lambda: len(notifier.delivered) == 1 and any(a[1] == "notify.skipped" for a in logged), what="both handled")
    assert notify.send_event("lane_braked", 4, "after close", "") is False  # no notifier any more
    (post,) = receiver.posts
    assert post["json"]["event"] == "lane_braked" and post["json"]["resume_command"] == "blast campaign resume 4"
    assert post["json"]["reason"] == "session s1: braked (3 sends unanswered)"
    assert "X-Webhook-Hmac".lower() not in post["headers"]  # no hmac_key: unsigned


def test_kinds_left_out_of_notify_events_are_not_sent(tmp_path, receiver):
    path = configure(tmp_path, {}, notify={"url": receiver.url})
    path.write_text(path.read_text() + 'events = ["failed"]\n')
    with notify.Notifier(load_settings(path), tmp_path / "blast.db"):
        assert notify.send_event("completed", 1, "done", "") is False
        assert notify.send_event("failed", 1, "every message failed", "") is True
    assert receiver.events() == ["failed"]
