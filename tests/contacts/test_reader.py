"""CSV reading: encodings, delimiters, quoting, the phone column, unusable files, streaming."""

from __future__ import annotations

import tracemalloc

import pytest

from nexus_blast.contacts.reader import SINGLE_COLUMN, detect_phone_column, read_rows
from nexus_blast.errors import InputError
from tests.conftest import DATA


def rows(path, **kw):
    source = read_rows(path, **kw)
    return source, list(source)


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("contacts_cp1252_semicolon.csv", "cp1252"),
        ("contacts_utf8_bom_semicolon.csv", "utf-8-sig"),
        ("contacts_latin1_bom_semicolon.csv", "utf-8-sig"),
    ],
)
def test_pt_br_excel_exports(name, encoding):
    source, data = rows(DATA / name)
    assert source.encoding == encoding and source.delimiter == ";"
    assert source.columns == ["nome", "cidade", "Telefone", "observação"]
    assert source.phone_column == "Telefone"
    assert data[0] == (1, {"nome": "João da Silva", "cidade": "São Paulo", "Telefone": "(11) 98765-4321", "observação": "cliente antigo"})
    assert [r for r, _ in data] == [1, 2, 3, 4, 5, 6]


def test_utf8_comma_and_tab():
    source, data = rows(DATA / "contacts_utf8_comma.csv")
    assert (source.encoding, source.delimiter, source.phone_column) == ("utf-8", ",", "phone")
    assert data[5][1]["name"] == "Fê Nunes 😀"
    source, data = rows(DATA / "contacts_tab.tsv")
    assert (source.delimiter, source.phone_column) == ("\t", "Cel")
    assert data[1][1] == {"Nome": "Rita", "Cel": "0055 71 98888-1111", "Cidade": "Salvador"}


def test_quoted_fields_with_separators_and_newlines():
    source, data = rows(DATA / "contacts_quoted.csv")
    assert source.delimiter == ";" and source.phone_column == "whatsapp"
    assert [r for r, _ in data] == [1, 2, 3]
    first = data[0][1]
    assert first["nome"] == "Silva; Ana"
    assert first["endereco"] == "Rua das Flores, 10; apto 3"
    assert first["nota"] == "linha 1\nlinha 2; com separador"
    assert data[1][1]["endereco"] == 'Av. Brasil "Central", 200'
    assert data[2][1]["endereco"] == "Rua X\nBairro Y"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("contacts_empty.csv", "empty file (0 bytes)"),
        ("contacts_header_only.csv", "no data rows"),
        ("contacts_no_phone.csv", "no phone column"),
        ("contacts_binary.csv", "not a contacts file (binary data)"),
    ],
)
def test_unusable_files_name_the_file(name, message):
    with pytest.raises(InputError) as err:
        read_rows(DATA / name)
    assert str(DATA / name) in err.value.message and message in err.value.message
    assert "\n" not in err.value.message


def test_missing_file_and_damaged_zip(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_rows(tmp_path / "nope.csv")
    xlsx = tmp_path / "planilha.csv"
    xlsx.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InputError, match="damaged zip archive, e.g. a corrupt .xlsx"):
        read_rows(xlsx)


def test_phone_column_option_ignores_case_and_accents(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Nome;Número do Pedido;Contato\nAna;123;11987654321\n", encoding="utf-8")
    with pytest.raises(InputError, match="no phone column"):
        read_rows(path)
    assert read_rows(path, phone_column="contato").phone_column == "Contato"
    with pytest.raises(InputError, match="no column 'fone'"):
        read_rows(path, phone_column="fone")


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["Nome", "Telefone Celular"], "Telefone Celular"),
        (["telefone", "celular"], "celular"),
        (["Telefone", "WhatsApp"], "WhatsApp"),
        (["nome", "FONE"], "FONE"),
        (["nome", "phone_number"], "phone_number"),
        (["Nº WhatsApp", "email"], "Nº WhatsApp"),
        (["nome", "Número"], "Número"),
        (["Endereço", "Número", "Celular"], "Celular"),
        (["nome", "telefone2"], "telefone2"),
        (["nome", "Número do pedido"], None),
        (["nome", "telefonema"], None),
    ],
)
def test_detect_phone_column(columns, expected):
    assert detect_phone_column(columns) == expected


