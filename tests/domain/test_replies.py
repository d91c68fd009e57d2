"""Pure reply helpers: chat kinds, the kept excerpt, durations, the attribution span, rates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus_blast.domain.replies import (
    REPLY_CHARS, chat_kind, excerpt, parse_duration, rate, reply_span,
)


@pytest.mark.parametrize("chat, kind", [
    ("5511987654321@c.us", "person"), ("5511987654321@s.whatsapp.net", "person"), ("1234567890123@lid", "lid"),
    ("120363025246125486@g.us", "group"), ("status@broadcast", "status"), ("12345@broadcast", "broadcast"),
    ("1203630@newsletter", "newsletter"), ("weird", "other"), ("x@example", "other"),
])
def test_chat_kind(chat, kind):
    assert chat_kind(chat) == kind


@given(st.text())
def test_excerpt_is_at_most_160_chars_of_the_stripped_text(body):
    kept = excerpt(body)
    assert len(kept) <= REPLY_CHARS
    assert body.strip().startswith(kept)


@pytest.mark.parametrize("text, seconds", [("72h", 259200), ("2h30m", 9000), ("3d", 259200), ("90m", 5400),
                                           ("45s", 45), ("1.5h", 5400), (" 1d 2h ", 93600)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "72", "h", "abc", "-1h", "2w", "1h-"])
def test_parse_duration_refuses(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_parse_duration_bounds():
    with pytest.raises(ValueError, match="between"):
        parse_duration("10s", minimum=60)


def test_reply_span_covers_the_window_and_the_phone_clock():
    since, until = reply_span("2026-12-01T12:00:00.000+00:00", 3600)
    assert since == "2026-12-01T11:00:00.000+00:00"
    assert until == "2026-12-01T12:02:00.000+00:00"


def test_rate():
    assert rate(1, 3) == 0.3333 and rate(0, 0) == 0.0 and rate(5, 5) == 1.0
