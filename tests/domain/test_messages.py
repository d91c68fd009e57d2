"""The message and campaign state machines."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus_blast.domain.messages import (
    MESSAGE_TRANSITIONS,
    Part,
    CampaignStatus,
    IllegalTransition,
    MessageStatus,
    check_campaign_transition,
    check_message_transition,
    final_campaign_status,
    message_parts,
    part_in_flight,
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


@given(kind=st.sampled_from([None, "image", "file", "video", "voice"]), text=st.text(max_size=20), media_first=st.booleans())
def test_message_parts_each_part_once_and_text_never_lost(kind, text, media_first):
    parts = message_parts(kind, text, media_first)
    assert len(parts) == len(set(parts)) and 1 <= len(parts) <= 2
    if kind is None:
        assert parts == (Part.TEXT,)
    elif kind != "voice":
        assert parts == (Part.MEDIA,)  # the text is the caption
    elif text.strip():
        assert set(parts) == {Part.TEXT, Part.MEDIA} and parts[0] is (Part.MEDIA if media_first else Part.TEXT)
    else:
        assert parts == (Part.MEDIA,)  # a voice note with nothing to say before it
    assert part_in_flight(parts, False) is parts[0] and part_in_flight(parts, True) is parts[-1]
