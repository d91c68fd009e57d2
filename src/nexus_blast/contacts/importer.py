"""`validate` and `import` end to end: read → check → write result files → (store the list)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from nexus_blast.contacts.table import TableSource
from nexus_blast.contacts.validation import Checked, Summary, ValidationOptions, check_records, validate_rows
from nexus_blast.contacts.writers import ResultFiles
from nexus_blast.errors import InputError
from nexus_blast.i18n import _, ngettext

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
    phone_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # for stderr: mixed encodings, a poor phone column

    def as_dict(self) -> dict:
        doc = self.summary.as_dict()
        if self.list_name is not None:
            doc.update(list=self.list_name, inserted=self.inserted, updated=self.updated)
        return doc


def check_file(
    source: TableSource,
    *,
    options: ValidationOptions,
    optouts: set[str] | Callable[[str], bool],
    output: Path | None = None,
    rejects: Path | None = None,
) -> CheckReport:
    """Validate every row of SOURCE, writing the --output/--rejects files when asked."""
    report = _report(source)
    rejected = report.rejected
    with _files(source, output, rejects) as files:
        valid = _checked_records(source, report, files, options, optouts)
        if valid is not None:
            files.write_valid(valid)  # no Python code per valid row without --output; only rejects call back
            _finish(source, report)
            return report
        add = files.add if files.sinks else None
        for checked in validate_rows(source, options=options, optouts=optouts, summary=report.summary):
            if add is not None:
                add(checked)
            if checked.reason is not None and len(rejected) < PREVIEW:
                rejected.append(checked)
    _finish(source, report)
    return report


def import_file(
    db,
    source: TableSource,
    list_name: str,
    *,
    options: ValidationOptions,
    output: Path | None = None,
    rejects: Path | None = None,
) -> CheckReport:
    """Validate SOURCE and upsert its valid rows into LIST_NAME, all in one transaction."""
    from nexus_blast.store.contacts import optout_phones, upsert_contacts

    if not list_name.strip():
        raise InputError(_("--list: the list name is empty"))
    report = _report(source, list_name)
    with _files(source, output, rejects) as files:
        valid = _valid(source, report, files, options, optout_phones(db))
        first = next(valid, None)  # reads the whole file when no row is valid
        if first is None:
            raise InputError(
                ngettext(
                    "{file}: no valid contact in {count} row ({reasons}); list {name!r} not changed",
                    "{file}: no valid contact in {count} rows ({reasons}); list {name!r} not changed",
                    report.summary.total,
                ).format(file=source.name, count=report.summary.total, reasons=_reasons(report.summary), name=list_name),
                hint=_("see why with: blast validate FILE --rejects REJ.csv"),
            )
        counts = upsert_contacts(db, list_name, chain((first,), valid))
    _finish(source, report)
    report.inserted, report.updated = counts.inserted, counts.updated
    return report


def _report(source: TableSource, list_name: str | None = None) -> CheckReport:
    return CheckReport(source.name, source.phone_column, Summary(), list_name=list_name, phone_columns=list(source.phone_columns))


def _finish(source: TableSource, report: CheckReport) -> None:
    """The warnings known once every row is read."""
    report.warnings = source.warnings() + poor_column_warning(source, report.summary)


def poor_column_warning(source: TableSource, summary: Summary) -> list[str]:
    """When most rows had no number in the columns used: which columns were used, which hold phones."""
    missing = summary.by_reason["not_a_number"] + summary.by_reason["empty"]
    if not summary.total or missing * 2 <= summary.total:
        return []
    used = ", ".join(source.phone_columns)
    others = [c for c in source.phone_like if c not in source.phone_columns]
    if others:
        where = _("these columns hold phones: {columns} (--phone-column {first!r})").format(columns=", ".join(others), first=others[0])
    else:
        where = _("no other column holds phones in the first rows")
    return [_("{file}: {missing} of {total} rows have no number in the phone column used ({used}); {where}").format(
        file=source.name, missing=missing, total=summary.total, used=used, where=where)]


def _reasons(summary: Summary) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in summary.by_reason.items() if count) or _("no rows")


def _files(source: TableSource, output: Path | None, rejects: Path | None) -> ResultFiles:
    return ResultFiles(source.columns, source.delimiter, source.excel, output, rejects)


def _checked_records(source, report: CheckReport, files: ResultFiles, options, optouts) -> Iterator[tuple[str, str, str | None, list[str]]] | None:
    """check_records over SOURCE's records (None when it reads dicts: validate_rows then), the
    rejected rows written to --rejects and the first PREVIEW kept in REPORT."""
    records = source.records()
    if records is None:
        return None
    columns, rejected = source.columns, report.rejected
    write = files.reject if files.rejects is not None else None

    def reject(row, values, raw, e164, kind, legacy, reason, column) -> None:
        if write is not None:
            write(row, values, reason)
        if len(rejected) < PREVIEW:
            rejected.append(Checked(row, dict(zip(columns, values)), raw, e164, kind, legacy, reason, column))

    return check_records(records, columns, source.phone_columns, options=options, optouts=optouts, summary=report.summary, reject=reject)


def _valid(source, report: CheckReport, files: ResultFiles, options, optouts) -> Iterator[tuple[str, str, dict[str, str]]]:
    """`(e164, kind, fields)` of the valid rows, every row written to the result files on the way."""
    valid = _checked_records(source, report, files, options, optouts)
    if valid is not None:
        columns = source.columns
        for e164, kind, _source, values in files.passing(valid):
            yield e164, kind, dict(zip(columns, values))
        return
    rejected = report.rejected
    add = files.add if files.sinks else None
    for checked in validate_rows(source, options=options, optouts=optouts, summary=report.summary):
        if add is not None:
            add(checked)
        if checked.reason is None:
            yield checked.e164, checked.kind, checked.fields
        elif len(rejected) < PREVIEW:
            rejected.append(checked)
