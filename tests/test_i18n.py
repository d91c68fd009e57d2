"""nexus_blast.i18n: which language, read how cheaply, and what `_()` gives."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from nexus_blast import i18n


@pytest.mark.parametrize("env, expected", [
    ({}, "en"), ({"LANG": "C"}, "en"), ({"LANG": "pt_BR.UTF-8"}, "pt_BR"), ({"LANG": "pt_PT.UTF-8"}, "pt_BR"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "pt_BR.UTF-8"}, "pt_BR"), ({"LC_ALL": "C", "LANG": "pt_BR.UTF-8"}, "en"),
    ({"LC_ALL": "pt_BR", "LC_MESSAGES": "en_US"}, "pt_BR"), ({"LC_ALL": "", "LANG": "pt_BR"}, "pt_BR"),
])
def test_the_locale_decides_when_nothing_is_configured(env, expected):
    assert i18n.choose_language("", env) == expected


def test_the_configured_language_wins():
    assert i18n.choose_language("en", {"LANG": "pt_BR.UTF-8"}) == "en"
    assert i18n.choose_language("pt_BR", {"LANG": "C"}) == "pt_BR"


@pytest.mark.parametrize("value, expected", [("", ""), ("pt_BR", "pt_BR"), ("pt-BR", "pt_BR"), ("pt", "pt_BR"), ("en", "en"), ("EN", "en")])
def test_language_names(value, expected):
    assert i18n.normalize_language(value) == expected


def test_an_unknown_language_is_refused_by_the_settings(tmp_path):
    from nexus_blast.config import load_settings
    from nexus_blast.errors import BlastError

    path = tmp_path / "config.toml"
    path.write_text('[general]\nlanguage = "klingon"\n')
    with pytest.raises((BlastError, ValueError)):
        load_settings(path)
    path.write_text('[general]\nlanguage = "pt-BR"\n')
    assert load_settings(path).general.language == "pt_BR"


@pytest.mark.parametrize("text, expected", [
    ('[general]\nlanguage = "pt_BR"\n', "pt_BR"),
    ('[general]\ntimezone = "UTC"\n', ""),
    ('[general]\nlanguage = ""\n', ""),
    ('[general]\n# language = "pt_BR"\n', ""),
    ('[general]\nlanguage = "pt_BR"  # comment\n', "pt_BR"),
    ('[general\nlanguage = "pt_BR"\n', ""),  # broken TOML: the settings loader reports it
    ('[general]\nlanguage = "xx"\n', ""),
])
def test_the_config_is_read_cheaply(tmp_path, text, expected):
    path = tmp_path / "config.toml"
    path.write_text(text)
    assert i18n.configured_language(path) == expected
    assert i18n.configured_language(tmp_path / "none.toml") == ""


def test_the_starter_config_needs_no_toml_parsing(tmp_path, monkeypatch):
    import sys

    from nexus_blast.config import starter_text

    path = tmp_path / "config.toml"
    path.write_text(starter_text())
    monkeypatch.delitem(sys.modules, "tomllib", raising=False)
    assert i18n.configured_language(path) == ""
    assert "tomllib" not in sys.modules


def test_translations_and_their_english(monkeypatch):
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    i18n.configure()
    text = i18n._("Overwrite {path}?").format(path="a.csv")
    assert text == "Sobrescrever a.csv?" and i18n.english(text) == "Overwrite a.csv?"
    nested = i18n._("blast: error: {message}").format(message=text)
    assert nested == "blast: erro: Sobrescrever a.csv?" and i18n.english(nested) == "blast: error: Overwrite a.csv?"
    assert i18n.ngettext("deleted list {name!r} ({count} contact)", "deleted list {name!r} ({count} contacts)", 2).format(name="x", count=2) == "lista 'x' apagada (2 contatos)"
    assert i18n.ngettext("deleted list {name!r} ({count} contact)", "deleted list {name!r} ({count} contacts)", 1).format(name="x", count=1) == "lista 'x' apagada (1 contato)"
    assert i18n._("not in the catalog") == "not in the catalog"
    assert i18n.format_number(1234.5) == "1.234,5"
    assert i18n.format_datetime(datetime(2026, 12, 7, 9, 0)) == "07/12/2026 09:00"
    import copy

    assert i18n.english(copy.deepcopy(text)) == "Overwrite a.csv?"


def test_english_is_the_identity(monkeypatch):
    monkeypatch.setenv("LANG", "C")
    i18n.configure()
    assert type(i18n._("Overwrite {path}?")) is str
    assert i18n.format_number(1234.5) == "1,234.5"
    assert i18n.format_datetime(datetime(2026, 12, 7, 9, 0)) == "2026-12-07 09:00"
    i18n.configure(language="pt_BR")
    assert i18n._("Options") == "Opções"


def test_click_words_follow_the_language(monkeypatch):
    import importlib

    import typer.rich_utils

    from nexus_blast.cli import click_text

    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    i18n.configure()
    click_text.install()
    try:
        assert typer.rich_utils.OPTIONS_PANEL_TITLE == "Opções" and typer.rich_utils.COMMANDS_PANEL_TITLE == "Comandos"
        assert typer.rich_utils.ERRORS_PANEL_TITLE == "Erro"
        import typer.core

        assert typer.core._("required") == "obrigatório"
    finally:
        importlib.reload(typer.rich_utils)


def test_joined_cut_numbers_and_moments_keep_their_english(monkeypatch):
    from zoneinfo import ZoneInfo

    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    i18n.configure()
    empty = i18n._("the message is empty")
    joined = i18n.join("; ", [empty, "x"])
    assert joined == "a mensagem está vazia; x" and i18n.english(joined) == "the message is empty; x"
    assert type(i18n.join("; ", ["a", "b"])) is str
    assert i18n.first_line("one\ntwo", 2) == "on"
    cut = i18n.first_line(empty, 9)
    assert (cut, i18n.english(cut)) == ("a mensage", "the messa")
    size = i18n.number(2.0, 1)
    assert (size, i18n.english(size)) == ("2,0", "2.0")
    at = datetime(2026, 12, 7, 9, 0, 5, tzinfo=ZoneInfo("America/Sao_Paulo"))
    when = i18n.moment(at, "%Y-%m-%d %H:%M:%S")
    assert (when, i18n.english(when)) == ("07/12/2026 09:00:05", "2026-12-07 09:00:05")
    zoned = i18n.moment(at, "%Y-%m-%d %H:%M %Z")
    assert (zoned, i18n.english(zoned)) == ("07/12/2026 09:00 -03", "2026-12-07 09:00 -03")
    monkeypatch.setenv("LANG", "C")
    i18n.configure()
    assert type(i18n.number(2.0, 1)) is str and i18n.number(1234.5) == "1,234.5"
    assert i18n.moment(at) == "2026-12-07 09:00"


def test_print_json_writes_the_english_of_translated_texts(monkeypatch, capsys):
    from nexus_blast.cli.output import print_json

    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    i18n.configure()
    text = i18n._("the message is empty")
    assert text == "a mensagem está vazia"
    print_json({"message": text, "list": [text, 1, None], "nested": {"t": (text,)}, 2: "two"})
    assert json.loads(capsys.readouterr().out) == {
        "message": "the message is empty", "list": ["the message is empty", 1, None],
        "nested": {"t": ["the message is empty"]}, "2": "two",
    }
