"""What every contacts file becomes, whatever its format: columns, the phone candidate columns, and
data rows `(row number, {column: text})` streamed once; the first rows are read ahead so the phone
columns are chosen by their content, then handed on unchanged. CSV files and workbooks read their
rows as lists of cells (one per column): `records()` hands those on without building a dict per
row (what validate and import read), iterating builds the dicts."""

from __future__ import annotations

from collections.abc import Iterator

from nexus_blast.contacts import columns as cols
from nexus_blast.errors import InputError
from nexus_blast.i18n import _

Row = tuple[int, dict[str, str]]
Record = tuple[int, list[str]]  # (row number, one cell per column of `columns`)


def close_text(text, binary) -> None:
    """Close a text reader's file: detach first (detach fails once the wrapper is closed), so the
    binary file is closed exactly once."""
    try:
        text.detach()
    except ValueError:
        pass
    binary.close()


class TableSource:
    """Base of the row sources (CSV, spreadsheet, vCard). A subclass sets `columns` and calls
    `_start(rows, wanted)` from its constructor; `kind` names the format for messages."""

    kind = "CSV"
    delimiter = ","  # of the --output/--rejects files
    excel = False  # the result files get a BOM so Excel opens them right
    encoding: str | None = None

    name: str
    columns: list[str]
    phone_columns: list[str]
    phone_like: list[str]  # columns whose first rows hold phones, whatever their name (for hints)
    notes: list[str]  # said once on stderr (e.g. "recognised a Google Contacts export")

    def _start(self, rows: Iterator[Row] | Iterator[Record], wanted: str | None, *, lists: bool = False) -> None:
        """LISTS: ROWS are Records, exactly one cell per column (else Rows of dicts)."""
        self._rows = rows
        self._lists = lists
        self.notes = getattr(self, "notes", [])
        self._sample: list = []
        try:
            for item in rows:
                self._sample.append(item)
                if len(self._sample) >= cols.SAMPLE_ROWS:
                    break
            if not self._sample:
                raise InputError(_("{file}: no data rows (only a header)").format(file=self.name))
            columns = self.columns
            sample = [dict(zip(columns, values)) for _, values in self._sample] if lists else [fields for _, fields in self._sample]
            self.phone_like = cols.phone_like_columns(self.columns, sample)
            self.phone_columns = self._candidates(wanted, sample)
        except BaseException:
            self.close()
            raise

    def _candidates(self, wanted: str | None, sample: list[dict[str, str]]) -> list[str]:
        if wanted:
            return cols.wanted_columns(self.name, self.columns, wanted)
        found = self._preferred() or cols.choose_by_content(self.columns, sample)
        if found:
            return found
        hint = _("pass --phone-column NAME")
        if self.phone_like:
            hint = _("these columns hold phones: {columns}; pass --phone-column {first!r}").format(columns=", ".join(self.phone_like), first=self.phone_like[0])
        raise InputError(
            _("{file}: no phone column (looked for telefone, celular, whatsapp, phone, fone, numero; columns: {columns})").format(
                file=self.name, columns=", ".join(self.columns)),
            hint=hint,
        )

    def _preferred(self) -> list[str]:
        """Phone columns the format itself names (vCard's TEL); empty: choose by name and content."""
        return []

    @property
    def phone_column(self) -> str:
        """The first candidate column (the only one for most files)."""
        return self.phone_columns[0]

    def __iter__(self) -> Iterator[Row]:
        if not self._lists:
            return self._all()
        columns = self.columns
        return ((row, dict(zip(columns, values))) for row, values in self._all())

    def records(self) -> Iterator[Record] | None:
        """The rows as Records when the source reads them so (CSV, workbooks), else None: iterate."""
        return self._all() if self._lists else None

    def _all(self) -> Iterator:
        try:
            sample, self._sample = self._sample, []
            yield from sample
            yield from self._rows
        finally:
            self.close()

    def close(self) -> None:
        """Release the file (idempotent); subclasses extend it."""

    def warnings(self) -> list[str]:
        """What the reading noticed that the user should check (known once the rows are read)."""
        return []

    def __enter__(self) -> TableSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
