"""Serialized ids from each engine's send response (shapes from CONTRACT.md)."""

from __future__ import annotations

import pytest

from nexus_blast.waha.parsing import SentMessage, serialized_id_from, to_c_us

CHAT = "5511987654321@c.us"


def test_webjs():
    response = {"id": {"fromMe": True, "remote": CHAT, "id": "3EB0AA", "_serialized": f"true_{CHAT}_3EB0AA"}}
    assert serialized_id_from(response, CHAT) == f"true_{CHAT}_3EB0AA"
    without = {"id": {"fromMe": True, "remote": CHAT, "id": "3EB0AB"}}
    assert serialized_id_from(without, CHAT) == f"true_{CHAT}_3EB0AB"


def test_noweb_uses_c_us():
    response = {"key": {"remoteJid": "5511987654321@s.whatsapp.net", "fromMe": True, "id": "3EB0BB"}, "message": {}}
    assert serialized_id_from(response, CHAT) == f"true_{CHAT}_3EB0BB"


def test_gows():
    assert serialized_id_from({"id": f"true_{CHAT}_ABC", "_data": {}}, CHAT) == f"true_{CHAT}_ABC"
    assert serialized_id_from({"id": "ABC"}, CHAT) == f"true_{CHAT}_ABC"


@pytest.mark.parametrize("garbage", [None, [], {}, {"id": ""}, {"key": {}}, "text"])
def test_garbage_is_a_value_error(garbage):
    with pytest.raises(ValueError):
        serialized_id_from(garbage, CHAT)


def test_to_c_us():
    assert to_c_us("5511987654321:12@s.whatsapp.net") == CHAT
    assert to_c_us("123-456@g.us") == "123-456@g.us"
    assert SentMessage(f"true_{CHAT}_XYZ").short_id == "XYZ"


# --- WhatsApp's signals in `me` (issue 13) --------------------------------------------------------

from datetime import UTC, datetime  # noqa: E402

from nexus_blast.domain.signals import Signals  # noqa: E402
from nexus_blast.waha.parsing import signals_from  # noqa: E402


def test_signals_as_waha_reports_them():
    me = {
        "id": "5511999999999@c.us", "pushName": "x",
        "reachoutTimelock": {"isActive": True, "timeEnforcementEnds": 1784477333, "enforcementType": "DEFAULT"},
        "messageCapping": {"cappingStatus": "FIRST_WARNING", "totalQuota": 1000, "usedQuota": 640,
                           "cycleStart": 1782874800, "cycleEnd": 1785553199, "mvStatus": "NOT_ELIGIBLE", "oteStatus": None},
    }
    signals, problem = signals_from(me)
    assert problem == ""
    assert signals == Signals(
        capping="FIRST_WARNING", total_quota=1000, used_quota=640, cycle_end=datetime.fromtimestamp(1785553199, UTC),
        timelock=True, timelock_ends=datetime.fromtimestamp(1784477333, UTC),
    )


def test_signals_absent_are_not_a_problem():
    for me in (None, {}, {"id": "1@c.us"}, "garbage-but-not-ours"):
        assert signals_from(me) == (Signals(), "")


def test_signal_times_in_milliseconds_or_iso_are_read_too():
    ms, _ = signals_from({"reachoutTimelock": {"isActive": True, "timeEnforcementEnds": 1784477333000}})
    iso, _ = signals_from({"reachoutTimelock": {"isActive": True, "timeEnforcementEnds": "2026-06-26T00:05:57.000Z"}})
    assert ms.timelock_ends == datetime.fromtimestamp(1784477333, UTC)
    assert iso.timelock_ends == datetime(2026, 6, 26, 0, 5, 57, tzinfo=UTC)


def test_garbage_signals_are_ignored_and_said():
    signals, problem = signals_from({"messageCapping": {"cappingStatus": "WEIRD"}, "reachoutTimelock": {"isActive": "yes"}})
    assert signals == Signals() and "WEIRD" in problem and "isActive" in problem
    signals, problem = signals_from({"messageCapping": [1], "reachoutTimelock": 7})
    assert signals == Signals() and "messageCapping" in problem and "reachoutTimelock" in problem
    signals, problem = signals_from({"messageCapping": {"cappingStatus": "CAPPED", "totalQuota": "x", "cycleEnd": "soon"}})
    assert (signals.capping, signals.total_quota, signals.cycle_end) == ("CAPPED", None, None)
