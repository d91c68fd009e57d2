"""The one reason `session list` shows beside a session's live status (domain/health.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nexus_blast.domain.health import Note, session_health, short

TODAY = "2026-12-01T03:00:00.000+00:00"
MORNING = "2026-12-01T12:00:00.000+00:00"
YESTERDAY = "2026-11-30T20:00:00.000+00:00"


def health(status="WORKING", error="", note=None, sent=0, cap=100, last=None):
    return session_health(status, error, note, sent_today=sent, cap=cap, today_start=TODAY, last_sent_at=last)


def test_a_working_session_drops_an_old_outage_note():
    note = Note("UNHEALTHY", False, "cannot connect (All connection attempts failed)", MORNING)
    assert health(note=note) == health().__class__("", True)


def test_the_cap_is_todays_cap_against_todays_sends():
    capped = Note("CAPPED", False, "daily cap of 152 reached", MORNING)
    assert health(note=capped, sent=152, cap=152).reason == "daily cap of 152 reached"
    raised = health(note=capped, sent=152, cap=300)
    assert raised.reason == "" and raised.stale
    assert health(sent=10, cap=10).reason == "daily cap of 10 reached"  # no note needed


def test_a_timelock_of_today_holds_until_a_later_send_or_tomorrow():
    lock = Note("TIMELOCKED", False, "WhatsApp reach-out timelock (error 463)", MORNING)
    assert health(note=lock).reason.startswith("WhatsApp reach-out timelock")
    assert health(note=lock, last="2026-12-01T13:00:00.000+00:00") == health().__class__("", True)
    assert health(note=Note("TIMELOCKED", False, "x", YESTERDAY)).stale


def test_a_session_that_is_down_says_its_probe_not_its_note():
    note = Note("CAPPED", False, "daily cap of 5 reached", MORNING)
    result = health("UNREACHABLE", "WAHA http://h:3000 session 's1': cannot connect", note)
    assert result.reason == "WAHA http://h:3000 session 's1': cannot connect" and not result.stale


@given(st.text(min_size=0, max_size=400))
def test_reasons_are_one_short_line(text):
    out = short(text)
    assert len(out) <= 90 and "\n" not in out
