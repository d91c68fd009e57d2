"""The pace of a running campaign (progress lines): messages per minute and the ETA."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nexus_blast.domain.progress import pace


def test_pace_counts_only_what_this_run_settled():
    figures = pace(settled_at_start=100, settled_now=130, pending=60, elapsed_seconds=60)
    assert figures.per_minute == 30 and figures.eta_seconds == 120


def test_nothing_settled_yet_has_no_eta_and_nothing_pending_has_none_left():
    assert pace(5, 5, 10, 30).eta_seconds is None
    assert pace(5, 5, 0, 30).eta_seconds == 0
    assert pace(0, 3, 4, 0).eta_seconds is None


@given(st.integers(0, 10_000), st.integers(1, 10_000), st.integers(0, 100_000), st.floats(0.01, 1e6))
def test_eta_is_pending_at_the_measured_pace(start, done, pending, elapsed):
    figures = pace(start, start + done, pending, elapsed)
    assert figures.per_minute > 0
    assert abs(figures.eta_seconds * figures.per_minute / 60 - pending) <= 1e-6 * max(1, pending)
