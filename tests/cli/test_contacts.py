"""`blast validate`, `blast import`, `blast contacts`, `blast optout` through the real entry point."""

from __future__ import annotations

import csv
import shutil

import pytest

from tests.conftest import DATA

SUMMARY_KEYS = {"total", "valid", "invalid", "duplicates", "by_reason"}


def counts(doc: dict) -> tuple[int, int, int, int]:
    return doc["total"], doc["valid"], doc["invalid"], doc["duplicates"]


@pytest.mark.parametrize(
    ("name", "expected", "reasons"),
    [
        ("contacts_cp1252_semicolon.csv", (6, 4, 2, 1), {"invalid_ddd": 1, "duplicate": 1}),
        ("contacts_utf8_bom_semicolon.csv", (6, 4, 2, 1), {"invalid_ddd": 1, "duplicate": 1}),
        ("contacts_latin1_bom_semicolon.csv", (6, 4, 2, 1), {"invalid_ddd": 1, "duplicate": 1}),
        ("contacts_utf8_comma.csv", (6, 3, 3, 1), {"empty": 1, "foreign": 1, "duplicate": 1}),
        ("contacts_tab.tsv", (3, 2, 1, 0), {"missing_ddd": 1}),
        ("contacts_quoted.csv", (3, 3, 0, 0), {}),
        ("contacts_excel_scientific.csv", (4, 1, 3, 0), {"scientific_notation": 3}),
        ("contacts_mac_cr.csv", (3, 2, 1, 0), {"not_a_number": 1}),  # Excel for Mac: CR-only lines
    ],
)
def test_validate_real_files(blast, name, expected, reasons):
    result = blast("validate", DATA / name, "--json")
    assert result.exit_code == (1 if expected[2] else 0), result.stderr
    doc = result.json()
    assert SUMMARY_KEYS <= set(doc)
    assert counts(doc) == expected
    assert {k: v for k, v in doc["by_reason"].items() if v} == reasons
    assert doc["duplicates"] == doc["by_reason"]["duplicate"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("contacts_empty.csv", "empty file"),
        ("contacts_header_only.csv", "no data rows"),
        ("contacts_no_phone.csv", "no phone column"),
        ("contacts_binary.csv", "not a contacts file (binary data)"),
        ("does_not_exist.csv", "cannot read"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "import"])
def test_unusable_files_exit_2_with_one_line(blast, name, message, command):
    args = [command, DATA / name, "--json"] + (["--list", "x"] if command == "import" else [])
    result = blast(*args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and name in result.stderr and message in result.stderr
    assert result.json()["error"]["code"] == 2


def test_validate_output_and_rejects_files(blast, tmp_path):
    out, rej = tmp_path / "out.csv", tmp_path / "rej.csv"
    result = blast("validate", DATA / "contacts_quoted.csv", "--output", out, "--rejects", rej, "--json")
    assert result.exit_code == 0
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert rows[0]["nota"] == "linha 1\nlinha 2; com separador"
    assert [(r["phone_e164"], r["phone_kind"]) for r in rows] == [
        ("'+5511912345678", "mobile"),  # escaped as `campaign report` does
        ("'+5521999887766", "mobile"),
        ("'+553133334444", "landline"),
    ]
    with open(rej, encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle, delimiter=";")) == ["nome", "endereco", "whatsapp", "nota", "row", "reason"]


@pytest.mark.parametrize("command", ["validate", "import"])
def test_existing_output_files_are_not_overwritten_without_yes(blast, tmp_path, command):
    out, rej = tmp_path / "out.csv", tmp_path / "rej.csv"
    rej.write_text("keep me\n", encoding="utf-8")
    args = [command, DATA / "contacts_quoted.csv", "--output", out, "--rejects", rej, "--json"]
    args += ["--list", "l"] if command == "import" else []
    refused = blast(*args)
    assert refused.exit_code == 2 and f"Overwrite {rej}?" in refused.stderr and "--yes" in refused.stderr
    assert refused.json()["error"]["code"] == 2
    assert rej.read_text(encoding="utf-8") == "keep me\n" and not out.exists()
    if command == "import":
        assert blast("contacts", "lists", "--json").json() == []
    done = blast(*args, "--yes")
    assert done.exit_code == 0 and out.exists() and "row;reason" in rej.read_text(encoding="utf-8-sig")


