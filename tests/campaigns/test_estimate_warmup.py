"""The estimate follows a session's warm-up ramp: its cap grows on each day it sends."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from nexus_blast.campaigns.estimate import LaneLoad, estimate_seconds
from nexus_blast.domain.window import Window

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 12, 1, 9, tzinfo=SP)


def test_a_ramping_lane_takes_the_days_its_caps_need():
    load = LaneLoad(count=100, seconds_per_message=1, cap_per_day=1000, ramp=(20, 36, 65))
    finish = NOW.timestamp() + estimate_seconds([load], NOW, Window.parse("08:00-20:00", "mon-sun"))
    assert datetime.fromtimestamp(finish, SP).date().isoformat() == "2026-12-03"  # 20 + 36 + 44 of 65


def test_an_all_day_window_moves_to_the_next_day_when_capped():
    load = LaneLoad(count=30, seconds_per_message=1, cap_per_day=20)
    seconds = estimate_seconds([load], NOW, Window.parse("00:00-24:00", "mon-sun"))
    assert 15 * 3600 < seconds < 16 * 3600  # 10 left for tomorrow 00:00
