"""The pacing policy: delays, rests between batches, warm-up ramps (pure; hypothesis)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_blast.domain.pacing import (
    CountRange, DelayRange, LaneConstraints, LaneHistory, PacingPolicy, Warmup, parse_batch, parse_rest, ramp_today,
)

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


@st.composite
def policies(draw):
    low = draw(st.integers(1, 30))
    high = draw(st.integers(low, 40))
    rest_low = draw(st.floats(2.0, 1000, allow_nan=False))  # a rest shorter than the delay is just the delay
    rest_high = draw(st.floats(max(rest_low, 0.001), 2000, allow_nan=False))
    return PacingPolicy(DelayRange(0.0, 2.0), CountRange(low, high), DelayRange(rest_low, rest_high))


def run(policy: PacingPolicy, sends: int, seed: int) -> list[tuple[datetime, str]]:
    """Drive the policy as the sender does: ask, send at the slot, record; returns (time, reason)."""
    rng = random.Random(seed)
    history, now, out = policy.started(LaneHistory(), rng), T0, []
    for _ in range(sends):
        slot = policy.next_slot(history, now, rng)
        now = slot.at
        out.append((now, slot.reason))
        history = policy.after_send(history, now, rng)
    return out


@settings(max_examples=150, deadline=None)
@given(policies(), st.integers(1, 200), st.integers(0, 10**6))
def test_a_rest_comes_after_every_batch_of_the_drawn_size_and_lasts_the_rest_range(policy, sends, seed):
    slots = run(policy, sends, seed)
    batch = 0
    for i, (at, reason) in enumerate(slots):
        if reason == "rest":
            assert policy.batch.low <= batch <= policy.batch.high  # a rest only once a batch is full
            gap = (at - slots[i - 1][0]).total_seconds()
            assert policy.rest.low - 1e-6 <= gap <= policy.rest.high + 1e-6
            batch = 0
        else:
            assert batch < policy.batch.high  # never more than the batch's maximum without a rest
        batch += 1


@settings(max_examples=100, deadline=None)
@given(policies(), st.integers(2, 120), st.integers(0, 10**6), st.data())
def test_a_resume_from_the_stored_history_keeps_the_count(policy, sends, seed, data):
    """Stopping after K sends and going on from the persisted (count, target, rest_until) gives
    the same rests as never stopping."""
    rng = random.Random(seed)
    history, now = policy.started(LaneHistory(), rng), T0
    stop = data.draw(st.integers(1, sends - 1))
    for i in range(sends):
        if i == stop:  # what m008 keeps; the last send's time is not kept (a new process)
            history = LaneHistory(None, history.sent_in_batch, history.batch_target, history.rest_until)
        slot = policy.next_slot(history, now, rng)
        if history.rest_until is not None and history.rest_until > now:
            assert slot.at >= history.rest_until
        now = slot.at
        history = policy.after_send(history, now, rng)
        assert 0 <= history.sent_in_batch < history.batch_target <= policy.batch.high


@given(st.floats(0, 100, allow_nan=False), st.floats(1, 8, allow_nan=False))
def test_constraints_stretch_delays_and_hold_the_lane(delay, multiplier):
    policy = PacingPolicy(DelayRange(delay, delay))
    history = LaneHistory(last_send=T0)
    slot = policy.next_slot(history, T0, random.Random(1), (LaneConstraints(delay_multiplier=multiplier),))
    assert slot.at == T0 + timedelta(seconds=delay * multiplier)
    hold = T0 + timedelta(hours=3)
    slot = policy.next_slot(history, T0, random.Random(1), (LaneConstraints(rest_until=hold, reason="capped"),))
    assert (slot.at, slot.reason) == (hold, "capped")


def test_no_rests_is_only_the_delay():
    policy = PacingPolicy(DelayRange(1, 1))
    assert {reason for _, reason in run(policy, 50, 3)[1:]} == {"delay"}


@pytest.mark.parametrize("text", ["0-", "-3", "5-2", "a-b", "0-5", "1-2-3", ""])
def test_bad_batches_are_refused(text):
    with pytest.raises(ValueError):
        parse_batch(text)


@pytest.mark.parametrize("text", ["10-5", "-1", "x", "1-", "nan-inf", "0-100000"])
def test_bad_rests_are_refused(text):
    with pytest.raises(ValueError):
        parse_rest(text)


def test_zero_turns_rests_off():
    assert parse_batch("0") is None and parse_rest("0") is None
    assert parse_batch("15-25") == CountRange(15, 25) and parse_rest("300-900") == DelayRange(300, 900)


# --- warm-up ----------------------------------------------------------------------------------

TODAY = date(2026, 12, 1)


def days_before(n: int) -> list[date]:
    return [TODAY - timedelta(days=i) for i in range(1, n + 1)]


def test_the_published_ramp():
    caps = [ramp_today(days_before(k), TODAY, 10_000, Warmup()).cap for k in range(7)]
    assert caps == [20, 36, 65, 117, 210, 378, 680]
    assert ramp_today([], TODAY, 10_000, Warmup()).day == 1


def test_idle_past_reset_after_starts_over():
    assert ramp_today(days_before(5)[2:], TODAY, 1000, Warmup()).day == 4  # last sent 3 days ago: 72 h
    assert ramp_today(days_before(5)[3:], TODAY, 1000, Warmup()).day == 1  # 4 days ago: cold again
    assert ramp_today([TODAY - timedelta(days=1)], TODAY, 1000, Warmup(reset_after=12)).day == 2  # yesterday


@settings(max_examples=200)
@given(
    st.lists(st.integers(1, 60), unique=True, max_size=40),
    st.integers(1, 5000), st.integers(1, 200), st.floats(1.01, 5, allow_nan=False), st.floats(1, 500, allow_nan=False),
)
def test_the_ramp_never_passes_the_cap_and_grows_with_consecutive_days(offsets, cap, start, growth, reset):
    warmup = Warmup(start, growth, reset)
    sent = [TODAY - timedelta(days=o) for o in offsets]
    today = ramp_today(sent, TODAY, cap, warmup)
    assert 1 <= today.cap <= cap
    assert today.day is None or (today.day >= 1 and today.cap < cap)
    assert today.cap >= min(cap, start)  # never below day 1
    # Sending today makes tomorrow's allowance at least today's.
    tomorrow = ramp_today(sent + [TODAY], TODAY + timedelta(days=1), cap, warmup)
    assert tomorrow.cap >= today.cap
    assert ramp_today(sent, TODAY, cap, None) == type(today)(cap, None)  # warm: no ramp
