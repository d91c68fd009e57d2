"""Confirm-first, pure: the window's syntax, the verdict on a question, the ask-phase transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus_blast.domain.confirm import Asked, Verdict, parse_window, verdict
from nexus_blast.domain.messages import IllegalTransition, check_ask_transition, is_final

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(hours=24)


@pytest.mark.parametrize(("text", "seconds"), [("24h", 86400), ("90m", 5400), ("1h30m", 5400), ("2d", 172800), ("45s", 45)])
def test_window_forms(text, seconds):
    assert parse_window(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "soon", "24", "0m", "-1h", "31d", "1x"])
def test_bad_windows_are_refused(text):
    with pytest.raises(ValueError):
        parse_window(text)


def test_verdicts():
    assert verdict(Asked(T0, T0 + timedelta(minutes=5), False), WINDOW, T0 + timedelta(minutes=6)) == Verdict.CONFIRM
    assert verdict(Asked(T0, None, False), WINDOW, T0 + timedelta(hours=23)) == Verdict.WAIT
    assert verdict(Asked(T0, None, False), WINDOW, T0 + WINDOW) == Verdict.EXPIRE
    assert verdict(Asked(T0, None, True), WINDOW, T0 + timedelta(minutes=1)) == Verdict.DECLINE
    # an opt-out wins over an earlier yes; a reply after the window is none
    assert verdict(Asked(T0, T0 + timedelta(minutes=1), True), WINDOW, T0 + timedelta(minutes=2)) == Verdict.DECLINE
    assert verdict(Asked(T0, T0 + WINDOW + timedelta(seconds=1), False), WINDOW, T0 + timedelta(days=2)) == Verdict.EXPIRE


@given(
    reply=st.one_of(st.none(), st.integers(min_value=-120, max_value=3 * 86400)),
    opted_out=st.booleans(),
    later=st.integers(min_value=0, max_value=3 * 86400),
    window=st.integers(min_value=60, max_value=2 * 86400),
)
def test_a_verdict_once_given_never_changes_with_time(reply, opted_out, later, window):
    """Deciding late (a paused campaign, a run-due an hour later) gives the verdict an on-time
    decision would have: only WAIT turns into something else, and only at the window's close."""
    span = timedelta(seconds=window)
    replied = None if reply is None else T0 + timedelta(seconds=reply)
    asked = Asked(T0, replied, opted_out)
    now = T0 + timedelta(seconds=later)
    first = verdict(asked, span, now)
    if first != Verdict.WAIT:
        assert verdict(asked, span, now + timedelta(days=5)) == first
    else:
        assert now < T0 + span and verdict(asked, span, T0 + span) == Verdict.EXPIRE
    if first == Verdict.CONFIRM:
        assert replied is not None and replied <= T0 + span and not opted_out


def test_ask_transitions_are_explicit():
    check_ask_transition(("sent", "ask"), ("pending", "offer"))
    check_ask_transition(("sent", "ask"), ("skipped", "ask"))
    for old, new in [
        (("sent", "offer"), ("pending", "offer")),  # an offer sent is final
        (("pending", "ask"), ("pending", "offer")),  # a question not yet out cannot be confirmed
        (("sent", "ask"), ("sent", "offer")),
        (("skipped", "ask"), ("pending", "offer")),
    ]:
        with pytest.raises(IllegalTransition):
            check_ask_transition(old, new)
    assert not is_final("sent", "ask") and is_final("sent", "offer") and is_final("skipped", "ask")
