"""Template filters and template typos through `blast send --dry-run` (issue 12), and templates
that used to hang or crash the parser (issue 17.9, 17.13)."""

from __future__ import annotations

import sqlite3

import pytest

from tests.campaigns.helpers import configure

UNUSED_SERVER = "http://127.0.0.1:9"  # a dry run never calls WAHA


@pytest.fixture
def contacts(blast_home, tmp_path):
    configure(blast_home, {"s1": UNUSED_SERVER})
    path = tmp_path / "crm.csv"
    path.write_text(
        "nome;telefone;cliente\n"
        "MARIA DA SILVA;(11) 98100-0001;Loja A\n"
        "joão dos santos e souza;(11) 98100-0002;Loja B\n"
        ";(11) 98100-0003;Loja C\n",
        encoding="utf-8",
    )
    return path


def dry_run(blast, csv, message: str):
    return blast("send", csv, "-m", message, "--dry-run", "--json")


def texts(result) -> list[str]:
    return [p["text"] for p in result.json()["preview"]]


def nothing_stored(blast_home) -> bool:
    path = blast_home / "blast.db"
    if not path.exists():
        return True
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM campaigns").fetchone()[0] == 0


def test_first_name_and_title_filters_with_a_fallback(blast, contacts):
    result = dry_run(blast, contacts, "Olá {{nome:primeiro|cliente}}! ({{nome:titulo|}})")
    assert result.exit_code == 0, result.stderr
    assert texts(result) == [
        "Olá Maria! (Maria da Silva)",
        "Olá João! (João dos Santos e Souza)",
        "Olá cliente! ()",
    ]


def test_fallback_keeps_its_meaning_and_spintax_stays(blast, contacts):
    result = dry_run(blast, contacts, "{Oi|Oi} {{nome|amigo}}, {{cliente}}")
    assert result.exit_code == 0, result.stderr
    assert texts(result) == ["Oi MARIA DA SILVA, Loja A", "Oi joão dos santos e souza, Loja B", "Oi amigo, Loja C"]


def test_unknown_filter_is_exit_2_naming_it(blast, contacts, blast_home):
    result = dry_run(blast, contacts, "Oi {{nome:maiusculo}}")
    assert result.exit_code == 2
    assert result.json()["error"]["code"] == 2
    assert "unknown filter 'maiusculo'" in result.stderr and "character 4" in result.stderr
    assert "primeiro" in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("Oi {nome}}, tudo bem?", ["unbalanced '}}'", "character 9"]),
        ("Oi {{nome}}}", ["unbalanced '}}'", "character 11"]),
        ("Oi {{nome}, tudo bem?", ["unclosed placeholder", "character 4"]),
        ("Oi {nome}, tudo bem?", ["{nome}", "character 4", "single braces", "write {{nome}}"]),
        ("Oi { Nome }", ["character 4", "single braces"]),
        ("Oi {{nmoe}}", ["{{nmoe}}", "character 4", "did you mean {{nome}}?"]),
        ("Oi {{nmoe:primeiro}}", ["did you mean {{nome:primeiro}}?"]),
    ],
)
def test_template_typos_are_refused_before_anything_is_stored(blast, contacts, blast_home, message, words):
    for args in (("--dry-run", "--json"), ("--yes", "--json")):
        result = blast("send", contacts, "-m", message, *args)
        assert result.exit_code == 2, (message, result.stderr)
        for word in words:
            assert word in result.stderr, (word, result.stderr)
        assert len(result.stderr.splitlines()) == 1
        assert "Traceback" not in result.stderr
    assert nothing_stored(blast_home)


def test_braces_that_are_not_typos_are_kept_as_written(blast, contacts):
    result = dry_run(blast, contacts, 'Cupom {OFF10} e json {"a": {"b": 1}} {{cliente}}')
    assert result.exit_code == 0, result.stderr
    assert texts(result)[0] == 'Cupom {OFF10} e json {"a": {"b": 1}} Loja A'


def test_unmatched_braces_are_answered_at_once(blast, contacts):
    # 24 unmatched `{` took more than 60 s (the parser backtracked); now one linear pass.
    result = dry_run(blast, contacts, "Oi " + "{ " * 18 + "{{cliente}}")
    assert result.exit_code == 0, result.stderr
    assert texts(result)[0] == "Oi " + "{ " * 18 + "Loja A"


def test_deep_spintax_is_refused_with_one_line(blast, contacts, blast_home):
    message = "{a|" * 1000 + "b" + "}" * 1000
    result = dry_run(blast, contacts, message)
    assert result.exit_code == 2
    assert "nested more than 20 deep" in result.stderr and len(result.stderr.splitlines()) == 1
    assert nothing_stored(blast_home)


def test_nested_spintax_within_the_limit_is_fine(blast, contacts):
    message = "{x|" * 19 + "x" + "}" * 19 + " {{cliente}}"
    result = dry_run(blast, contacts, message)
    assert result.exit_code == 0, result.stderr
    assert texts(result)[0] == "x Loja A"


def test_a_message_over_whatsapps_limit_is_refused_early(blast, contacts, blast_home, tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("a" * 100_000, encoding="utf-8")
    for args in (("--dry-run",), ("--yes",)):
        result = blast("send", contacts, "--message-file", path, *args)
        assert result.exit_code == 2
        assert "100,000 characters" in result.stderr and "65,536" in result.stderr
    assert nothing_stored(blast_home)


def test_a_message_made_too_long_by_a_column_names_the_row(blast, blast_home, tmp_path):
    configure(blast_home, {"s1": UNUSED_SERVER})
    csv = tmp_path / "c.csv"
    csv.write_text(f"nome;telefone\nAna;(11) 98100-0001\n{'B' * 70_000};(11) 98100-0002\n", encoding="utf-8")
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes")
    assert result.exit_code == 2
    assert "row 2" in result.stderr and "65,536" in result.stderr
    assert nothing_stored(blast_home)
