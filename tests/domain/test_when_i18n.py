"""when.py's errors follow the language (pt-BR / English); parsing accepts both languages either way."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nexus_blast import i18n
from nexus_blast.domain.when import parse_when

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 25, 14, 30, tzinfo=SP)


def test_errors_speak_portuguese(portuguese):
    with pytest.raises(ValueError) as caught:
        parse_when("ontem 09:00", NOW, SP)
    assert str(caught.value) == "'ontem 09:00' está no passado (entendido: terça-feira 24/11/2026 09:00 -03)"
    assert i18n.english(caught.value.args[0]) == "'ontem 09:00' is in the past (understood Tuesday 2026-11-24 09:00 -03)"
    with pytest.raises(ValueError) as caught:
        parse_when("31/02 09:00", NOW, SP)
    assert str(caught.value) == "'31/02 09:00': essa data não existe (dia primeiro: DD/MM/AAAA HH:MM)"
    with pytest.raises(ValueError) as caught:
        parse_when("2036-06-01T09:00", NOW, SP)
    assert str(caught.value).startswith("'2036-06-01T09:00' está a mais de ")
    assert "dias no futuro (entendido: " in str(caught.value)
    assert parse_when("tomorrow 9h", NOW, SP) == parse_when("amanhã 9h", NOW, SP) == datetime(2026, 11, 26, 9, 0, tzinfo=SP)


def test_errors_speak_english():
    i18n.configure(language="en")
    with pytest.raises(ValueError) as caught:
        parse_when("ontem 09:00", NOW, SP)
    assert str(caught.value) == "'ontem 09:00' is in the past (understood Tuesday 2026-11-24 09:00 -03)"
    with pytest.raises(ValueError) as caught:
        parse_when("2036-06-01T09:00", NOW, SP)
    assert "days ahead (understood " in str(caught.value)
