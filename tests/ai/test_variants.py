"""Parsing, repairing and checking drafted variants (pure text)."""

from __future__ import annotations

import pytest

from nexus_blast.ai.variants import Unparseable, dedup_key, parse_variants, problem, repair


@pytest.mark.parametrize(
    "answer",
    [
        '["a", "b"]',
        '```json\n["a", "b"]\n```',
        'Claro! Aqui estão:\n```\n["a", "b",]\n```\nBoa campanha!',
        'Aqui: ["a", "b"] espero que goste',
        '{"variants": ["a", "b"]}',
        '[{"text": "a"}, {"mensagem": "b"}]',
        '["a", "", "b", 3]',
    ],
)
def test_parse_tolerates_fences_prose_and_shapes(answer):
    assert parse_variants(answer) == ["a", "b"]


@pytest.mark.parametrize("answer", ["", "Olá, tudo bem?", "[]", '{"x": 1}', "[1, 2]"])
def test_parse_rejects_what_holds_no_texts(answer):
    with pytest.raises(Unparseable):
        parse_variants(answer)


def test_repair_headings_bold_links_quotes_and_placeholders():
    text = '"# Promoção!\n**Só hoje**, {{ Nome }}: veja [o site](https://x.com.br) e {cidade}"'
    assert repair(text, ("nome", "cidade")) == "*Promoção!*\n*Só hoje*, {{nome}}: veja o site: https://x.com.br e {{cidade}}"


def test_repair_keeps_fallback_text_and_whatsapp_formatting():
    assert repair("Oi {{NOME|cliente}}, *oferta* _boa_ ~cara~", ("nome",)) == "Oi {{nome|cliente}}, *oferta* _boa_ ~cara~"


def test_repair_leaves_unknown_placeholders_for_the_check():
    assert repair("Oi {{cpf}}", ("nome",)) == "Oi {{cpf}}"


@pytest.mark.parametrize(
    ("text", "allowed", "reason"),
    [
        ("", ("nome",), "empty"),
        ("Oi {{cpf}}", ("nome",), "uses placeholder {{cpf}} (allowed: nome)"),
        ("Oi {{nome}}", (), "uses placeholder {{nome}} (none allowed)"),
        ("Oi {Olá|Oi}", ("nome",), "contains curly braces"),
        ("x" * 41, (), "too long (41 > 40 characters)"),
        ("## Título\ntexto", (), "contains a markdown heading"),
    ],
)
def test_problems(text, allowed, reason):
    assert problem(text, allowed, 40).startswith(reason)


def test_allowed_placeholders_and_fallbacks_pass():
    assert problem("Oi {{nome}}, de {{cidade|sua cidade}}!", ("nome", "cidade"), 100) is None


def test_dedup_key_ignores_case_spacing_and_final_punctuation():
    assert dedup_key("Oi  Maria!") == dedup_key("oi maria")
    assert dedup_key("Oi Maria") != dedup_key("Oi João")
