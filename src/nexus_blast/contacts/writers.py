"""The --output (valid rows, normalised) and --rejects (rows with reasons) CSV files."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from nexus_blast.contacts.csvfile import SINGLE_COLUMN
from nexus_blast.contacts.validation import Checked
from nexus_blast.domain.cells import FORMULA_STARTS, escape_cell
from nexus_blast.errors import InputError
from nexus_blast.i18n import _, os_reason

OUTPUT_EXTRA = ["phone_e164", "phone_kind", "phone_source"]
REJECTS_EXTRA = ["row", "reason"]
BATCH = 512  # rows handed to the csv writer at once
LINES = 512  # valid rows joined and checked at once by ResultFiles.passing
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

    def write_lines(self, text: str) -> None:
        """Write whole CSV lines already made (after any rows still buffered, which come first)."""
        pending = self._pending
        if pending:
            text = "".join(pending) + text
            pending.clear()
        self.handle.write(text)

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


class _ValidLines:
    """Writes batches of valid rows `(e164, kind, source, cells)` to SINK as add() would: each line
    joined, escape_cell's apostrophe put before each cell's formula start (a cell starts at the
    line start or after a delimiter when no cell holds one), then the batch checked at once: when
    no cell holds a quote, a line break or the delimiter (the counts say so), that text is what
    csv.writer writes. Any other batch is written row by row through add()'s path."""

    def __init__(self, sink: CsvSink, at: list[int] | None, width: int) -> None:
        self.sink, self.at = sink, at
        d, end = sink.delimiter, sink.lineterminator
        self.delimiters = width + 2  # per line: between the cells, then before e164, kind and source
        self.line_ends = end.count("\n"), end.count("\r")
        starts = [c for c in FORMULA_STARTS if c not in (d, "\r")]  # a cell starting so holds d, or gets quotes
        self.first = frozenset(starts)
        self.formula = re.compile(re.escape(d) + "[" + "".join(re.escape(c) for c in starts) + "]").search
        self.escapes = [(d + c, d + "'" + c) for c in starts]
        self.tails = _Tails(d, end)

    def _escaped(self, joined: str) -> str:
        if joined[:1] in self.first:
            joined = "'" + joined
        for plain, escaped in self.escapes:
            if plain in joined:
                joined = joined.replace(plain, escaped)
        return joined

    def __call__(self, batch: list) -> None:
        if not batch:
            return
        sink, at, tails, formula, first, escaped = self.sink, self.at, self.tails, self.formula, self.first, self._escaped
        d = sink.delimiter
        join = d.join
        if at is None:
            lines = [f"{escaped(j) if (formula(j := join(v)) or j[:1] in first) else j}{d}'{e}{d}{k}{tails[s]}" for e, k, s, v in batch]
        else:
            lines = [f"{escaped(j) if (formula(j := join([v[i] for i in at])) or j[:1] in first) else j}{d}'{e}{d}{k}{tails[s]}" for e, k, s, v in batch]
        text = "".join(lines)
        n = len(batch)
        lf, cr = self.line_ends
        if '"' in text or (cr == 0 and "\r" in text) or text.count("\n") != n * lf or text.count(d) != n * self.delimiters or (cr and text.count("\r") != n * cr):
            for e164, kind, source, values in batch:
                row = escape_row([values[i] for i in at] if at is not None else list(values))
                row += ("'" + e164, kind, escape_cell(source))
                sink.write_escaped(row)
            return
        sink.write_lines(text)


class _Tails(dict):
    """source column → the end of a valid line after its kind: the escaped source cell and the
    line end (a cell needing quotes shows in the batch's checks)."""

    def __init__(self, delimiter: str, end: str) -> None:
        super().__init__()
        self.delimiter, self.end = delimiter, end

    def __missing__(self, source: str | None) -> str:
        tail = self[source] = self.delimiter + escape_cell(source) + self.end
        return tail


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
        LINES-row batch written to --output (write_valid) before its rows are handed on."""
        if self.output is None:
            yield from valid
            return
        write, valid = _ValidLines(self.output, self._out_at, len(self._out_columns)), iter(valid)
        while batch := list(islice(valid, LINES)):
            write(batch)
            yield from batch

    def write_valid(self, valid: Iterable[tuple[str, str, str | None, list[str]]]) -> None:
        """Write check_records' valid rows to --output (when asked; consumes them either way), as
        add() would write them, LINES rows at a time."""
        deque(self.passing(valid), maxlen=0)

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