def test_validate_rejects_file_rows_and_reasons(blast, tmp_path):
    rej = tmp_path / "rej.csv"
    result = blast("validate", DATA / "contacts_utf8_comma.csv", "--rejects", rej)
    assert result.exit_code == 1
    with open(rej, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["name"], r["row"], r["reason"]) for r in rows] == [
        ("Diego Melo", "4", "empty"),
        ("Eva Rocha", "5", "foreign"),
        ("Fê Nunes 😀", "6", "duplicate"),  # full-width digits: the same number as Ana's
    ]
    assert list(rows[0]) == ["name", "email", "phone", "plan", "row", "reason"]


def test_validate_human_output(blast):
    result = blast("validate", DATA / "contacts_cp1252_semicolon.csv")
    assert result.exit_code == 1
    text = result.stdout
    for word in ("total", "valid", "invalid", "invalid_ddd", "duplicates", "(20) 98765-4321", "legacy"):
        assert word in text, word
    assert "landline" in result.stderr and "--include-landlines" in result.stderr


def test_validate_options(blast):
    tab = DATA / "contacts_tab.tsv"
    assert blast("validate", tab, "--default-ddd", "13", "--json").exit_code == 0
    bad = blast("validate", tab, "--default-ddd", "20", "--json")
    assert bad.exit_code == 2 and "20" in bad.stderr
    foreign = blast("validate", DATA / "contacts_utf8_comma.csv", "--allow-foreign", "--json").json()
    assert foreign["foreign"] == 1 and foreign["by_reason"]["foreign"] == 0
    by_name = blast("validate", DATA / "contacts_utf8_comma.csv", "--phone-column", "EMAIL", "--json").json()
    assert by_name["by_reason"]["not_a_number"] == 6
    landlines = blast("validate", DATA / "contacts_quoted.csv", "--include-landlines")
    assert "--include-landlines" not in landlines.stderr


def test_default_ddd_from_config(blast, blast_home, monkeypatch):
    monkeypatch.setenv("BLAST_CONTACTS__DEFAULT_DDD", "13")
    assert blast("validate", DATA / "contacts_tab.tsv", "--json").exit_code == 0


def test_validate_stdin(blast):
    data = (DATA / "contacts_cp1252_semicolon.csv").read_bytes()
    result = blast("validate", "-", "--json", input=data)
    assert counts(result.json()) == (6, 4, 2, 1)
    empty = blast("validate", "-", "--json", input=b"")
    assert empty.exit_code == 2 and "stdin" in empty.stderr


def test_output_may_replace_the_input(blast, tmp_path):
    path = tmp_path / "c.csv"
    shutil.copy(DATA / "contacts_tab.tsv", path)
    assert blast("validate", path, "--output", path, "--default-ddd", "13").exit_code == 2  # overwriting needs --yes
    assert blast("validate", path, "--output", path, "--default-ddd", "13", "--yes").exit_code == 0
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == "Nome\tCel\tCidade\tphone_e164\tphone_kind\tphone_source"


def test_import_upserts_and_lists(blast):
    result = blast("import", DATA / "contacts_cp1252_semicolon.csv", "--list", "clientes", "--json")
    assert result.exit_code == 1
    doc = result.json()
    assert counts(doc) == (6, 4, 2, 1) and (doc["list"], doc["inserted"], doc["updated"]) == ("clientes", 4, 0)
    again = blast("import", DATA / "contacts_utf8_bom_semicolon.csv", "--list", "clientes", "--json").json()
    assert (again["inserted"], again["updated"]) == (0, 4)
    lists = blast("contacts", "lists", "--json").json()
    assert [(x["name"], x["contacts"], x["landlines"]) for x in lists] == [("clientes", 4, 1)]
    show = blast("contacts", "show", "clientes", "--json", "--limit", "2").json()
    assert show["contacts"] == [
        {"phone": "+5511987654321", "kind": "mobile", "fields": {"nome": "João da Silva", "cidade": "São Paulo", "Telefone": "(11) 98765-4321", "observação": "cliente antigo"}},
        {"phone": "+5548991234567", "kind": "mobile", "fields": {"nome": "Maria Conceição", "cidade": "Florianópolis", "Telefone": "048 9 9123-4567", "observação": "prefere manhã"}},
    ]
    assert len(blast("contacts", "show", "clientes", "--json", "--limit", "0").json()["contacts"]) == 4
    human = blast("contacts", "show", "clientes")
    assert human.exit_code == 0 and "+5511987654321" in human.stdout


def test_contacts_show_unknown_list_is_exit_2(blast):
    result = blast("contacts", "show", "nope", "--json")
    assert result.exit_code == 2 and "nope" in result.stderr
    assert blast("contacts", "lists", "--json").json() == []


