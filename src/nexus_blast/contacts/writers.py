"""The --output (valid rows, normalised) and --rejects (rows with reasons) CSV files."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from nexus_blast.contacts.csvfile import SINGLE_COLUMN
from nexus_blast.contacts.validation import Checked
from nexus_blast.domain.cells import FORMULA_STARTS, escape_cell
from nexus_blast.errors import InputError
from nexus_blast.i18n import _, os_reason

OUTPUT_EXTRA = ["phone_e164", "phone_kind", "phone_source"]
REJECTS_EXTRA = ["row", "reason"]
BATCH = 512  # rows handed to the csv writer at once
_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # every formula start is one character
assert all(len(start) == 1 for start in FORMULA_STARTS)


def escape_row(values: list) -> list[str]:
    """VALUES as text with escape_cell applied, checked with one test per cell (the list itself
    when every cell is text that needs no escape, as in almost every row)."""
    for value in values:
        if value.__class__ is not str or value[:1] in _FORMULA_FIRST:
            return [("'" + v if v[:1] in _FORMULA_FIRST else v) if v.__class__ is str else escape_cell(v) for v in values]
    return values


class CsvSink:
    """A CSV written beside PATH under a temporary name and moved into place by `commit()`, so a
    failed run never leaves half a file (and the input may safely be the output). Mode 0600:
    these files hold personal data. Cells a spreadsheet would run as formulas are escaped
    (domain/cells.py), as `campaign report` does."""

    def __init__(self, path: Path, columns: list[str], *, delimiter: str, bom: bool) -> None:
        self.path = path
        directory = path.parent if str(path.parent) else Path(".")
        try:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as exc:
            raise InputError(_("{file}: cannot write ({reason})").format(file=path, reason=os_reason(exc))) from None
        self.tmp = Path(tmp)
        self.handle = os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="")
        self.delimiter, self.lineterminator = delimiter, "\r\n" if bom else "\n"
        self._lines = CsvLines(delimiter, self.lineterminator)
        self.handle.write(self._lines.line([escape_cell(c) for c in columns]))  # headers come from the input too
        self._pending: list[str] = []

    def write(self, values: list) -> None:
        """Write one row (any values), its cells escaped."""
        self.write_escaped(escape_row(values))

    def write_escaped(self, values: list[str]) -> None:
        """Write one row of text cells already escaped (buffered: `commit()` writes the rest)."""
        pending = self._pending
        pending.append(self._lines.line(values))
        if len(pending) >= BATCH:
            self.handle.write("".join(pending))
            pending.clear()

    def commit(self) -> None:
        self.handle.write("".join(self._pending))
        self._pending.clear()
        self.handle.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self._pending.clear()
        try:
            self.handle.close()
        finally:
            self.tmp.unlink(missing_ok=True)


def _escape_joined(joined: str, delimiter: str, starts: list[str]) -> str:
    """JOINED cells (no delimiter inside any) with escape_cell's apostrophe before each formula start."""
    if joined[:1] in starts:
        joined = "'" + joined
    for start in starts:
        if delimiter + start in joined:
            joined = joined.replace(delimiter + start, delimiter + "'" + start)
    return joined


def _tail(source: str | None, delimiter: str, end: str) -> str | None:
    """The end of a valid row after its kind: the source cell and the line end (None when that
    cell needs quotes)."""
    cell = escape_cell(source)
    if delimiter in cell or '"' in cell or "\n" in cell or "\r" in cell:
        return None
    return delimiter + cell + end


class CsvLines:
    """One CSV record as text, exactly as csv.writer (QUOTE_MINIMAL) writes it: the cells joined
    by the delimiter when none needs quotes (4x faster than the writer), else the writer's own."""

    def __init__(self, delimiter: str, lineterminator: str) -> None:
        self.delimiter, self.lineterminator = delimiter, lineterminator
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=delimiter, lineterminator=lineterminator)

    def line(self, cells: list[str]) -> str:
        joined = self.delimiter.join(cells)
        if '"' in joined or "\n" in joined or "\r" in joined or len(cells) < 2 or joined.count(self.delimiter) != len(cells) - 1:
            return self._quoted(cells)
        return joined + self.lineterminator

    def _quoted(self, cells: list[str]) -> str:
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._writer.writerow(cells)
        return buffer.getvalue()


