"""`blast session` in pt-BR (LANG=pt_BR.UTF-8) and English (LANG=C): an unknown session, `session
list` with and without sessions; `--json` byte-identical in both languages."""

from __future__ import annotations

import json

import pytest

from tests.waiting import wait_until


@pytest.fixture
def pt(monkeypatch):
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")


def _show_unknown(blast, *json):
    result = blast("session", "show", "nada", *json)
    assert result.exit_code == 2
    return result


def test_unknown_session_speaks_portuguese(blast, pt):
    assert _show_unknown(blast).stderr == (
        "blast: erro: sessão desconhecida 'nada' (adicione-a com: blast session add NAME --url URL)\n")


def test_unknown_session_speaks_english(blast, monkeypatch):
    monkeypatch.setenv("LANG", "C")
    assert _show_unknown(blast).stderr == (
        "blast: error: unknown session 'nada' (add it with: blast session add NAME --url URL)\n")


def test_empty_session_list_speaks_portuguese_and_english(blast, monkeypatch):
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    result = blast("session", "list")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == ("nenhuma sessão configurada — adicione uma: blast session add NAME --url URL "
                             "(ou experimente: blast sandbox serve)\n")
    monkeypatch.setenv("LANG", "C")
    assert blast("session", "list").stderr == (
        "no sessions configured — add one: blast session add NAME --url URL (or try: blast sandbox serve)\n")


def test_session_list_speaks_portuguese_and_json_stays_identical(blast, sandbox, monkeypatch):
    monkeypatch.setenv("LANG", "C")
    assert blast("session", "add", "s1", "--url", sandbox.url, "--json").exit_code == 0
    # `session add` (re)starts it: compare once it is WORKING, not while a restart is under way
    english_json = wait_until(lambda: (out := blast("session", "list", "--json").stdout)
                              and json.loads(out)[0]["status"] == "WORKING" and out, what="s1 WORKING")
    english = blast("session", "list").stdout.splitlines()
    assert english[0] == "name\tstatus\tphone\tsent today\tserver\tnote\tcap today"
    assert english[1].endswith(f"\t0/1000\t{sandbox.url}\t\t20 (warm-up day 1)")
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    assert blast("session", "list", "--json").stdout == english_json
    portuguese = blast("session", "list").stdout.splitlines()
    assert portuguese[0] == "nome\tstatus\ttelefone\tenviadas hoje\tservidor\tobservação\tlimite hoje"
    assert portuguese[1].startswith("s1\tWORKING\t+55")
    assert portuguese[1].endswith(f"\t0/1000\t{sandbox.url}\t\t20 (dia 1 do aquecimento)")


def test_unknown_session_json_error_is_identical_in_both_languages(blast, monkeypatch):
    monkeypatch.setenv("LANG", "C")
    english = _show_unknown(blast, "--json")
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    portuguese = _show_unknown(blast, "--json")
    assert portuguese.stdout == english.stdout
    assert '"message": "unknown session \'nada\'"' in english.stdout
