"""Every accepted contacts format through `blast validate`, `import` and `send --dry-run`, and the
refusals: one line naming the file (sheet, card or row), exit 2, nothing stored."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile

import pytest

from tests.campaigns.helpers import configure
from tests.conftest import DATA

# file: (total, valid, invalid, duplicates), non-zero reasons, (pending, skipped) of send --dry-run,
# the template and the first preview text
FILES = {
    "google_contacts_old.csv": ((6, 4, 2, 1), {"not_a_number": 1, "duplicate": 1}, (3, 1), "Olá {{primeiro_nome}}", "Olá Adriana"),
    "google_contacts_new.csv": ((6, 4, 2, 1), {"not_a_number": 1, "duplicate": 1}, (3, 1), "Olá {{primeiro_nome}} ({{nome}})", "Olá Adriana (Adriana Ferreira)"),
    "outlook_contacts.csv": ((4, 2, 2, 0), {"empty": 1, "invalid_number": 1}, (2, 0), "Oi {{primeiro_nome}}", "Oi Maria"),
    "crm_celular_telefone.csv": ((6, 4, 2, 1), {"empty": 1, "duplicate": 1}, (3, 1), "Oi {{Nome}}", "Oi ADRIANA FERREIRA"),
    "contacts.xlsx": ((6, 4, 2, 0), {"scientific_notation": 2}, (3, 1), "Oi {{nome}}, nascido em {{nascimento|?}}", "Oi Ana Souza, nascido em 01/03/1990"),
    "contacts.xls": ((6, 4, 2, 0), {"scientific_notation": 2}, (3, 1), "Oi {{nome}}", "Oi Ana Souza"),
    "contacts.ods": ((6, 4, 2, 0), {"scientific_notation": 2}, (3, 1), "Oi {{nome}}", "Oi Ana Souza"),
    "contacts_3.0.vcf": ((5, 3, 2, 1), {"empty": 1, "duplicate": 1}, (2, 1), "Oi {{primeiro_nome}}", "Oi João"),
    "contacts_4.0.vcf": ((4, 3, 1, 0), {"invalid_ddd": 1}, (3, 0), "Oi {{nome}}", "Oi Ana Beatriz Costa"),
}


def counts(doc: dict) -> tuple[int, int, int, int]:
    return doc["total"], doc["valid"], doc["invalid"], doc["duplicates"]


def reasons(doc: dict) -> dict:
    return {k: v for k, v in doc["by_reason"].items() if v}


@pytest.fixture
def configured(blast_home):
    # a dry run never reaches the server: a closed port is enough
    configure(blast_home, {"s1": "http://127.0.0.1:9"})
    return blast_home


@pytest.mark.parametrize("name", list(FILES))
def test_each_format_through_validate_import_and_send(blast, configured, name):
    expected, by_reason, (pending, skipped), template, first_text = FILES[name]
    checked = blast("validate", DATA / name, "--json")
    assert checked.exit_code == 1, checked.stderr
    assert counts(checked.json()) == expected and reasons(checked.json()) == by_reason
    imported = blast("import", DATA / name, "--list", "l", "--json")
    assert imported.exit_code == 1 and imported.json()["inserted"] == expected[1]
    assert len(blast("contacts", "show", "l", "--limit", "0", "--json").json()["contacts"]) == expected[1]
    plan = blast("send", DATA / name, "-m", template, "--dry-run", "--json")
    assert plan.exit_code == 0, plan.stderr
    doc = plan.json()
    assert (doc["pending"], doc["skipped"], doc["rejected"]) == (pending, skipped, expected[2])
    assert doc["preview"][0]["text"] == first_text
    from_list = blast("send", "--list", "l", "-m", template, "--dry-run", "--json").json()
    assert (from_list["pending"], from_list["skipped"]) == (pending, skipped)


def test_output_says_where_each_number_came_from(blast, tmp_path):
    out = tmp_path / "out.csv"
    assert blast("validate", DATA / "google_contacts_old.csv", "--output", out).exit_code == 1
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["Name"], r["phone_e164"].lstrip("'"), r["phone_kind"], r["phone_source"]) for r in rows] == [
        ("Adriana Ferreira", "+5521998765432", "mobile", "Phone 1 - Value"),
        ("Bruno Lima", "+5511987651234", "mobile", "Phone 2 - Value"),  # the work landline comes first
        ("Carla Souza", "+553132221111", "landline", "Phone 2 - Value"),
        ("Fábio Nunes", "+5548991234567", "mobile", "Phone 1 - Value"),
    ]
    assert rows[0]["primeiro_nome"] == "Adriana" and rows[0]["nome"] == "Adriana Ferreira"


def test_crm_celular_then_telefone_and_ordered_fallbacks(blast, tmp_path):
    out = tmp_path / "out.csv"
    result = blast("validate", DATA / "crm_celular_telefone.csv", "--output", out)
    assert "phone columns: Celular, Telefone" in result.stderr  # the title (piped); "Tipo" holds labels: skipped
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = {r["Nome"]: (r["phone_e164"].lstrip("'"), r["phone_source"]) for r in csv.DictReader(handle, delimiter=";")}
    assert rows["bruno costa"] == ("+5521998761111", "Telefone")
    assert rows["Fátima Reis"] == ("+5511988887777", "Celular")
    only = blast("validate", DATA / "crm_celular_telefone.csv", "--phone-column", "telefone", "--json").json()
    assert counts(only) == (6, 3, 3, 0) and reasons(only) == {"empty": 3}
    missing = blast("validate", DATA / "crm_celular_telefone.csv", "--phone-column", "Celular,Fax", "--json")
    assert missing.exit_code == 2 and "no column 'Fax'" in missing.stderr


def test_a_poor_phone_column_says_which_columns_hold_phones(blast, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("nome;telefone;contato\n" + "".join(f"P{i};n/a;(11) 9876{i:05d}\n" for i in range(10)), encoding="utf-8")
    result = blast("validate", path, "--json")
    assert result.exit_code == 1 and result.json()["by_reason"]["not_a_number"] == 10
    assert "10 of 10 rows have no number in the phone column used (telefone)" in result.stderr
    assert "--phone-column 'contato'" in result.stderr
    assert blast("validate", path, "--phone-column", "contato", "--json").exit_code == 0


def test_sheets_by_name_or_number(blast, configured):
    by_name = blast("validate", DATA / "contacts.xlsx", "--sheet", "Outros", "--json")
    assert by_name.exit_code == 0 and counts(by_name.json()) == (1, 1, 0, 0)
    assert counts(blast("validate", DATA / "contacts.xlsx", "--sheet", "2", "--json").json()) == (1, 1, 0, 0)
    assert counts(blast("validate", DATA / "contacts.xlsx", "--sheet", "contatos", "--json").json())[0] == 6
    plan = blast("send", DATA / "contacts.xlsx", "--sheet", "Outros", "-m", "Oi {{nome}}", "--dry-run", "--json").json()
    assert plan["pending"] == 1 and plan["preview"][0]["text"] == "Oi Gil Prado"
    missing = blast("import", DATA / "contacts.xlsx", "--sheet", "Clientes", "--list", "l", "--json")
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1
    assert "no sheet 'Clientes' (sheets: Contatos, Outros" in missing.stderr
    assert blast("contacts", "lists", "--json").json() == []
    on_csv = blast("validate", DATA / "contacts_quoted.csv", "--sheet", "1", "--json")
    assert on_csv.exit_code == 2 and "not a workbook" in on_csv.stderr


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "not a contacts file (a PDF document); accepted: CSV/TSV, .xlsx, .xls, .ods, vCard .vcf"),
        (lambda p: _zip(p, {"fotos/a.txt": b"x"}), "not a contacts file (a zip archive that is not a workbook)"),
        (lambda p: _zip(p, {"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}), "(a Word document)"),
        (lambda p: p.write_text('[{"nome": "Ana", "telefone": "11987654321"}]'), "not a contacts file (JSON data)"),
        (lambda p: p.write_bytes(b""), "empty file (0 bytes)"),
        (lambda p: p.write_bytes((DATA / "contacts.xlsx").read_bytes()[:3000]), "a damaged zip archive"),
        (lambda p: p.write_bytes((DATA / "contacts_protected.xlsx").read_bytes()), "a password-protected workbook"),
        (lambda p: _zip(p, {"xl/workbook.xml": b"<not really", "[Content_Types].xml": b"<x/>"}), "a corrupt or unreadable workbook"),
        (lambda p: p.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nEMAIL:a@example.com\nEND:VCARD\n"), "its 1 card has no phone number (TEL)"),
        (lambda p: p.write_bytes(b"nome;telefone\n" + b"Ana;11987654321\n" * 5000 + b"B\x00b;11987654322\n"), "binary or corrupt file (a NUL byte at offset 80015)"),
    ],
    ids=["pdf", "zip", "docx", "json", "empty", "truncated-xlsx", "protected-xlsx", "bad-xml", "vcard-no-tel", "nul-after-64k"],
)
@pytest.mark.parametrize("command", ["validate", "import", "send"])
def test_unusable_files_are_one_line_exit_2_nothing_stored(blast, configured, tmp_path, make, message, command):
    path = tmp_path / "contatos.xlsx"
    make(path)
    args = {"validate": [], "import": ["--list", "l"], "send": ["-m", "Oi", "--yes"]}[command]
    result = blast(command, path, *args, "--json")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr and message in result.stderr
    assert result.json()["error"]["code"] == 2
    assert blast("contacts", "lists", "--json").json() == []
    assert blast("campaign", "list", "--json").json() == []


def test_vcard_mixing_encodings_names_the_card(blast, tmp_path):
    path = tmp_path / "c.vcf"
    cards = [
        "BEGIN:VCARD\nVERSION:3.0\nFN:João\nTEL;TYPE=CELL:11987654321\nEND:VCARD\n".encode(),
        "BEGIN:VCARD\nVERSION:3.0\nFN:Conceição\nTEL;TYPE=CELL:11987654322\nEND:VCARD\n".encode("cp1252"),
    ]
    path.write_bytes(b"".join(cards))
    result = blast("import", path, "--list", "l", "--json")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "card 2 (Concei??o): the file mixes UTF-8 and Latin-1" in result.stderr
    assert blast("contacts", "lists", "--json").json() == []
    path.write_bytes(cards[1])  # Latin-1 throughout is fine
    assert blast("validate", path, "--json").exit_code == 0


def test_vcard_2_1_quoted_printable_and_stdin(blast, tmp_path):
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Concei=C3=A7=C3=A3o;Maria;;;\r\n"
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Maria Concei=C3=A7=C3=A3o\r\n"
        "TEL;HOME:+55 11 3333-4444\r\nTEL;CELL;PREF:+55 11 98765-4321\r\nEND:VCARD\r\n"
    )
    out = tmp_path / "o.csv"
    result = blast("validate", "-", "--output", out, "--json", input=text.encode())
    assert result.exit_code == 0, result.stderr
    with open(out, encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["nome"], row["primeiro_nome"], row["phone_e164"]) == ("Maria Conceição", "Maria", "'+5511987654321")  # escaped: not a formula


def test_workbook_from_stdin(blast):
    result = blast("import", "-", "--list", "planilha", "--json", input=(DATA / "contacts.xlsx").read_bytes())
    assert result.exit_code == 1 and result.json()["inserted"] == 4
    fields = blast("contacts", "show", "planilha", "--json").json()["contacts"][0]["fields"]
    assert fields == {"nome": "Ana Souza", "telefone": "5511987654321", "nascimento": "01/03/1990", "cidade": "São Paulo", "idade": "36"}  # a formula: its cached value


def test_the_streaming_xlsx_reader_gives_the_same_rows(blast, tmp_path, monkeypatch):
    from nexus_blast.contacts import spreadsheet

    out_fast, out_stream = tmp_path / "a.csv", tmp_path / "b.csv"
    assert blast("validate", DATA / "contacts.xlsx", "--output", out_fast).exit_code == 1
    monkeypatch.setattr(spreadsheet, "STREAM_ABOVE", -1)
    streamed = blast("validate", DATA / "contacts.xlsx", "--output", out_stream, "--json")
    assert counts(streamed.json()) == (6, 4, 2, 0)
    assert out_fast.read_text(encoding="utf-8-sig") == out_stream.read_text(encoding="utf-8-sig")


def test_csv_mixing_utf8_and_latin1_is_repaired_and_names_the_rows(blast, tmp_path):
    path = tmp_path / "misto.csv"
    path.write_bytes(
        "nome;telefone\nJoão;11987654321\n".encode()
        + "Conceição;11987654322\n".encode("cp1252")
        + "Letícia;11987654323\n".encode()
        + "Mônica;11987654324\n".encode("cp1252")
    )
    result = blast("import", path, "--list", "l", "--json")
    assert result.exit_code == 0, result.stderr
    assert "mixes UTF-8 and Latin-1 (cp1252) text: 2 rows were read as Latin-1 (rows 2, 4)" in result.stderr
    names = [c["fields"]["nome"] for c in blast("contacts", "show", "l", "--json").json()["contacts"]]
    assert names == ["João", "Conceição", "Letícia", "Mônica"]


def test_import_with_no_valid_row_creates_no_list(blast, tmp_path):
    path = tmp_path / "ruim.csv"
    path.write_text("nome;telefone\nAna;190\nBia;n/a\n", encoding="utf-8")
    result = blast("import", path, "--list", "nova", "--json")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "no valid contact in 2 rows (not_a_number 1, too_short 1); list 'nova' not changed" in result.stderr
    assert blast("contacts", "lists", "--json").json() == []


def test_copied_vcard_keeps_every_tel_as_a_candidate(blast, tmp_path):
    path = tmp_path / "whatsapp.vcf"
    shutil.copy(DATA / "contacts_3.0.vcf", path)
    out = tmp_path / "o.csv"
    blast("validate", path, "--output", out)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = {r["nome"]: r for r in csv.DictReader(handle)}
    assert rows["João da Silva"]["phone_e164"] == "'+5521998765432"  # escaped: not a formula  # TYPE=CELL beats the HOME line above it
    assert rows["Maria Souza"]["telefone"].startswith("'+5511987654321 ::: ")  # waid= first
    assert rows["Maria Souza"]["empresa"] == "Clínica Bem Estar"
    assert json.loads(json.dumps(rows["Paulo Recepção"]))["phone_kind"] == "landline"


def test_optout_from_a_file_takes_every_number_of_each_contact(blast, tmp_path):
    bad = blast("optout", "add", "--file", DATA / "contacts_4.0.vcf", "--json")
    assert bad.exit_code == 2 and "'+55-20-98765-4321' (invalid_ddd)" in bad.stderr
    assert blast("optout", "list", "--json").json() == []
    path = tmp_path / "sair.csv"
    path.write_text("nome;celular;telefone\nAna;11987654321;(11) 3456-7890\nBia;;21998765432 / n/a\n", encoding="utf-8")
    added = blast("optout", "add", "--file", path, "--json")
    assert added.exit_code == 0, added.stderr
    assert added.json()["phones"] == ["+5511987654321", "+551134567890", "+5521998765432"]
