"""Opt-out keyword matching: whole-message equality after normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from nexus_blast.domain.optout import match_keyword, normalize_text

KEYWORDS = ["sair", "parar", "stop", "cancelar", "descadastrar", "nao quero"]


@pytest.mark.parametrize(
    "text, word",
    [
        ("SAIR", "sair"),
        ("sair!", "sair"),
        (" Sair. ", "sair"),
        ("NÃO QUERO", "nao quero"),
        ("nao quero", "nao quero"),
        ("Não   quero!!", "nao quero"),
        ("Parar 🙏", "parar"),
        ("🚫 STOP 🚫", "stop"),
        ("\u200esair\u200f", "sair"),  # direction marks WhatsApp adds
        ("Ｓａｉｒ", "sair"),  # full-width
        ("Descadastrar.", "descadastrar"),
        ("CANCELAR\n", "cancelar"),
    ],
)
def test_keywords_in_many_spellings(text, word):
    assert match_keyword(text, KEYWORDS) == word


@pytest.mark.parametrize(
    "text",
    ["sair amanhã?", "quero sair", "não quero mais", "stop it", "sairr", "parar de mandar", "", "🙏", "!!!", "nao-quero"],
)
def test_other_messages_are_not_opt_outs(text):
    assert match_keyword(text, KEYWORDS) is None


def test_configured_keywords_are_normalised_too():
    assert match_keyword("chega", ["CHEGA!"]) == "chega"
    assert match_keyword("anything", ["", "  "]) is None


@given(st.text(max_size=40))
def test_normalisation_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert once == once.strip()
