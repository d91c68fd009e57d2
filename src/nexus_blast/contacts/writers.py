"""The --output (valid rows, normalised) and --rejects (rows with reasons) CSV files."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from nexus_blast.contacts.csvfile import SINGLE_COLUMN
from nexus_blast.contacts.validation import Checked
from nexus_blast.domain.cells import escape_cell
from nexus_blast.errors import InputError
from nexus_blast.i18n import _, os_reason

OUTPUT_EXTRA = ["phone_e164", "phone_kind", "phone_source"]
REJECTS_EXTRA = ["row", "reason"]


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
        self.writer = csv.writer(self.handle, delimiter=delimiter, lineterminator="\r\n" if bom else "\n")
        self.writer.writerow([escape_cell(c) for c in columns])  # headers come from the input too

    def write(self, values: list) -> None:
        self.writer.writerow([escape_cell(v) for v in values])

    def commit(self) -> None:
        self.handle.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.handle.close()
        self.tmp.unlink(missing_ok=True)


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

    def _open(self, path: Path, columns: list[str], delimiter: str, bom: bool) -> CsvSink:
        sink = CsvSink(path, columns, delimiter=delimiter, bom=bom)
        self.sinks.append(sink)
        return sink

    def add(self, checked: Checked) -> None:
        fields = checked.fields
        if checked.reason is None:
            if self.output is not None:
                self.output.write([fields.get(c, "") for c in self._out_columns] + [checked.e164, checked.kind, checked.source])
        elif self.rejects is not None:
            self.rejects.write([fields.get(c, "") for c in self._rej_columns] + [checked.row, checked.reason])

    def commit(self) -> None:
        for sink in self.sinks:
            sink.commit()

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
