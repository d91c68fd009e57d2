from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus_blast.domain.window import Window, parse_days, parse_window

SP = ZoneInfo("America/Sao_Paulo")


def at(day: int, hh: int, mm: int = 0) -> datetime:
    # 2026-11-23 is a Monday
    return datetime(2026, 11, 23 + day, hh, mm, tzinfo=SP)


def test_parse_days():
    assert parse_days("mon-sat") == frozenset(range(6))
    assert parse_days("mon,wed,fri") == frozenset({0, 2, 4})
    assert parse_days("sat-mon") == frozenset({5, 6, 0})
    for bad in ["", "monday", "mon-xyz", "mon-tue-wed"]:
        with pytest.raises(ValueError):
            parse_days(bad)


def test_parse_window():
    with pytest.raises(ValueError):
        parse_window("8-20")
    with pytest.raises(ValueError):
        parse_window("08:00-08:00")


def test_daytime_window():
    w = Window.parse("08:00-20:00", "mon-sat")
    assert not w.is_open(at(0, 7, 59))
    assert w.is_open(at(0, 8, 0))
    assert w.is_open(at(0, 19, 59))
    assert not w.is_open(at(0, 20, 0))
    assert not w.is_open(at(6, 12))  # Sunday
    assert w.next_open(at(0, 21)) == at(1, 8)
    assert w.next_open(at(5, 21)) == at(7, 8)  # Saturday night → Monday 08:00
    assert w.next_open(at(0, 9)) == at(0, 9)


def test_window_crossing_midnight_belongs_to_opening_day():
    w = Window.parse("22:00-06:00", "fri")
    assert w.is_open(at(4, 23))  # Friday 23:00
    assert w.is_open(at(5, 5, 59))  # Saturday early morning, opened Friday
    assert not w.is_open(at(5, 23))  # Saturday night: not an opening day
    assert not w.is_open(at(4, 5))  # Friday early morning belongs to Thursday
    assert w.next_open(at(4, 5)) == at(4, 22)


@given(st.integers(0, 6), st.integers(0, 23), st.integers(0, 59))
def test_next_open_is_open_and_not_before_now(day, hh, mm):
    w = Window.parse("08:00-20:00", "mon-fri")
    now = at(day, hh, mm)
    nxt = w.next_open(now)
    assert nxt >= now
    assert w.is_open(nxt)


def test_all_day_window():
    w = Window.parse("00:00-24:00", "mon-sun")
    assert all(w.is_open(at(d, h, m)) for d in range(7) for h in (0, 12, 23) for m in (0, 59))
    assert w.is_open(datetime(2026, 11, 23, 23, 59, 59, 999999, tzinfo=SP))
    weekdays = Window.parse("00:00-24:00", "mon-fri")
    assert not weekdays.is_open(at(5, 12))
    assert weekdays.next_open(at(5, 12)) == at(7, 0)


def test_next_day_start_is_local_midnight():
    from nexus_blast.domain.window import next_day_start

    assert next_day_start(at(0, 23, 59)) == at(1, 0)
    assert next_day_start(at(0, 0, 0)) == at(1, 0)