class ResultFiles:
    """Both optional files for one run; use as a context manager (commit on success only)."""

    def __init__(self, columns: list[str], delimiter: str, bom: bool, output: Path | None, rejects: Path | None) -> None:
        delimiter = "," if delimiter == SINGLE_COLUMN else delimiter
        self.columns = columns
        self.sinks: list[CsvSink] = []
        self.output = self.rejects = None
        try:
            if output is not None:
                out_columns = [c for c in columns if c not in OUTPUT_EXTRA] + OUTPUT_EXTRA
                self.output = self._open(output, out_columns, delimiter, bom)
            if rejects is not None:
                rej_columns = [c for c in columns if c not in REJECTS_EXTRA] + REJECTS_EXTRA
                self.rejects = self._open(rejects, rej_columns, delimiter, bom)
        except BaseException:
            self.discard()
            raise
        self._out_columns = [c for c in columns if c not in OUTPUT_EXTRA]
        self._rej_columns = [c for c in columns if c not in REJECTS_EXTRA]
        # For rows given as cells (one per column): the cells kept, None when all of them are.
        self._out_at = None if len(self._out_columns) == len(columns) else [i for i, c in enumerate(columns) if c not in OUTPUT_EXTRA]
        self._rej_at = None if len(self._rej_columns) == len(columns) else [i for i, c in enumerate(columns) if c not in REJECTS_EXTRA]

    def _open(self, path: Path, columns: list[str], delimiter: str, bom: bool) -> CsvSink:
        sink = CsvSink(path, columns, delimiter=delimiter, bom=bom)
        self.sinks.append(sink)
        return sink

    def add(self, checked: Checked) -> None:
        if checked.reason is None:
            if self.output is not None:
                fields = checked.fields
                row = escape_row([fields.get(c, "") for c in self._out_columns])
                # E.164 always starts with "+" (so escaped); kinds and reason codes are plain words
                row += ("'" + checked.e164, checked.kind, escape_cell(checked.source))
                self.output.write_escaped(row)
        elif self.rejects is not None:
            fields = checked.fields
            row = escape_row([fields.get(c, "") for c in self._rej_columns])
            row += (str(checked.row), checked.reason)
            self.rejects.write_escaped(row)

    def passing(self, valid: Iterable[tuple[str, str, str | None, list[str]]]) -> Iterator[tuple[str, str, str | None, list[str]]]:
        """check_records' valid rows `(e164, kind, source, cells)`, handed on unchanged, each
        written to --output on the way. A row whose cells need no quotes (almost every row) is
        joined and escaped here, as add() would write it; any other goes through add()'s path."""
        sink = self.output
        if sink is None:
            yield from valid
            return
        at, d, end = self._out_at, sink.delimiter, sink.lineterminator
        gaps = len(self._out_columns) - 1  # delimiters in the joined cells when no cell holds one
        starts = [c for c in FORMULA_STARTS if c not in (d, "\r")]  # a cell starting so holds d, or gets quotes
        first = frozenset(starts)
        formula = re.compile(re.escape(d) + "[" + "".join(re.escape(c) for c in starts) + "]").search
        tails: dict = {}  # source column → the line's end after the kind, None when it needs quotes
        pending, flush = sink._pending, sink.handle.write
        for item in valid:
            e164, kind, source, values = item
            cells = values if at is None else [values[i] for i in at]
            joined = d.join(cells)
            tail = tails.get(source, False)
            if tail is False:
                tail = tails[source] = _tail(source, d, end)
            if tail is not None and joined.count(d) == gaps and '"' not in joined and "\n" not in joined and "\r" not in joined:
                # every delimiter is between two cells: a cell starts at the start or after one
                if joined[:1] in first or formula(joined):
                    joined = _escape_joined(joined, d, starts)
                pending.append(f"{joined}{d}'{e164}{d}{kind}{tail}")
                if len(pending) >= BATCH:
                    flush("".join(pending))
                    pending.clear()
            else:
                row = escape_row(list(cells))
                row += ("'" + e164, kind, escape_cell(source))
                sink.write_escaped(row)
            yield item

    def reject(self, row: int, values: list[str], reason: str) -> None:
        """Write a rejected row given as cells (one per column) to --rejects, when asked."""
        if self.rejects is not None:
            at = self._rej_at
            cells = escape_row(list(values) if at is None else [values[i] for i in at])
            cells += (str(row), reason)
            self.rejects.write_escaped(cells)

    def commit(self) -> None:
        try:
            for sink in self.sinks:
                sink.commit()
        except BaseException:  # e.g. the disk filled up writing the last rows: no half file left
            self.discard()
            raise

    def discard(self) -> None:
        for sink in self.sinks:
            sink.discard()

    def __enter__(self) -> ResultFiles:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
