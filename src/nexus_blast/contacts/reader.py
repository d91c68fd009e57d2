"""Open a contacts file of any accepted format, detected by its content (not its extension):
CSV/TSV, spreadsheets (.xlsx, .xls, .ods) and vCard (.vcf); anything else is refused naming what
it is. Every format becomes the same TableSource of rows for the same validation.

stdin ("-") is first spooled to an anonymous temporary file, so it can be read twice (sniffing,
then reading) whatever its format.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO

from nexus_blast.contacts.columns import column_key, detect_phone_column, find_column  # noqa: F401 - re-exported
from nexus_blast.contacts.csvfile import CHUNK, SAMPLE, SINGLE_COLUMN, CsvSource, open_csv  # noqa: F401
from nexus_blast.contacts.table import TableSource
from nexus_blast.errors import InputError
from nexus_blast.i18n import N_, _, os_reason

ACCEPTED = N_("accepted: CSV/TSV, .xlsx, .xls, .ods, vCard .vcf")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # an OLE stream name: a password-protected .xlsx
_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
_MAGIC = (
    (b"%PDF", N_("a PDF document")),
    (b"\x89PNG", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF8", N_("a GIF image")),
    (b"\x1f\x8b", N_("a gzip archive")),
    (b"Rar!", N_("a RAR archive")),
    (b"7z\xbc\xaf", N_("a 7-Zip archive")),
)


def read_rows(source: Path | str, *, phone_column: str | None = None, sheet: str | None = None) -> TableSource:
    """Open SOURCE (a path, or "-" for stdin) for streaming; InputError names the file (and sheet,
    card or row) when it cannot be used. PHONE_COLUMN is `A[,B…]`; SHEET a name or 1-based number."""
    name, binary = _open_binary(source)
    try:
        head = binary.read(SAMPLE)
        if not head:
            raise InputError(_("{file}: empty file (0 bytes)").format(file=name))
        kind = detect(name, binary, head)
        if kind in ("xlsx", "xls", "ods"):
            from nexus_blast.contacts.spreadsheet import open_sheet

            return open_sheet(name, binary, kind, sheet=sheet, phone_column=phone_column)
        if sheet is not None:
            raise InputError(_("--sheet: {file} is not a workbook (.xlsx, .xls, .ods) but {what}").format(file=name, what=_(_FORMATS[kind])))
        if kind == "vcard":
            from nexus_blast.contacts.vcard import open_vcard

            return open_vcard(name, binary, head, phone_column=phone_column)
        return open_csv(name, binary, head, phone_column=phone_column)
    except BaseException:
        binary.close()
        raise


_FORMATS = {"csv": N_("a CSV file"), "vcard": N_("a vCard file")}


def detect(name: str, binary: BinaryIO, head: bytes) -> str:
    """"csv", "xlsx", "xls", "ods" or "vcard"; InputError for anything else, naming what it is."""
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(name, binary)
    if head.startswith(_OLE):
        if _ENCRYPTED in head:
            raise InputError(_("{file}: a password-protected workbook: remove the password (File > Info) and save again").format(file=name))
        return "xls"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:11].upper() == b"BEGIN:VCARD":
        return "vcard"
    for magic, label in _MAGIC:
        if head.startswith(magic):
            _refuse(name, label)
    if text[:1] in (b"{", b"[") and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        _refuse(name, N_("JSON data"))
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")) and _looks_binary(head):
        _refuse(name, N_("binary data"))
    return "csv"


def _zip_kind(name: str, binary: BinaryIO) -> str:
    binary.seek(0)
    try:
        with zipfile.ZipFile(binary) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").startswith(_ODS):
                return "ods"
            if "word/document.xml" in names:
                _refuse(name, N_("a Word document"))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(_("{file}: a damaged zip archive, e.g. a corrupt .xlsx ({reason}); {accepted}").format(file=name, reason=exc, accepted=_(ACCEPTED))) from None
    _refuse(name, N_("a zip archive that is not a workbook"))
    raise AssertionError  # _refuse raised


def _refuse(name: str, what: str) -> None:
    raise InputError(_("{file}: not a contacts file ({what}); {accepted}").format(file=name, what=_(what), accepted=_(ACCEPTED)))


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return controls > len(head) // 20


def _open_binary(source: Path | str) -> tuple[str, BinaryIO]:
    if str(source) == "-":
        spool = tempfile.TemporaryFile()
        stdin = getattr(sys.stdin, "buffer", None)
        if stdin is None:
            spool.write(sys.stdin.read().encode("utf-8"))
        else:
            shutil.copyfileobj(stdin, spool, CHUNK)
        spool.seek(0)
        return "stdin", spool
    path = Path(source)
    try:
        if path.is_dir():
            raise InputError(_("{file}: is a directory, not a contacts file").format(file=path))
        return str(path), open(path, "rb")  # noqa: SIM115 - closed by the source
    except OSError as exc:
        raise InputError(_("{file}: cannot read ({reason})").format(file=path, reason=os_reason(exc))) from None
