"""Workbook rows (.xlsx, .xls, .ods): the first sheet or `--sheet NAME|N`, cells as text.

Two readers, chosen by measurement (bench/validate, README "Benchmarks"): python-calamine (Rust)
reads ~25x faster than openpyxl's read-only mode but holds the whole sheet in memory (~1.6 MiB per
MiB of sheet XML), so it reads .xls (at most 65,536 rows), .ods and every .xlsx whose worksheets
are up to STREAM_ABOVE of XML; a bigger .xlsx streams through openpyxl read-only in flat memory.

Cells become the text a person sees: integers stored as numbers exactly (`5511987654321`, shown
by Excel as `5,51199E+12`), a number that lost its digits to a CSV round trip (at most 6
significant digits, so `5511990000000`) as scientific notation (rejected, never guessed), dates as
`dd/mm/yyyy`, formulas as their cached values.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from nexus_blast.contacts.csvfile import clean_header
from nexus_blast.contacts.table import TableSource
from nexus_blast.errors import InputError
from nexus_blast.i18n import _

STREAM_ABOVE = 96 * 2**20  # bytes of worksheet XML; calamine would then pass ~200 MiB
_LABELS = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods"}


class SheetSource(TableSource):
    """One sheet of a workbook: the first non-empty row is the header."""

    kind = "spreadsheet"
    excel = True

    def __init__(self, name: str, binary: BinaryIO, kind: str, sheet: str | None, phone_column: str | None) -> None:
        self._binary = binary
        self._workbook = None
        self.kind = _LABELS[kind]
        streaming = kind == "xlsx" and _worksheets_size(binary) > STREAM_ABOVE
        binary.seek(0)
        try:
            opened = _open_openpyxl(name, binary) if streaming else _open_calamine(name, binary)
            self._workbook, names, rows_of = opened
            index = pick_sheet(name, names, sheet)
            self.sheet = names[index]
            self.name = _("{file} (sheet {sheet!r})").format(file=name, sheet=self.sheet) if sheet is not None or len(names) > 1 else name
            values = _guard(self.name, lambda: rows_of(index))
            header = next((r for r in values if any(_text(v) for v in r)), None)
        except BaseException:
            self.close()
            raise
        if header is None:
            self.close()
            raise InputError(_("{file}: empty sheet (no header, no rows)").format(file=self.name))
        self.columns = clean_header([_text(v) for v in header])
        self._start(self._records(values), phone_column, lists=True)

    def _records(self, values: Iterator) -> Iterator[tuple[int, list[str]]]:
        width = len(self.columns)
        for row, cells in enumerate(values, start=1):
            texts = [_text(v) for v in cells[:width]]
            if not any(t.strip() for t in texts):
                continue
            texts += [""] * (width - len(texts))
            yield row, texts

    def close(self) -> None:
        workbook, self._workbook = self._workbook, None
        if workbook is not None:
            workbook.close()
        self._binary.close()


def open_sheet(name: str, binary: BinaryIO, kind: str, *, sheet: str | None, phone_column: str | None) -> SheetSource:
    return SheetSource(name, binary, kind, sheet, phone_column)


def pick_sheet(name: str, names: list[str], wanted: str | None) -> int:
    """The index of `--sheet NAME|N` (exact name, then any case, then a 1-based number); 0 without it."""
    if not names:
        raise InputError(_("{file}: the workbook has no sheet").format(file=name))
    if wanted is None:
        return 0
    if wanted in names:
        return names.index(wanted)
    folded = [n.casefold() for n in names]
    if wanted.strip().casefold() in folded:
        return folded.index(wanted.strip().casefold())
    if wanted.strip().isdigit() and 1 <= int(wanted) <= len(names):
        return int(wanted) - 1
    raise InputError(_("{file}: no sheet {sheet!r} (sheets: {sheets}; or a number from 1 to {count})").format(file=name, sheet=wanted, sheets=", ".join(names), count=len(names)))


def _worksheets_size(binary: BinaryIO) -> int:
    binary.seek(0)
    try:
        with zipfile.ZipFile(binary) as archive:
            return max((i.file_size for i in archive.infolist() if i.filename.startswith("xl/worksheets/")), default=0)
    except zipfile.BadZipFile:
        return 0  # the reader names the damage


def _open_calamine(name: str, binary: BinaryIO):
    import python_calamine as pc

    try:
        workbook = pc.CalamineWorkbook.from_filelike(binary)
    except pc.PasswordError:
        raise InputError(_("{file}: a password-protected workbook: remove the password and save again").format(file=name)) from None
    except Exception as exc:  # calamine's errors (zip, XML, unsupported) are all "cannot be read"
        raise InputError(_("{file}: a corrupt or unreadable workbook ({reason})").format(file=name, reason=_one_line(exc))) from None

    def rows_of(index: int) -> Iterator:
        return workbook.get_sheet_by_index(index).iter_rows()

    return workbook, list(workbook.sheet_names), rows_of


def _open_openpyxl(name: str, binary: BinaryIO):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError/ValueError/zip errors for damaged files
        raise InputError(_("{file}: a corrupt or unreadable workbook ({reason})").format(file=name, reason=_one_line(exc))) from None

    def rows_of(index: int) -> Iterator:
        return workbook.worksheets[index].iter_rows(values_only=True)

    return workbook, list(workbook.sheetnames), rows_of


def _guard(name: str, rows) -> Iterator:
    """The rows of ROWS() with a reader's failure (a damaged sheet) as InputError naming the sheet."""
    try:
        yield from rows()
    except InputError:
        raise
    except Exception as exc:
        raise InputError(_("{file}: a corrupt or unreadable sheet ({reason})").format(file=name, reason=_one_line(exc))) from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _text(value) -> str:
    """A cell as the text a person would type for it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return _integer(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e17:
            return _integer(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y}" if value.time() == dt.time() else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"
    return str(value)


def _integer(value: int) -> str:
    digits = str(abs(value))
    # 10+ digits with at most 6 significant ones: a phone that went through "5,51199E+12" in a CSV
    # and back; say so (the phone rules reject it) rather than pass a made-up number on.
    if len(digits) >= 10 and len(digits.rstrip("0")) <= 6:
        return f"{value:.5E}"
    return str(value)
