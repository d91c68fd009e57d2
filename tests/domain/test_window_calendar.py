"""Per-weekday windows and closed dates (holidays) in the sending window (pure)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from nexus_blast.domain.window import Window

SP = ZoneInfo("America/Sao_Paulo")


def at(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SP)


def test_a_weekday_has_its_own_window():
    w = Window.parse("08:00-20:00", "mon-sat", {5: "09:00-13:00"})  # Saturday mornings only
    assert w.is_open(at(2026, 12, 5, 10)) and not w.is_open(at(2026, 12, 5, 14))  # Saturday
    assert w.is_open(at(2026, 12, 4, 19))  # Friday keeps sending.window
    assert w.next_open(at(2026, 12, 5, 14)) == at(2026, 12, 7, 8)  # Saturday 14:00 → Monday 08:00
    assert w.closes_at(at(2026, 12, 5, 10)) == at(2026, 12, 5, 13)
    assert w.latest_end() == time(20, 0)


def test_a_closed_date_is_like_a_day_outside_the_days():
    christmas = date(2026, 12, 25)  # a Friday
    w = Window.parse("08:00-20:00", "mon-fri", closed=[christmas])
    assert not w.is_open(at(2026, 12, 25, 10))
    assert w.next_open(at(2026, 12, 24, 21)) == at(2026, 12, 28, 8)  # over the holiday and the weekend
    assert w.is_open(at(2026, 12, 28, 8))


def test_a_closed_date_cuts_the_night_window_that_would_open_on_it():
    w = Window.parse("22:00-02:00", "mon-sun", closed=[date(2026, 12, 25)])
    assert w.is_open(at(2026, 12, 25, 1))  # Thursday night's window, opened on the 24th
    assert not w.is_open(at(2026, 12, 25, 23)) and not w.is_open(at(2026, 12, 26, 1))
    assert w.next_open(at(2026, 12, 25, 3)) == at(2026, 12, 26, 22)
    assert w.latest_end() is None