def test_single_column_and_odd_rows(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("telefone\n5,51199E+12\n\n11987654321\n", encoding="utf-8")
    source, data = rows(path)
    assert source.delimiter == SINGLE_COLUMN
    assert data == [(1, {"telefone": "5,51199E+12"}), (3, {"telefone": "11987654321"})]
    path.write_text("nome;telefone;\nAna;11987654321\n;;\nBia;21998765432;x;extra\n", encoding="utf-8")
    source, data = rows(path)
    assert source.columns == ["nome", "telefone", "column_3"]
    assert data == [
        (1, {"nome": "Ana", "telefone": "11987654321", "column_3": ""}),
        (3, {"nome": "Bia", "telefone": "21998765432", "column_3": "x"}),
    ]


def test_late_non_utf8_byte_switches_the_whole_file_to_cp1252(tmp_path):
    path = tmp_path / "late.csv"
    body = "".join(f"Cliente {i};11987{i:06d}\n" for i in range(60_000))
    path.write_bytes(("nome;telefone\n" + body).encode() + "Conceição;11987654321\n".encode("cp1252"))
    source, data = rows(path)
    assert source.encoding == "cp1252"
    assert data[-1][1]["nome"] == "Conceição"


def test_utf8_character_cut_by_a_read_chunk_is_still_utf8(tmp_path):
    from nexus_blast.contacts.csvfile import CHUNK, SAMPLE

    path = tmp_path / "cut.csv"
    head = b"nome;telefone\n"
    for boundary in (SAMPLE, SAMPLE + CHUNK):  # the first read, then a later one
        filler = b"".join(b"Ana;11987654321\n" for _ in range((boundary - len(head)) // 16))
        pad = b"x" * (boundary - len(head) - len(filler) - 1)  # "ç" (2 bytes) straddles the boundary
        path.write_bytes(head + filler + pad + "ç;11987654321\n".encode())
        source, data = rows(path)
        assert source.encoding == "utf-8"
        assert data[-1][1]["nome"].endswith("ç")


def test_a_nul_byte_after_a_non_utf8_byte_is_still_refused(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes("nome;telefone\nJoão;11987654321\n".encode("cp1252") + b"x" * 300_000 + b"\x00\n")
    with pytest.raises(InputError, match="NUL byte at offset"):
        read_rows(path)


def test_utf16_unicode_text_export(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("nome\ttelefone\r\nJoão\t11987654321\r\n".encode("utf-16"))
    source, data = rows(path)
    assert source.delimiter == "\t" and data == [(1, {"nome": "João", "telefone": "11987654321"})]


def test_mac_cr_line_endings():
    source, data = rows(DATA / "contacts_mac_cr.csv")
    assert (source.encoding, source.delimiter, source.phone_column) == ("cp1252", ";", "Celular")
    assert data[0] == (1, {"nome": "João", "Celular": "(11) 98765-4321", "cidade": "São Paulo"})
    assert data[1][1]["cidade"] == "Rio\rde Janeiro" and [r for r, _ in data] == [1, 2, 3]


def test_unterminated_quote_is_an_input_error_naming_the_row(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('nome;telefone\nAna;11987654321\n"Bia;' + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2: malformed CSV"):
        list(read_rows(path))


def test_stdin(monkeypatch):
    import io
    import sys

    raw = "nome;telefone\nAna;11987654321\n".encode("cp1252")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    source, data = rows("-")
    assert source.name == "stdin" and data == [(1, {"nome": "Ana", "telefone": "11987654321"})]


def test_reading_streams_in_bounded_memory(tmp_path):
    """200k rows (~9 MB): peak traced memory stays far below the file size."""
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("nome;cidade;telefone\n")
        for i in range(200_000):
            handle.write(f"Cliente número {i};São Paulo;(11) 9{i % 10}{i:07d}\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_rows(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < 4 * 1024 * 1024 < size


def test_excel_sep_hint_line(tmp_path):
    path = tmp_path / "hint.csv"
    path.write_bytes("sep=;\r\nnome;telefone\r\nJoão;11987654321\r\n".encode("cp1252"))
    source, data = rows(path)
    assert (source.delimiter, source.columns) == (";", ["nome", "telefone"])
    assert data == [(1, {"nome": "João", "telefone": "11987654321"})]
