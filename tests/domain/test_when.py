from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from nexus_blast.domain.when import parse_when

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 25, 14, 30, tzinfo=SP)  # a Wednesday
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=SP)


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
        # Human forms, pt-BR and English (the list).
        ("segunda 09:00", datetime(2026, 11, 30, 9, 0, tzinfo=SP)),
        ("seg 9h", datetime(2026, 11, 30, 9, 0, tzinfo=SP)),
        ("sexta 14h30", datetime(2026, 11, 27, 14, 30, tzinfo=SP)),
        ("Sexta-feira 14h30", datetime(2026, 11, 27, 14, 30, tzinfo=SP)),
        ("sábado às 10h", datetime(2026, 11, 28, 10, 0, tzinfo=SP)),
        ("próxima segunda 9h", datetime(2026, 11, 30, 9, 0, tzinfo=SP)),
        ("segunda que vem 9h", datetime(2026, 11, 30, 9, 0, tzinfo=SP)),
        ("07/12/2026 09:00", datetime(2026, 12, 7, 9, 0, tzinfo=SP)),
        ("07/12 9h", datetime(2026, 12, 7, 9, 0, tzinfo=SP)),
        ("7/12/26 14h30", datetime(2026, 12, 7, 14, 30, tzinfo=SP)),
        ("05/01 09:00", datetime(2027, 1, 5, 9, 0, tzinfo=SP)),  # January: next year
        ("next monday 09:00", datetime(2026, 11, 30, 9, 0, tzinfo=SP)),
        ("next friday at 2pm", datetime(2026, 11, 27, 14, 0, tzinfo=SP)),
        ("amanhã 9h", datetime(2026, 11, 26, 9, 0, tzinfo=SP)),
        ("amanha às 9h", datetime(2026, 11, 26, 9, 0, tzinfo=SP)),
        ("tomorrow noon", datetime(2026, 11, 26, 12, 0, tzinfo=SP)),
        ("in 2 hours", NOW + timedelta(hours=2)),
        ("em 2 horas", NOW + timedelta(hours=2)),
        ("daqui a 30 minutos", NOW + timedelta(minutes=30)),
        ("in 2h", NOW + timedelta(hours=2)),
        ("em 1h30m", NOW + timedelta(hours=1, minutes=30)),
        ("7 de dezembro 9h", datetime(2026, 12, 7, 9, 0, tzinfo=SP)),
    ],
)
def test_forms(text, expected):
    assert parse_when(text, NOW, SP) == expected


@pytest.mark.parametrize("text", ["2026-11-24T09:00", "today 08:00", "+0s", "2026-11-25T14:30", "ontem 09:00",
                                  "25/11 14:00", "24/11/2026 9h", "2 hours ago"])
def test_past_is_rejected_with_the_time_understood(text):
    with pytest.raises(ValueError, match=r"past \(understood \w+day 2026-11-2\d \d\d:\d\d -03\)"):
        parse_when(text, NOW, SP)


@pytest.mark.parametrize("text", ["", "soon", "25:00", "tomorrow 25:00", "+2x", "2026-13-01T09:00", "31/02 09:00", "13/13 9h"])
def test_unparseable_is_rejected(text):
    with pytest.raises(ValueError):
        parse_when(text, NOW, SP)


@pytest.mark.parametrize("text, said", [
    ("segunda", "no time of day (understood Monday 2026-11-30 00:00 -03)"),
    ("07/12", "no time of day"),
    ("next week", "ambiguous (understood Wednesday 2026-12-02"),
    ("dezembro", "ambiguous"),
])
def test_no_time_of_day_or_vague_is_rejected_with_what_was_understood(text, said):
    with pytest.raises(ValueError, match=r"^" + repr(text).replace("(", r"\(") + ".*" + said.replace("(", r"\(").replace(")", r"\)")):
        parse_when(text, NOW, SP)


@pytest.mark.parametrize("text", ["segunda 09:00", "monday 09:00", "next monday 9h", "seg 9h"])
def test_todays_weekday_is_ambiguous(text):
    # On Monday 08:00, "segunda 09:00" could be in an hour or in a week: said, not guessed.
    with pytest.raises(ValueError, match=r"ambiguous: today is Monday \(understood Monday 2026-12-07 09:00 -03\); say 'hoje'"):
        parse_when(text, MONDAY, SP)
    assert parse_when("hoje 9h", MONDAY, SP) == datetime(2026, 11, 30, 9, 0, tzinfo=SP)
    assert parse_when("07/12 9h", MONDAY, SP) == datetime(2026, 12, 7, 9, 0, tzinfo=SP)


def test_too_far_ahead_says_what_it_understood():
    with pytest.raises(ValueError, match="more than 366 days ahead"):
        parse_when("07/12/2030 09:00", NOW, SP)


def test_other_timezone_reads_wall_time_there():
    lisbon = ZoneInfo("Europe/Lisbon")
    moment = parse_when("sexta 14h30", NOW, lisbon)  # NOW is 17:30 Wednesday in Lisbon
    assert moment == datetime(2026, 11, 27, 14, 30, tzinfo=lisbon)


def test_sao_paulo_has_no_dst_now():
    # Brazil abolished DST in 2019: 02:30 on what used to be a spring-forward date exists.
    moment = parse_when("2026-11-01T02:30", datetime(2026, 10, 30, tzinfo=SP), SP)
    assert moment.utcoffset() == timedelta(hours=-3)


@given(st.integers(0, 23), st.integers(0, 59), st.integers(0, 6))
def test_weekday_clock_lands_on_that_weekday_and_time_in_the_future(hour, minute, weekday):
    names = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")
    text = f"{names[weekday]} {hour}h{minute:02d}"
    if weekday == NOW.weekday():
        with pytest.raises(ValueError, match="ambiguous"):
            parse_when(text, NOW, SP)
        return
    moment = parse_when(text, NOW, SP)
    assert (moment.weekday(), moment.hour, moment.minute) == (weekday, hour, minute)
    assert NOW < moment <= NOW + timedelta(days=7)
