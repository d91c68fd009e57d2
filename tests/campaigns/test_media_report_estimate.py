"""Images by content, report escaping, duration estimates, lane boards."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nexus_blast.campaigns.estimate import LaneLoad, estimate_seconds, human_duration, lane_finish
from nexus_blast.campaigns.lanes import HEALTHY, UNHEALTHY, Board, Lane, LaneSpec
from nexus_blast.campaigns.media import check_image, load_data, sniff_mimetype
from nexus_blast.campaigns.report import escape_cell
from nexus_blast.domain.window import Window
from nexus_blast.errors import InputError
from tests.campaigns.helpers import png_bytes

SP = ZoneInfo("America/Sao_Paulo")


def test_sniff_by_magic_bytes():
    assert sniff_mimetype(b"\xff\xd8\xff\xe0....") == "image/jpeg"
    assert sniff_mimetype(png_bytes()[:16]) == "image/png"
    assert sniff_mimetype(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_mimetype(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert sniff_mimetype(b"GIF89a") is None


def test_check_image_size_name_and_changes(tmp_path):
    path = tmp_path / "foto.jpeg"
    path.write_bytes(b"\xff\xd8\xff" + b"x" * 2000)
    image = check_image(str(path), max_mib=1)
    assert (image.mimetype, image.filename, image.size) == ("image/jpeg", "foto.jpeg", 2003)
    assert load_data(image)
    path.write_bytes(b"\xff\xd8\xff" + b"y" * 2000)
    with pytest.raises(InputError, match="changed"):
        load_data(image)
    with pytest.raises(InputError, match="limit"):
        check_image(str(path), max_mib=0.001)
    with pytest.raises(InputError, match="no such"):
        check_image(str(tmp_path / "nope.png"), max_mib=1)
    webp = tmp_path / "x.png"
    webp.write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    assert check_image(str(webp), max_mib=1).filename == "x.webp"  # the content decides


def test_url_image_is_fetched_once_and_checked_by_content():
    from tests.media_server import MediaServer

    with MediaServer() as files:
        files.files["a/promo.jpg"] = (png_bytes(), "image/jpeg")  # the name and header lie: the content decides
        url = files.url("a/promo.jpg") + "?v=2"
        image = check_image(url, max_mib=1)
        assert (image.url, image.mimetype, image.filename, image.size) == (url, "image/png", "promo.png", len(png_bytes()))
        assert load_data(image) is None and files.hits == ["/files/a/promo.jpg"]  # WAHA fetches it at each send
        with pytest.raises(InputError, match="over the"):
            check_image(url, max_mib=len(png_bytes()) / 2 / 1024 / 1024)


@pytest.mark.parametrize(
    "value,expected",
    [("=1+1", "'=1+1"), ("+5511", "'+5511"), ("-3", "'-3"), ("@x", "'@x"), ("\tx", "'\tx"), ("ok", "ok"), (None, ""), (3, "3")],
)
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


def test_estimate_plain_lanes_in_parallel():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=SP)
    loads = [LaneLoad(11, 10.0, 1000), LaneLoad(5, 10.0, 1000)]
    assert estimate_seconds(loads, now) == 100.0
    assert estimate_seconds([], now) == 0.0


def test_estimate_daily_cap_and_window():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=SP)  # a Monday
    capped = lane_finish(LaneLoad(15, 60.0, 10), now)
    assert capped == datetime(2026, 3, 3, 0, 4, tzinfo=SP)  # 10 today, 5 after midnight
    window = Window.parse("08:00-10:00", "mon-fri")
    finish = lane_finish(LaneLoad(150, 60.0, 1000), now, window)  # 60 fit until 10:00
    assert finish == datetime(2026, 3, 3, 9, 29, tzinfo=SP)
    late = lane_finish(LaneLoad(1, 60.0, 1000), datetime(2026, 3, 6, 21, 0, tzinfo=SP), window)  # Friday night
    assert late == datetime(2026, 3, 9, 8, 0, tzinfo=SP)


def test_human_duration():
    assert [human_duration(s) for s in (5, 125, 3 * 3600 + 300, 50 * 3600)] == ["5s", "2m 05s", "3h 05m", "2d 02h"]


def lane(name, ids=(), weight=1.0, state=HEALTHY):
    return Lane(LaneSpec(name, name, None, weight), queue=deque(ids), state=state)


def test_board_evacuates_by_weight_and_keeps_sticky_when_timelocked():
    a, b, c = lane("a", range(1, 9)), lane("b", weight=3), lane("c")
    board = Board([a, b, c], sticky={1, 2})
    a.state = UNHEALTHY
    assert board.evacuate(a) == 8
    assert (len(b.queue), len(c.queue), len(a.queue)) == (6, 2, 0)
    assert sorted(board.take_moves()) == sorted([(m, "b") for m in b.queue] + [(m, "c") for m in c.queue])
    d = lane("d", [10, 11, 12])
    board2 = Board([d, lane("e")], sticky={11})
    board2.evacuate(d, keep_sticky=True)
    assert list(d.queue) == [11]


def test_board_orphans_then_adoption_and_rebalance():
    a, b = lane("a", [1, 2, 3]), lane("b", state=UNHEALTHY)
    board = Board([a, b], sticky=set())
    a.state = UNHEALTHY
    board.evacuate(a)
    assert list(board.orphans) == [1, 2, 3] and board.queued() == 3
    b.state = HEALTHY
    assert board.adopt_orphans() == 3 and list(b.queue) == [1, 2, 3]
    a.state = HEALTHY
    assert board.rebalance_into(a) == 1 and list(a.queue) == [3]


def test_estimate_moves_a_capped_lanes_work_to_lanes_with_room_as_the_run_does():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=SP)
    # A can send 10 today: its other 90 go to B (as the run's failover moves a capped session's
    # contacts), so the job takes B's 190 sends, not until tomorrow.
    loads = [LaneLoad(100, 10.0, 10), LaneLoad(100, 10.0, 1000)]
    assert estimate_seconds(loads, now) == 189 * 10.0
    # Only when every lane is capped do days count.
    both_capped = [LaneLoad(100, 10.0, 10), LaneLoad(100, 10.0, 10)]
    assert estimate_seconds(both_capped, now) == (8 * 24 + 15) * 3600 + 9 * 10.0  # 20 a day: the 10th day at 00:01:30
    # Already sent today counts against the cap.
    assert estimate_seconds([LaneLoad(5, 10.0, 10, sent_today=10), LaneLoad(5, 10.0, 1000)], now) == 90.0
