#!/usr/bin/env python3
"""Writes the workbooks in this folder (committed, so the tests need none of these writers):

- contacts.xlsx (openpyxl): sheet "Contatos" with phones stored as numbers (Excel shows
  5511987654321 as 5,51199E+12 but keeps every digit), one that lost its digits to a CSV round
  trip (5511990000000), the CSV damage as text ("5,51199E+12"), a landline as text, dates;
  a formula with its cached value (`=2026-1990`, last computed as 36; openpyxl writes formulas
  without values, so the value is put in the sheet XML afterwards, as Excel would have saved it);
  sheet "Outros" with one contact.
- contacts.ods (odfpy) and contacts.xls (xlwt): the same "Contatos" rows.
- contacts_protected.xlsx (msoffcrypto-tool): contacts.xlsx with the password "senha".

Usage (writers installed in any venv): python tests/data/make_workbooks.py
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

HERE = Path(__file__).parent
HEADER = ["nome", "telefone", "nascimento", "cidade", "idade"]
FORMULA = "=2026-1990"
ROWS = [
    ["Ana Souza", 5511987654321, dt.date(1990, 3, 1), "São Paulo", FORMULA],
    ["Bruno Lima", 11987654322, dt.date(1985, 12, 31), "São Paulo"],
    ["Carla Dias", "5,51199E+12", None, "Campinas"],
    ["Diego Melo", 5511990000000, None, "Santos"],
    ["Eva Ramos", "(21) 3456-7890", dt.date(2001, 7, 15), "Rio de Janeiro"],
    ["Fábio Reis", 5521998765432.0, None, "Niterói"],
]
OTHER = [["nome", "celular"], ["Gil Prado", "(71) 98888-1111"]]


def xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Contatos"
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    other = book.create_sheet("Outros")
    for row in OTHER:
        other.append(row)
    out = io.BytesIO()
    book.save(out)
    return _cache_formula(out.getvalue())


def _cache_formula(data: bytes) -> bytes:
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"<f>2026-1990</f><v />", b"<f>2026-1990</f><v>36</v>")
            target.writestr(item, body)
    return out.getvalue()


def ods() -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Contatos")
    for values in [HEADER, *_computed(ROWS)]:
        row = TableRow()
        for value in values:
            if isinstance(value, (int, float)):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            elif isinstance(value, dt.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=f"{value:%d/%m/%Y}"))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value or ""))
            row.addElement(cell)
        table.addElement(row)
    doc.spreadsheet.addElement(table)
    doc.save(str(HERE / "contacts.ods"))


def _computed(rows: list[list]) -> list[list]:
    return [[36 if v == FORMULA else v for v in row] for row in rows]


def xls() -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Contatos")
    dates = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for r, values in enumerate([HEADER, *_computed(ROWS)]):
        for c, value in enumerate(values):
            if isinstance(value, dt.date):
                sheet.write(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    book.save(str(HERE / "contacts.xls"))


def protected(data: bytes) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("senha", out)
    (HERE / "contacts_protected.xlsx").write_bytes(out.getvalue())


if __name__ == "__main__":
    data = xlsx()
    (HERE / "contacts.xlsx").write_bytes(data)
    ods()
    xls()
    protected(data)
