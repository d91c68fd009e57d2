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
