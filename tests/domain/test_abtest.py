"""The A/B verdict: Wilson intervals, the two-proportion test, the minimum of data."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nexus_blast.domain.abtest import Arm, label, two_proportion_p, verdict, wilson


def test_wilson_known_values():
    low, high = wilson(30, 100)
    assert round(low, 4) == 0.2189 and round(high, 4) == 0.3958
    assert wilson(0, 0) == (0.0, 0.0)


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_contains_the_rate(s, n):
    s = min(s, n)
    low, high = wilson(s, n)
    assert 0 <= low <= s / n <= high <= 1


def test_two_proportion_p():
    assert two_proportion_p(30, 100, 5, 100) < 0.0001
    assert two_proportion_p(10, 100, 10, 100) == 1.0
    assert two_proportion_p(0, 0, 1, 2) == 1.0


def test_clear_leader_is_named_and_significant():
    v = verdict([Arm(0, 100, 30), Arm(1, 100, 5)])
    assert (v.leader, v.significant) == (0, True)
    assert v.document()["label"] == "A" and "A leads" in v.statement


def test_close_race_names_the_best_without_significance():
    v = verdict([Arm(0, 100, 10), Arm(1, 100, 12)])
    assert (v.leader, v.significant) == (1, False) and "not significantly" in v.statement


def test_not_enough_data_below_the_minimum():
    v = verdict([Arm(0, 29, 20), Arm(1, 100, 1)])
    assert v.leader is None and v.statement.startswith("not enough data")


def test_tie_and_single_variant():
    assert verdict([Arm(0, 50, 5), Arm(1, 50, 5)]).leader is None
    assert verdict([Arm(0, 50, 5)]).leader is None


@given(st.lists(st.tuples(st.integers(30, 300), st.integers(0, 300)), min_size=2, max_size=5))
def test_leader_has_the_best_rate(raw):
    arms = [Arm(i, n, min(r, n)) for i, (n, r) in enumerate(raw)]
    v = verdict(arms)
    if v.leader is not None:
        best = max(a.replied / a.sent for a in arms)
        assert arms[v.leader].replied / arms[v.leader].sent == best


def test_labels():
    assert [label(i) for i in (0, 1, 25, 26)] == ["A", "B", "Z", "V27"]


def test_each_verdict_has_a_code_and_params_that_say_its_english_statement():
    """People read a verdict in their language from `code` + `params` (JSON values, stored with a
    decided A/B test); `statement` stays the English sentence --json has always had."""
    import json

    from nexus_blast.domain import abtest

    cases = {
        abtest.ONE_VARIANT: ([Arm(0, 50, 5)], "one variant: nothing to compare"),
        abtest.NOT_ENOUGH_DATA: ([Arm(0, 29, 20), Arm(1, 100, 1)],
                                 "not enough data: at least 30 sent per variant needed (A has 29)"),
        abtest.TIE: ([Arm(0, 50, 5), Arm(1, 50, 5)], "no leader: A and B have the same reply rate (10.0%)"),
        abtest.SIGNIFICANT: ([Arm(0, 100, 30), Arm(1, 100, 5)],
                             "A leads: reply rate 30.0% vs 5.0% for B (significant at 95%, p = 0.0000)"),
        abtest.NOT_SIGNIFICANT: ([Arm(0, 100, 10), Arm(1, 100, 12)],
                                 "B is ahead but not significantly: reply rate 12.0% vs 10.0% for A "
                                 "(p = 0.65; send more or wait for replies)"),
    }
    for code, (arms, statement) in cases.items():
        v = verdict(arms)
        assert (v.code, v.statement) == (code, statement)
        params = json.loads(json.dumps(v.params))  # as stored in campaigns.options
        assert abtest.english_statement(code, params) == statement
        assert "code" not in v.document() and v.document()["statement"] == statement
