"""Templates: placeholders, fallbacks, spintax, checks before sending."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, strategies as st

from nexus_blast.domain.templates import Placeholder, Spin, TemplateError, parse_template


def render(source: str, fields: dict[str, str], seed: int = 1, columns=None) -> str:
    bound = parse_template(source).bind(list(columns if columns is not None else fields))
    return bound.render(fields, random.Random(seed), row=1)


def test_placeholder_matches_column_case_insensitively_and_keeps_accents():
    assert render("Olá {{Nome}}, ação!", {"nome": "José"}) == "Olá José, ação!"
    assert render("{{NOME}} {{cidade}}", {"Nome": "Ana", "Cidade": "São Paulo"}) == "Ana São Paulo"


def test_accented_column_is_not_the_unaccented_one():
    with pytest.raises(TemplateError, match=r"\{\{nome\}\}"):
        parse_template("Oi {{nome}}").bind(["nóme"])


def test_fallback_used_when_value_empty_or_column_missing():
    assert render("Oi {{nome|cliente}}!", {"nome": "  "}) == "Oi cliente!"
    assert render("Oi {{nome|cliente}}!", {"telefone": "1"}) == "Oi cliente!"
    assert render("Oi {{nome|}}!", {"nome": ""}) == "Oi !"
    assert render("Oi {{nome|cliente}}!", {"nome": "Bia"}) == "Oi Bia!"


def test_missing_column_names_placeholder_and_first_row():
    with pytest.raises(TemplateError) as err:
        parse_template("Oi {{apelido}}").bind(["nome", "telefone"])
    assert "{{apelido}}" in err.value.message and "1" in err.value.message


def test_empty_value_without_fallback_names_the_row():
    bound = parse_template("Oi {{nome}}").bind(["nome"])
    bound.check({"nome": "Ana"}, row=1)
    with pytest.raises(TemplateError) as err:
        bound.check({"nome": ""}, row=7)
    assert "{{nome}}" in err.value.message and "row 7" in err.value.message


def test_required_use_wins_over_fallback_use():
    tpl = parse_template("{{nome|amigo}} e {{nome}}")
    assert tpl.placeholders == (Placeholder("nome", None),)
    with pytest.raises(TemplateError):
        tpl.bind(["telefone"])


def test_spintax_picks_each_option_with_injected_rng():
    tpl = parse_template("{Olá|Oi|E aí} {{nome}}").bind(["nome"])
    seen = {tpl.render({"nome": "Ana"}, random.Random(seed)) for seed in range(60)}
    assert seen == {"Olá Ana", "Oi Ana", "E aí Ana"}
    # Same seed, same text: rendering is deterministic given the rng.
    assert tpl.render({"nome": "Ana"}, random.Random(5)) == tpl.render({"nome": "Ana"}, random.Random(5))


def test_nested_spintax_and_placeholders_inside_options():
    tpl = parse_template("{Oi {{nome}}|{Olá|Salve} {{nome|você}}}!")
    assert isinstance(tpl.nodes[0], Spin)
    bound = tpl.bind(["nome"])
    outs = {bound.render({"nome": "Rui"}, random.Random(s)) for s in range(80)}
    assert outs == {"Oi Rui!", "Olá Rui!", "Salve Rui!"}


def test_placeholder_inside_unchosen_option_is_still_checked():
    bound = parse_template("{Oi|Olá {{nome}}}").bind(["nome"])
    with pytest.raises(TemplateError, match="row 3"):
        bound.render({"nome": ""}, random.Random(0), row=3)


def test_plain_braces_and_bars_are_kept():
    assert render("preço {ok} a|b } {", {}) == "preço {ok} a|b } {"
    assert render("json: {\"a\": 1}", {}) == "json: {\"a\": 1}"


def test_errors_for_bad_templates():
    with pytest.raises(TemplateError):
        parse_template("   ")
    with pytest.raises(TemplateError, match="unclosed"):
        parse_template("Oi {{nome")
    with pytest.raises(TemplateError):
        parse_template("Oi {{}}")


def test_template_error_is_an_input_error_exit_2():
    from nexus_blast.errors import ExitCode, InputError

    assert issubclass(TemplateError, InputError)
    assert TemplateError("x").exit_code == ExitCode.USAGE


@given(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=60))
def test_text_without_braces_renders_unchanged(text):
    if text.strip():
        assert render(text, {}) == text


@given(st.lists(st.text(alphabet="abcxyz ", min_size=1, max_size=5), min_size=2, max_size=5), st.integers(0, 10**6))
def test_spintax_output_is_one_of_the_options(options, seed):
    out = render("{" + "|".join(options) + "}", {}, seed=seed)
    assert out in options
