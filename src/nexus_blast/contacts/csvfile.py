"""CSV/TSV rows: encoding and delimiter sniffing, Excel's quirks, streaming.

Memory stays flat whatever the file size: the encoding is decided by one binary pass in chunks
(UTF-8 if the whole file decodes; cp1252 if no byte sequence in it is UTF-8 at all; both, line by
line, when it mixes the two), and rows are yielded one at a time.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from nexus_blast.contacts import exports
from nexus_blast.contacts.table import TableSource, close_text
from nexus_blast.errors import InputError
from nexus_blast.i18n import _, ngettext

CHUNK = 256 * 1024
SAMPLE = 64 * 1024
DELIMITERS = (";", ",", "\t")
SINGLE_COLUMN = "\x1f"  # a header without any delimiter: one column, commas in values are data
MIXED = "mixed"  # UTF-8 and cp1252 in one file: read as UTF-8, the cp1252 bytes repaired per row
SHOWN_ROWS = 10

_FALLBACK = "nexus-blast-latin1"
_LINE_END = re.compile(r"\r\n|\n|\r")
_SEP_HINT = re.compile(r"sep=([;,\t|])[ \t]*(?:\r\n|\n|\r)", re.IGNORECASE)
_ESCAPED = re.compile(r"[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)
_MULTIBYTE = re.compile(r"[\u0080-\ud7ff\ue000-\U0010ffff]")  # a real non-ASCII UTF-8 character


def _latin1_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    # cp1252 leaves 5 bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): keep them as Latin-1.
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error(_FALLBACK, _latin1_fallback)


class CsvSource(TableSource):
    """An open CSV file: its columns, the phone candidate columns, and its data rows (iterate once)."""

    def __init__(
        self, name: str, binary: BinaryIO, encoding: str, delimiter: str, phone_column: str | None, *, skip_line: bool = False
    ) -> None:
        self.name = name
        self.encoding = encoding
        self.delimiter = delimiter
        self.excel = encoding in ("utf-8-sig", "utf-16", "cp1252")  # came from Excel: keep Excel happy
        self._binary = binary
        self._mixed = encoding == MIXED
        self._repaired: list[int] = []
        text_encoding, errors = ("utf-8", "surrogateescape") if self._mixed else (encoding, _FALLBACK)
        self._text = io.TextIOWrapper(binary, encoding=text_encoding, errors=errors, newline="")
        if skip_line:  # Excel's "sep=;" hint line
            self._text.readline()
        self._reader = csv.reader(self._text, delimiter=delimiter)
        try:
            header = next(self._reader, None)
        except csv.Error as exc:
            self.close()
            raise InputError(_("{file}: malformed CSV header ({reason})").format(file=name, reason=exc)) from None
        if not header or not any(cell.strip() for cell in header):
            self.close()
            raise InputError(_("{file}: empty file (no header, no rows)").format(file=name))
        self.columns = self._file_columns = clean_header([_repair(c) for c in header] if self._mixed else header)
        self.export = exports.recognise(self.columns)
        rows = self._records()
        if self.export is None:
            self._start(rows, phone_column, lists=True)
            return
        self.notes = [_("{file}: {export} (given name as {placeholder})").format(file=name, export=self.export.label, placeholder="{{" + exports.GIVEN_NAME + "}}")]
        self.columns = self.export.columns(self.columns)
        file_columns, derive = self._file_columns, self.export.derive
        self._start(((row, derive(dict(zip(file_columns, values)))) for row, values in rows), phone_column)

    @property
    def had_bom(self) -> bool:
        return self.encoding in ("utf-8-sig", "utf-16")

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """The non-blank records as (record number, one cell per column: short records padded,
        cells beyond the header dropped); blank records count but are skipped. One loop, no call
        per row: this is every row of every CSV validate and import read."""
        width = len(self._file_columns)
        mixed, escaped, repaired = self._mixed, _ESCAPED.search, self._repaired
        record = 0
        try:
            for record, values in enumerate(self._reader, start=1):
                if not (values and values[0].strip()) and not "".join(values).strip():  # only blanks: counted, skipped
                    continue
                n = len(values)
                if n != width or mixed:
                    if n < width:
                        values += [""] * (width - n)
                    if mixed and escaped("".join(values)):
                        values = [_repair(v) for v in values]
                        repaired.append(record)
                    if n > width:
                        del values[width:]
                yield record, values
        except csv.Error as exc:
            raise InputError(_("{file}: row {row}: malformed CSV ({reason})").format(file=self.name, row=record + 1, reason=exc)) from None

    def warnings(self) -> list[str]:
        if not self._repaired:
            return []
        rows = ", ".join(map(str, self._repaired[:SHOWN_ROWS])) + (", …" if len(self._repaired) > SHOWN_ROWS else "")
        return [
            ngettext(
                "{file} mixes UTF-8 and Latin-1 (cp1252) text: {count} row was read as Latin-1 (row {rows}); check its names",
                "{file} mixes UTF-8 and Latin-1 (cp1252) text: {count} rows were read as Latin-1 (rows {rows}); check their names",
                len(self._repaired),
            ).format(file=self.name, count=len(self._repaired), rows=rows)
        ]

    def close(self) -> None:
        close_text(self._text, self._binary)


def _repair(value: str) -> str:
    """A UTF-8 read cell whose stray bytes were cp1252 (surrogate-escaped) → the cp1252 text."""
    if not _ESCAPED.search(value):
        return value
    raw = value.encode("utf-8", errors="surrogateescape")
    out, start = [], 0
    while start < len(raw):
        try:
            out.append(raw[start:].decode("utf-8"))
            break
        except UnicodeDecodeError as exc:
            out.append(raw[start : start + exc.start].decode("utf-8"))
            bad = raw[start + exc.start : start + exc.end]
            out.append(bad.decode("cp1252", errors=_FALLBACK))
            start += exc.end
    return "".join(out)


def open_csv(name: str, binary: BinaryIO, head: bytes, *, phone_column: str | None = None) -> CsvSource:
    """A CsvSource over BINARY (seekable, at any position; HEAD is its first bytes)."""
    encoding = sniff_encoding(name, binary, head)
    binary.seek(0)
    hint, delimiter = _delimiter(binary, "utf-8" if encoding == MIXED else encoding)
    binary.seek(0)
    return CsvSource(name, binary, encoding, delimiter, phone_column, skip_line=hint)


def sniff_encoding(name: str, binary: BinaryIO, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text"
    if _all_utf8(name, binary, head):  # the common case, decided by the C decoder alone
        return "utf-8"
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    binary.seek(len(head))
    chunk, offset = head, 0
    invalid = multibyte = False
    while chunk:
        nul = chunk.find(b"\x00")
        if nul >= 0:
            raise InputError(_("{file}: binary or corrupt file (a NUL byte at offset {offset})").format(file=name, offset=offset + nul))
        if not (invalid and multibyte):
            text = decoder.decode(chunk)
            invalid = invalid or bool(_ESCAPED.search(text))
            multibyte = multibyte or bool(_MULTIBYTE.search(text))
        offset += len(chunk)
        chunk = binary.read(CHUNK)
    invalid = invalid or bool(_ESCAPED.search(decoder.decode(b"", final=True)))
    if not invalid:
        return "utf-8"
    return MIXED if multibyte else "cp1252"


def _all_utf8(name: str, binary: BinaryIO, head: bytes) -> bool:
    """Whether the whole file decodes as UTF-8 (NUL bytes refused on the way). 6x faster than
    the surrogate-escaping pass, which then runs only for a file with some byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    binary.seek(len(head))
    chunk, offset = head, 0
    try:
        while chunk:
            nul = chunk.find(b"\x00")
            if nul >= 0:
                raise InputError(_("{file}: binary or corrupt file (a NUL byte at offset {offset})").format(file=name, offset=offset + nul))
            decoder.decode(chunk)
            offset += len(chunk)
            chunk = binary.read(CHUNK)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


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
        name = str(cell).strip().lstrip("\ufeff").strip() or f"column_{index}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 1)
        columns.append(name)
    return columns
