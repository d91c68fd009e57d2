"""Streaming CSV reading: encoding and delimiter sniffing, the phone column, rows as dicts.

Memory stays flat whatever the file size: the encoding is decided by one binary pass in 1 MiB
chunks (UTF-8 if the whole file decodes, else cp1252), stdin is first spooled to an anonymous
temporary file (so it can be read twice), and rows are yielded one at a time.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from nexus_blast.errors import InputError

CHUNK = 256 * 1024
SAMPLE = 64 * 1024
DELIMITERS = (";", ",", "\t")
SINGLE_COLUMN = "\x1f"  # a header without any delimiter: one column, commas in values are data

# Phone column names, best first; a column matches when one of its words is the keyword
# (optionally followed by digits: "telefone2"). "numero" only as the whole name (addresses have one).
PHONE_KEYWORDS = ("whatsapp", "whats", "wpp", "zap", "celular", "cel", "mobile", "telefone", "phone", "fone", "tel")
PHONE_WHOLE_NAMES = ("numero", "num", "nro")

_FALLBACK = "nexus-blast-latin1"
_LINE_END = re.compile(r"\r\n|\n|\r")
_SEP_HINT = re.compile(r"sep=([;,\t|])[ \t]*(?:\r\n|\n|\r)", re.IGNORECASE)


def _latin1_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    # cp1252 leaves 5 bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): keep them as Latin-1.
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error(_FALLBACK, _latin1_fallback)


class CsvSource:
    """An open CSV file: its columns, the phone column, and its data rows (iterate once)."""

    def __init__(
        self, name: str, binary: BinaryIO, encoding: str, delimiter: str, phone_column: str | None, *, skip_line: bool = False
    ) -> None:
        self.name = name
        self.encoding = encoding
        self.delimiter = delimiter
        self._binary = binary
        self._text = io.TextIOWrapper(binary, encoding=encoding, errors=_FALLBACK, newline="")
        if skip_line:  # Excel's "sep=;" hint line
            self._text.readline()
        self._reader = csv.reader(self._text, delimiter=delimiter)
        self._record = 0
        try:
            header = next(self._reader, None)
        except csv.Error as exc:
            self.close()
            raise InputError(f"{name}: malformed CSV header ({exc})") from None
        if not header or not any(cell.strip() for cell in header):
            self.close()
            raise InputError(f"{name}: empty file (no header, no rows)")
        self.columns = clean_header(header)
        self.phone_column = self._choose_phone_column(phone_column)
        self._first = self._next_row()
        if self._first is None:
            self.close()
            raise InputError(f"{name}: no data rows (only a header)")

    @property
    def had_bom(self) -> bool:
        return self.encoding in ("utf-8-sig", "utf-16")

    def _choose_phone_column(self, wanted: str | None) -> str:
        if wanted:
            found = find_column(self.columns, wanted)
            if found is None:
                self.close()
                raise InputError(f"{self.name}: no column {wanted!r} (columns: {', '.join(self.columns)})")
            return found
        found = detect_phone_column(self.columns)
        if found is None:
            self.close()
            raise InputError(
                f"{self.name}: no phone column (looked for telefone, celular, whatsapp, phone, fone, numero; "
                f"columns: {', '.join(self.columns)})",
                hint="pass --phone-column NAME",
            )
        return found

    def _next_row(self) -> tuple[int, dict[str, str]] | None:
        """The next non-blank record as (record number, fields); blank records count but are skipped."""
        columns, width = self.columns, len(self.columns)
        while True:
            try:
                values = next(self._reader, None)
            except csv.Error as exc:
                raise InputError(f"{self.name}: row {self._record + 1}: malformed CSV ({exc})") from None
            if values is None:
                return None
            self._record += 1
            if len(values) < width:
                if not any(v.strip() for v in values):
                    continue
                values = values + [""] * (width - len(values))
            elif not any(v.strip() for v in values):
                continue
            return self._record, dict(zip(columns, values))

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            first, self._first = self._first, None
            if first is None:
                return
            yield first
            while (item := self._next_row()) is not None:
                yield item
        finally:
            self.close()

    def close(self) -> None:
        try:
            self._text.detach()
        except ValueError:
            pass
        self._binary.close()

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_rows(source: Path | str, *, phone_column: str | None = None) -> CsvSource:
    """Open a CSV file (or "-" for stdin) for streaming; InputError names the file when it is unusable."""
    name, binary = _open_binary(source)
    try:
        head = binary.read(SAMPLE)
        if not head:
            raise InputError(f"{name}: empty file (0 bytes)")
        encoding = _encoding(name, binary, head)
        binary.seek(0)
        hint, delimiter = _delimiter(binary, encoding)
        binary.seek(0)
    except BaseException:
        binary.close()
        raise
    return CsvSource(name, binary, encoding, delimiter, phone_column, skip_line=hint)


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
            raise InputError(f"{path}: is a directory, not a CSV file")
        return str(path), open(path, "rb")  # noqa: SIM115 - closed by CsvSource
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def _encoding(name: str, binary: BinaryIO, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text"
    kind = _binary_kind(head)
    if kind:
        raise InputError(f"{name}: not a CSV file ({kind})")
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunk = head
    try:
        while chunk:
            decoder.decode(chunk)
            chunk = binary.read(CHUNK)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _binary_kind(head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive, e.g. an .xlsx workbook: save it as CSV"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an .xls workbook: save it as CSV"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if b"\x00" in head:
        return "binary data"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if controls > len(head) // 20:
        return "binary data"
    return None


def _delimiter(binary: BinaryIO, encoding: str) -> tuple[bool, str]:
    """(whether the first line is Excel's `sep=X` hint, the delimiter): the hint's, else the
    candidate that splits the header most, and the sample's records most consistently."""
    sample = binary.read(SAMPLE).decode(encoding, errors="replace").lstrip("\ufeff")
    hint = _SEP_HINT.match(sample)
    if hint:
        return True, hint.group(1)
    last_end = max(sample.rfind("\n"), sample.rfind("\r"))  # lines may end CR only (Excel for Mac)
    if len(sample) >= SAMPLE // 4 and last_end >= 0:
        sample = sample[: last_end + 1]  # drop a record cut in half
    header_line = _LINE_END.split(sample, maxsplit=1)[0]
    best, best_score = SINGLE_COLUMN, (0.0, 0)
    for candidate in DELIMITERS:
        count = _count_outside_quotes(header_line, candidate)
        if not count:
            continue
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=candidate) if r]
        except csv.Error:  # the real reading names the bad row; here the candidate just scores nothing
            widths = []
        consistent = sum(1 for w in widths if w == count + 1) / len(widths) if widths else 0.0
        score = (consistent, count)
        if score > best_score:
            best, best_score = candidate, score
    return False, best


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def clean_header(header: list[str]) -> list[str]:
    """Trimmed, non-empty, unique column names (blank → column_N, repeats → name_2)."""
    seen: dict[str, int] = {}
    columns = []
    for index, cell in enumerate(header, start=1):
        name = cell.strip().lstrip("\ufeff").strip() or f"column_{index}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 1)
        columns.append(name)
    return columns


def column_key(name: str) -> str:
    """Accents, case and punctuation ignored: "Nº WhatsApp" → "no whatsapp"."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.split(r"[^0-9a-z]+", plain)).strip()


def find_column(columns: list[str], wanted: str) -> str | None:
    if wanted in columns:
        return wanted
    key = column_key(wanted)
    return next((c for c in columns if column_key(c) == key), None)


def detect_phone_column(columns: list[str]) -> str | None:
    best: tuple[int, str] | None = None
    for column in columns:
        rank = _phone_rank(column_key(column))
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, column)
    return best[1] if best else None


def _phone_rank(key: str) -> int | None:
    words = key.split()
    ranks = [
        i
        for i, keyword in enumerate(PHONE_KEYWORDS)
        if any(w == keyword or (w.startswith(keyword) and w[len(keyword) :].isdigit()) for w in words)
    ]
    if ranks:
        return min(ranks)
    if key.replace(" ", "") in PHONE_WHOLE_NAMES:
        return len(PHONE_KEYWORDS)
    return None
