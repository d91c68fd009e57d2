"""A lane's delay runs on across midnight: the estimate does not restart a lane's sends at 00:00
(the suite's dry-run estimate was short by up to one delay when run just before midnight)."""

from __future__ import annotations

from datetime import datetime

import pytest
from zoneinfo import ZoneInfo

from nexus_blast.campaigns.estimate import LaneLoad, estimate_seconds
from nexus_blast.domain.window import Window

SP = ZoneInfo("America/Sao_Paulo")


@pytest.mark.parametrize("clock", [(9, 0), (23, 50), (23, 55), (23, 59)])
@pytest.mark.parametrize("window", [None, "00:00-24:00"])
def test_an_uncapped_lane_takes_its_delays_at_any_hour(clock, window):
    now = datetime(2026, 12, 1, *clock, tzinfo=SP)
    loads = [LaneLoad(count=14, seconds_per_message=45.5, cap_per_day=1000), LaneLoad(count=13, seconds_per_message=45.5, cap_per_day=1000)]
    seconds = estimate_seconds(loads, now, Window.parse(window, "mon-sun") if window else None)
    assert seconds == pytest.approx(13 * 45.5)


def test_a_capped_lane_still_starts_again_at_midnight():
    now = datetime(2026, 12, 1, 23, 59, tzinfo=SP)
    load = LaneLoad(count=3, seconds_per_message=10, cap_per_day=1000, sent_today=999)
    # one send today at 23:59:00, the cap frees at 00:00:00, then one every 10 s
    assert estimate_seconds([load], now, None) == pytest.approx(60 + 10)
