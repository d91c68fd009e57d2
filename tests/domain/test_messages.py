"""The message and campaign state machines."""

from __future__ import annotations

import itertools

import pytest

from nexus_blast.domain.messages import (
    MESSAGE_TRANSITIONS,
    CampaignStatus,
    IllegalTransition,
    MessageStatus,
    check_campaign_transition,
    check_message_transition,
    final_campaign_status,
)

ALLOWED = {
    ("pending", "sending"),
    ("pending", "skipped"),
    ("pending", "failed"),
    ("pending", "sent"),
    ("sending", "sent"),
    ("sending", "failed"),
    ("sending", "skipped"),
    ("sending", "pending"),
}


@pytest.mark.parametrize("old,new", list(itertools.product([s.value for s in MessageStatus], repeat=2)))
def test_message_transitions_are_exactly_the_documented_ones(old, new):
    if (old, new) in ALLOWED:
        assert check_message_transition(old, new) == (MessageStatus(old), MessageStatus(new))
    else:
        with pytest.raises(IllegalTransition):
            check_message_transition(old, new)


def test_final_states_have_no_way_out():
    for status in MessageStatus:
        assert status.final == (not MESSAGE_TRANSITIONS[status])


def test_unknown_status_is_illegal():
    with pytest.raises(IllegalTransition):
        check_message_transition("pending", "delivered")


def test_campaign_transitions():
    assert check_campaign_transition("running", "paused")
    assert check_campaign_transition("paused", "running")
    assert check_campaign_transition("running", "running")  # resume after a crash
    for final in ("completed", "failed", "cancelled"):
        assert CampaignStatus(final).final
        with pytest.raises(IllegalTransition):
            check_campaign_transition(final, "running")
    with pytest.raises(IllegalTransition):
        check_campaign_transition("paused", "completed")


def test_final_campaign_status():
    assert final_campaign_status(sent=3, failed=1) is CampaignStatus.COMPLETED
    assert final_campaign_status(sent=0, failed=2) is CampaignStatus.FAILED
    assert final_campaign_status(sent=0, failed=0) is CampaignStatus.COMPLETED