def test_import_all_valid_exits_0_and_delete(blast):
    assert blast("import", DATA / "contacts_quoted.csv", "--list", "q", "--json").exit_code == 0
    assert blast("contacts", "delete", "q").exit_code == 2  # no terminal, no --yes
    deleted = blast("contacts", "delete", "q", "--yes", "--json")
    assert deleted.json() == {"name": "q", "deleted": 3}
    assert blast("contacts", "show", "q").exit_code == 2


def test_import_failing_mid_file_changes_nothing(blast, tmp_path):
    assert blast("import", DATA / "contacts_quoted.csv", "--list", "q", "--json").exit_code == 0
    broken = tmp_path / "broken.csv"
    good = "".join(f"Cliente {i};(21) 99{i:07d}\n" for i in range(3000))
    broken.write_text("nome;telefone\n" + good + '"Fim;' + "x" * 200_000 + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = blast("import", broken, "--list", "q", "--output", out, "--json")
    assert result.exit_code == 2 and "row 3001" in result.stderr
    assert len(blast("contacts", "show", "q", "--json").json()["contacts"]) == 3
    assert not out.exists() and not list(tmp_path.glob(".out.csv.*"))


def test_opted_out_numbers_are_rejected(blast):
    added = blast("optout", "add", "(11) 98765-4321", "0xx48 99123-4567", "--reason", "pediu para sair", "--json")
    assert added.exit_code == 0 and added.json()["added"] == 2
    doc = blast("validate", DATA / "contacts_cp1252_semicolon.csv", "--json").json()
    assert doc["by_reason"]["opted_out"] == 3
    # the repeat of João is now opted out too, not a duplicate
    assert doc["duplicates"] == 0 and doc["valid"] == 2
    imported = blast("import", DATA / "contacts_cp1252_semicolon.csv", "--list", "l", "--json").json()
    assert imported["inserted"] == 2


def test_optout_add_list_remove(blast, tmp_path):
    assert blast("optout", "list", "--json").json() == []
    first = blast("optout", "add", "+55 11 98765-4321", "--json").json()
    assert first == {"added": 1, "already": [], "phones": ["+5511987654321"]}
    second = blast("optout", "add", "11 8765-4321", "21 99876-5432", "--json").json()
    assert second == {"added": 1, "already": ["+5511987654321"], "phones": ["+5511987654321", "+5521998765432"]}
    entries = blast("optout", "list", "--json").json()
    assert [e["phone"] for e in entries] == ["+5511987654321", "+5521998765432"]
    assert set(entries[0]) == {"phone", "reason", "added_at"}
    refused = blast("optout", "remove", "011 98765 4321", "--json")  # no terminal, no --yes: nothing removed
    assert refused.exit_code == 2 and "--yes" in refused.stderr and refused.json()["error"]["code"] == 2
    assert len(blast("optout", "list", "--json").json()) == 2
    removed = blast("optout", "remove", "011 98765 4321", "(31) 99999-8888", "--yes", "--json").json()
    assert removed == {"removed": 1, "not_found": ["+5531999998888"]}
    bad = blast("optout", "remove", "abc", "--yes", "--json")
    assert bad.exit_code == 2 and "nothing removed" in bad.stderr and "stored" not in bad.stderr
    assert "+5521998765432" in blast("optout", "list").stdout


def test_optout_add_invalid_stores_nothing(blast):
    result = blast("optout", "add", "11987654321", "190", "abc", "--json")
    assert result.exit_code == 2
    assert "'190' (too_short)" in result.stderr and "'abc' (not_a_number)" in result.stderr
    assert blast("optout", "list", "--json").json() == []
    assert blast("optout", "add").exit_code == 2


def test_optout_add_from_file(blast):
    result = blast("optout", "add", "--file", DATA / "contacts_quoted.csv", "--reason", "lista do procon", "--json")
    assert result.json()["added"] == 3
    bad = blast("optout", "add", "--file", DATA / "contacts_excel_scientific.csv", "--json")
    assert bad.exit_code == 2 and "row 1" in bad.stderr and "scientific_notation" in bad.stderr
    assert len(blast("optout", "list", "--json").json()) == 3


def test_example_contacts_file(blast):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "contacts.csv"
    doc = blast("validate", example, "--json").json()
    assert doc["total"] >= 18 and 0 < doc["invalid"] <= 4 and doc["valid"] >= doc["total"] - 4
