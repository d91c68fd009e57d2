from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nexus_blast.domain.when import parse_when

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 25, 14, 30, tzinfo=SP)  # a Wednesday


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-26T09:00", datetime(2026, 11, 26, 9, 0, tzinfo=SP)),
        ("2026-11-26 09:00", datetime(2026, 11, 26, 9, 0, tzinfo=SP)),
        ("2026-11-26T09:00:00-03:00", datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))),
        ("2026-11-26T12:00Z", datetime(2026, 11, 26, 9, 0, tzinfo=SP)),
        ("15:00", datetime(2026, 11, 25, 15, 0, tzinfo=SP)),
        ("09:00", datetime(2026, 11, 26, 9, 0, tzinfo=SP)),
        ("9h", datetime(2026, 11, 26, 9, 0, tzinfo=SP)),
        ("tomorrow 09:00", datetime(2026, 11, 26, 9, 0, tzinfo=SP)),
        ("amanhã 8:30", datetime(2026, 11, 26, 8, 30, tzinfo=SP)),
        ("today 18:00", datetime(2026, 11, 25, 18, 0, tzinfo=SP)),
        ("+2h", NOW + timedelta(hours=2)),
        ("+1h30m", NOW + timedelta(hours=1, minutes=30)),
        ("+45s", NOW + timedelta(seconds=45)),
        ("+1d", NOW + timedelta(days=1)),
    ],
)
def test_forms(text, expected):
    assert parse_when(text, NOW, SP) == expected


@pytest.mark.parametrize("text", ["2026-11-24T09:00", "today 08:00", "+0s", "2026-11-25T14:30"])
def test_past_is_rejected(text):
    with pytest.raises(ValueError, match="past"):
        parse_when(text, NOW, SP)


@pytest.mark.parametrize("text", ["", "soon", "25:00", "tomorrow noon", "+2x", "2026-13-01T09:00"])
def test_unparseable_is_rejected(text):
    with pytest.raises(ValueError):
        parse_when(text, NOW, SP)


def test_sao_paulo_has_no_dst_now():
    # Brazil abolished DST in 2019: 02:30 on what used to be a spring-forward date exists.
    moment = parse_when("2026-11-01T02:30", datetime(2026, 10, 30, tzinfo=SP), SP)
    assert moment.utcoffset() == timedelta(hours=-3)
