"""WhatsApp's signals → lane limits: a table of the rules, then properties (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from nexus_blast.domain.risks import Risk
from nexus_blast.domain.signals import (
    BRAKE, CAPPED, FIRST_WARNING, SECOND_WARNING, TIMELOCK, LaneLimits, Signals, limits_from, signal_risks,
)

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_no_signals_no_limits():
    assert limits_from(Signals(), NOW, 600) == LaneLimits()
    assert limits_from(Signals(capping="NONE", timelock=False), NOW, 600) == LaneLimits()


def test_first_warning_doubles_the_delays_only():
    limits = limits_from(Signals(capping="FIRST_WARNING", total_quota=250, used_quota=200), NOW, 600)
    assert (limits.delay_multiplier, limits.rest_until, limits.new_chats, limits.code) == (2.0, None, True, FIRST_WARNING)
    assert "200/250" in limits.reason


def test_second_warning_rests_until_the_cycle_ends_or_the_rest_whichever_later():
    far = limits_from(Signals(capping="SECOND_WARNING", cycle_end=NOW + 5 * HOUR), NOW, 600)
    assert far.rest_until == NOW + 5 * HOUR and far.code == SECOND_WARNING
    near = limits_from(Signals(capping="SECOND_WARNING", cycle_end=NOW + timedelta(seconds=60)), NOW, 600)
    assert near.rest_until == NOW + timedelta(seconds=600)
    unknown = limits_from(Signals(capping="SECOND_WARNING"), NOW, 900)
    assert unknown.rest_until == NOW + timedelta(seconds=900)
    assert far.resting(NOW) and not far.resting(NOW + 5 * HOUR)


def test_capped_takes_no_new_chats_until_the_cycle_ends():
    limits = limits_from(Signals(capping="CAPPED", cycle_end=NOW + 2 * HOUR), NOW, 600)
    assert (limits.new_chats, limits.new_chats_from, limits.code) == (False, NOW + 2 * HOUR, CAPPED)
    assert limits.existing_only(NOW) and not limits.existing_only(NOW + 2 * HOUR)
    assert limits.current(NOW + 3 * HOUR) == LaneLimits()


def test_an_active_timelock_keeps_only_existing_chats_until_it_ends():
    limits = limits_from(Signals(timelock=True, timelock_ends=NOW + HOUR), NOW, 600)
    assert (limits.new_chats, limits.new_chats_from, limits.code) == (False, NOW + HOUR, TIMELOCK)
    assert limits_from(Signals(timelock=True, timelock_ends=NOW - HOUR), NOW, 600) == LaneLimits()
    endless = limits_from(Signals(timelock=True), NOW, 600)
    assert endless.existing_only(NOW + 100 * HOUR)  # until a reading says it lifted


def test_timelock_and_capping_together_take_the_stronger_of_each():
    limits = limits_from(Signals(capping="FIRST_WARNING", timelock=True, timelock_ends=NOW + HOUR), NOW, 600)
    assert (limits.delay_multiplier, limits.new_chats, limits.code) == (2.0, False, TIMELOCK)
    assert "FIRST_WARNING" in limits.reason and "timelock" in limits.reason


def test_signal_risks_levels():
    assert signal_risks("s1", Signals(), NOW) == []
    assert [r.level for r in signal_risks("s1", Signals(capping="FIRST_WARNING"), NOW)] == ["warn"]
    for status in ("SECOND_WARNING", "CAPPED"):
        (risk,) = signal_risks("s1", Signals(capping=status), NOW)
        assert (risk.code, risk.level) == ("session_capping", "high") and "s1" in risk.message
    (lock,) = signal_risks("s2", Signals(timelock=True, timelock_ends=NOW + HOUR), NOW)
    assert isinstance(lock, Risk) and (lock.code, lock.level) == ("session_timelocked", "high")
    assert signal_risks("s2", Signals(timelock=True, timelock_ends=NOW - HOUR), NOW) == []


def test_signals_json_shape():
    doc = Signals(capping="CAPPED", total_quota=5, used_quota=5, cycle_end=NOW, timelock=False).as_json()
    assert doc == {
        "capping": {"status": "CAPPED", "total_quota": 5, "used_quota": 5, "cycle_end": "2026-12-01T15:00:00Z"},
        "timelock": {"active": False, "ends": None},
    }
    assert Signals().as_json() == {"capping": None, "timelock": None}


# --- properties -----------------------------------------------------------------------------------

offsets = st.one_of(st.none(), st.integers(-10 * 86400, 40 * 86400).map(lambda s: NOW + timedelta(seconds=s)))
signals = st.builds(
    Signals,
    capping=st.sampled_from([None, "NONE", "FIRST_WARNING", "SECOND_WARNING", "CAPPED"]),
    total_quota=st.one_of(st.none(), st.integers(0, 10_000)),
    used_quota=st.one_of(st.none(), st.integers(0, 10_000)),
    cycle_end=offsets,
    timelock=st.sampled_from([None, False, True]),
    timelock_ends=offsets,
)
limits = st.builds(
    LaneLimits,
    delay_multiplier=st.sampled_from([1.0, 2.0]),
    rest_until=offsets,
    new_chats=st.booleans(),
    new_chats_from=offsets,
    code=st.sampled_from(["", FIRST_WARNING, SECOND_WARNING, CAPPED, TIMELOCK, BRAKE]),
)
rests = st.floats(0, 7200)


@given(signals, rests)
def test_second_warning_always_rests_at_least_the_rest(sig, rest):
    found = limits_from(sig, NOW, rest)
    if sig.capping == "SECOND_WARNING":
        assert found.rest_until >= NOW + timedelta(seconds=rest)
        if sig.cycle_end is not None:
            assert found.rest_until >= sig.cycle_end
    else:
        assert found.rest_until is None
    assert found.delay_multiplier == (2.0 if sig.capping == "FIRST_WARNING" else 1.0)


@given(signals, rests)
def test_new_chats_stop_exactly_for_capped_or_an_active_timelock(sig, rest):
    found = limits_from(sig, NOW, rest)
    active_lock = bool(sig.timelock) and (sig.timelock_ends is None or sig.timelock_ends > NOW)
    assert found.existing_only(NOW) == (active_lock or sig.capping == "CAPPED")


@given(limits, limits, st.integers(-86400, 40 * 86400))
def test_merge_is_at_least_as_strict_as_each_side(a, b, later):
    merged = a.merge(b)
    at = NOW + timedelta(seconds=later)
    for side in (a, b):
        assert merged.delay_multiplier >= side.delay_multiplier
        assert merged.resting(at) or not side.resting(at)
        assert merged.existing_only(at) or not side.existing_only(at)
    assert (merged.new_chats, merged.delay_multiplier, merged.rest_until) == (
        b.merge(a).new_chats, b.merge(a).delay_multiplier, b.merge(a).rest_until)


@given(limits, st.integers(-86400, 40 * 86400))
def test_current_never_adds_a_limit_and_keeps_those_in_force(lim, later):
    at = NOW + timedelta(seconds=later)
    now = lim.current(at)
    assert now.resting(at) == lim.resting(at)
    assert now.existing_only(at) == lim.existing_only(at)
    assert now.delay_multiplier in (1.0, lim.delay_multiplier)
