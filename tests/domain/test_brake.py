"""The brake on failure: a table of windows, then properties (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from nexus_blast.domain.brake import BrakeRule, SendRecord, brake_limits, brake_reason, is_silent
from nexus_blast.domain.signals import BRAKE

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
RULE = BrakeRule(window=10, ratio=0.5, ack_after=600)
OLD = NOW - timedelta(seconds=900)


def ok(ack=3, at=OLD):
    return SendRecord(failed=False, sent_at=at, ack=ack)


FAILED = SendRecord(failed=True)


def test_half_failed_is_not_a_brake_more_than_half_is():
    assert brake_reason([FAILED] * 5 + [ok()] * 5, RULE, NOW) is None
    reason = brake_reason([FAILED] * 6 + [ok()] * 4, RULE, NOW)
    assert reason is not None and "6 of its last 10" in reason


def test_only_the_window_counts():
    assert brake_reason([ok()] * 10 + [FAILED] * 30, RULE, NOW) is None


def test_silent_non_delivery_counts_only_where_acks_arrive_and_after_ack_after():
    silent = [ok(ack=1)] * 6 + [ok()] * 4
    assert brake_reason(silent, RULE, NOW) is not None
    young = [ok(ack=1, at=NOW - timedelta(seconds=60))] * 6 + [ok()] * 4
    assert brake_reason(young, RULE, NOW) is None  # not yet 600 s old: they may still arrive
    no_webhook = [SendRecord(failed=False, sent_at=OLD, ack=None)] * 10
    assert brake_reason(no_webhook, RULE, NOW) is None  # no ack ever: nothing can be said
    assert is_silent(SendRecord(False, OLD, None), NOW, 600) and not is_silent(ok(ack=2), NOW, 600)


def test_brake_limits_rest_from_now():
    limits = brake_limits("why", NOW, 300)
    assert (limits.rest_until, limits.code, limits.reason, limits.new_chats) == (NOW + timedelta(seconds=300), BRAKE, "why", True)


records = st.lists(
    st.builds(
        SendRecord,
        failed=st.booleans(),
        sent_at=st.one_of(st.none(), st.integers(0, 3600).map(lambda s: NOW - timedelta(seconds=s))),
        ack=st.one_of(st.none(), st.integers(-1, 4)),
    ),
    max_size=40,
)
rules = st.builds(BrakeRule, window=st.integers(1, 30), ratio=st.floats(0, 0.99), ack_after=st.floats(1, 3600))


@given(records, rules)
def test_a_brake_needs_more_bad_sends_than_the_ratio_allows(recs, rule):
    bad = sum(r.failed for r in recs[: rule.window])
    if bad > rule.ratio * rule.window:
        assert brake_reason(recs, rule, NOW) is not None
    if brake_reason(recs, rule, NOW) is None:
        assert bad <= rule.ratio * rule.window


@given(records, rules, st.integers(0, 29))
def test_one_more_failure_never_lifts_a_brake(recs, rule, at):
    if brake_reason(recs, rule, NOW) is None or not recs:
        return
    worse = list(recs)
    i = min(at, len(worse) - 1)
    worse[i] = SendRecord(failed=True, sent_at=worse[i].sent_at, ack=worse[i].ack)
    if any(r.ack is not None for r in worse[: rule.window]):
        assert brake_reason(worse, rule, NOW) is not None
