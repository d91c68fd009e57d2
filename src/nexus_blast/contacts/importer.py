"""`validate` and `import` end to end: read → check → write result files → (store the list)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nexus_blast.contacts.reader import CsvSource
from nexus_blast.contacts.validation import Checked, Summary, ValidationOptions, validate_rows
from nexus_blast.contacts.writers import ResultFiles
from nexus_blast.errors import InputError

PREVIEW = 10


@dataclass
class CheckReport:
    """What one validate/import run found (and stored)."""

    source: str
    phone_column: str
    summary: Summary
    rejected: list[Checked] = field(default_factory=list)  # the first PREVIEW rejected rows
    list_name: str | None = None
    inserted: int = 0
    updated: int = 0

    def as_dict(self) -> dict:
        doc = self.summary.as_dict()
        if self.list_name is not None:
            doc.update(list=self.list_name, inserted=self.inserted, updated=self.updated)
        return doc


def check_file(
    source: CsvSource,
    *,
    options: ValidationOptions,
    optouts: set[str] | Callable[[str], bool],
    output: Path | None = None,
    rejects: Path | None = None,
) -> CheckReport:
    """Validate every row of SOURCE, writing the --output/--rejects files when asked."""
    report = CheckReport(source.name, source.phone_column, Summary())
    with _files(source, output, rejects) as files:
        for _ in _checked(source, report, files, options, optouts):
            pass
    return report


def import_file(
    db,
    source: CsvSource,
    list_name: str,
    *,
    options: ValidationOptions,
    output: Path | None = None,
    rejects: Path | None = None,
) -> CheckReport:
    """Validate SOURCE and upsert its valid rows into LIST_NAME, all in one transaction."""
    from nexus_blast.store.contacts import optout_phones, upsert_contacts

    if not list_name.strip():
        raise InputError("--list: the list name is empty")
    report = CheckReport(source.name, source.phone_column, Summary(), list_name=list_name)
    with _files(source, output, rejects) as files:
        valid = (
            (c.e164, c.kind, c.fields)
            for c in _checked(source, report, files, options, optout_phones(db))
            if c.reason is None
        )
        counts = upsert_contacts(db, list_name, valid)
    report.inserted, report.updated = counts.inserted, counts.updated
    return report


def _files(source: CsvSource, output: Path | None, rejects: Path | None) -> ResultFiles:
    bom = source.had_bom or source.encoding == "cp1252"  # came from Excel: keep Excel happy
    return ResultFiles(source.columns, source.delimiter, bom, output, rejects)


def _checked(source, report: CheckReport, files: ResultFiles, options, optouts) -> Iterator[Checked]:
    rejected = report.rejected
    for checked in validate_rows(source, options=options, optouts=optouts, summary=report.summary):
        files.add(checked)
        if checked.reason is not None and len(rejected) < PREVIEW:
            rejected.append(checked)
        yield checked
