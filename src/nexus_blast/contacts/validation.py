"""Rows → checked contacts: phone normalisation, opt-outs, duplicates, and the summary counts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from nexus_blast.domain.candidates import choose_phone
from nexus_blast.domain.phones import KINDS, REASONS, fast_brazilian
from nexus_blast.domain.seen import SeenNumbers


class RowSource(Protocol):
    phone_column: str  # the first candidate; `phone_columns` (all of them, in order) when present

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]: ...


@dataclass(frozen=True)
class ValidationOptions:
    """How lenient validation is, and whether landlines are sendable (they are always valid)."""

    default_ddd: str = ""
    allow_foreign: bool = False
    include_landlines: bool = False

    def sendable(self, checked: Checked) -> bool:
        """Valid, and not a landline unless landlines are included (few landlines have WhatsApp)."""
        return checked.reason is None and (self.include_landlines or checked.kind != "landline")


@dataclass(slots=True)
class Checked:
    """One data row after validation: `reason` is None when the phone is valid and new."""

    row: int
    fields: dict[str, str]
    phone: str  # the raw cell, as written
    e164: str | None
    kind: str | None
    legacy_mobile: bool
    reason: str | None
    source: str | None = None  # the column the number came from (`phone_source`)

    @property
    def valid(self) -> bool:
        return self.reason is None


@dataclass
class Summary:
    """Counts for CLI.md's summary: `invalid` includes duplicates and opt-outs."""

    total: int = 0
    valid: int = 0
    legacy_mobile: int = 0
    landlines: int = 0
    foreign: int = 0
    by_reason: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))

    def count(self, kinds: dict[str, int], legacy_mobiles: int, by_reason: dict[str, int]) -> None:
        """Add counts: valid rows by kind (KINDS), how many of them were legacy mobiles, invalid rows by reason."""
        valid = sum(kinds.values())
        self.total += valid + sum(by_reason.values())
        self.valid += valid
        self.legacy_mobile += legacy_mobiles
        self.landlines += kinds["landline"]
        self.foreign += kinds["foreign"]
        for reason, n in by_reason.items():
            self.by_reason[reason] += n

    @property
    def invalid(self) -> int:
        return self.total - self.valid

    @property
    def duplicates(self) -> int:
        return self.by_reason["duplicate"]

    def as_dict(self) -> dict:
        """`{"total","valid","invalid","duplicates","by_reason"}` plus `legacy_mobile`, `landlines`, `foreign`."""
        return {
            "total": self.total,
            "valid": self.valid,
            "invalid": self.invalid,
            "duplicates": self.duplicates,
            "by_reason": dict(self.by_reason),
            "legacy_mobile": self.legacy_mobile,
            "landlines": self.landlines,
            "foreign": self.foreign,
        }


def validate_rows(
    source: RowSource | Iterable[tuple[int, dict[str, str]]],
    *,
    options: ValidationOptions,
    optouts: set[str] | Callable[[str], bool] = frozenset(),
    summary: Summary | None = None,
    phone_columns: list[str] | None = None,
) -> Iterator[Checked]:
    """Check each row in order; every candidate column (and every number in a cell) is tried and
    the contact's number chosen (domain/candidates.py); the first occurrence of a chosen number
    wins, later ones are `duplicate`. A contact any of whose valid numbers is opted out is
    `opted_out` (a person who asked to leave meant every number).

    SUMMARY receives the counts of every row handed out once the rows end (read to the end, or
    the generator closed).

    Memory: only the numbers seen so far grow with the file, and barely: SeenNumbers keeps them
    (as ints) in a plain set up to 65,536, then in a 16 MiB table up to ~2 million, past which a
    number costs ~10 bytes (a set costs ~65: at a million rows the peak is 62 MiB, not 110).
    """
    columns = phone_columns or getattr(source, "phone_columns", None) or [source.phone_column]  # type: ignore[union-attr]
    opted_out = optouts.__contains__ if isinstance(optouts, (set, frozenset)) else optouts
    seen = SeenNumbers()
    first = seen.first
    ddd, foreign = options.default_ddd, options.allow_foreign
    single = columns[0] if len(columns) == 1 else None
    # The summary's counts, kept in locals (a method call per row costs more than the counting)
    # and added to SUMMARY when the rows end, however they end.
    kinds = dict.fromkeys(KINDS, 0)
    by_reason = dict.fromkeys(REASONS, 0)
    legacy_mobiles = 0
    try:
        for row, fields in source:
            if single is not None:
                raw = fields.get(single, "")
                # The common case, as choose_phone decides it for one column holding one number,
                # with the Brazilian digit rules' tuple instead of a Choice and a PhoneResult (the
                # fast path settles no cell that could hold several numbers).
                fast = fast_brazilian(raw) if raw else None
                if fast is not None:
                    e164, kind, legacy = fast
                    if opted_out(e164):
                        by_reason["opted_out"] += 1
                        yield Checked(row, fields, raw, e164, kind, legacy, "opted_out", single)
                        continue
                    if not first(int(e164)):  # E.164 is "+" and digits: its number, signed "+"
                        by_reason["duplicate"] += 1
                        yield Checked(row, fields, raw, e164, kind, legacy, "duplicate", single)
                        continue
                    kinds[kind] += 1
                    legacy_mobiles += legacy
                    yield Checked(row, fields, raw, e164, kind, legacy, None, single)
                    continue
                cells = [(single, raw)]
            else:
                cells = [(c, fields.get(c, "")) for c in columns]
            choice, result, reason = _decide(cells, ddd, foreign, opted_out, seen)
            if reason is None:
                kinds[result.kind] += 1
                legacy_mobiles += result.legacy_mobile
            else:
                by_reason[reason] += 1
            yield Checked(row, fields, choice.raw, result.e164, result.kind, result.legacy_mobile, reason, choice.source)
    finally:
        if summary is not None:
            summary.count(kinds, legacy_mobiles, by_reason)


# What check_records hands REJECT for each row that is not valid and new:
# (row, cells, raw phone, e164, kind, legacy_mobile, reason, source column).
Reject = Callable[[int, list[str], str, "str | None", "str | None", bool, str, "str | None"], None]


def check_records(
    records: Iterable[tuple[int, list[str]]],
    columns: list[str],
    phone_columns: list[str],
    *,
    options: ValidationOptions,
    optouts: set[str] | Callable[[str], bool] = frozenset(),
    summary: Summary | None = None,
    reject: Reject | None = None,
) -> Iterator[tuple[str, str, str | None, list[str]]]:
    """validate_rows for rows read as lists of cells (TableSource.records(), one cell per column
    of COLUMNS): the same checks, counts and order, without a dict or a Checked per row. Yields
    `(e164, kind, source column, cells)` of each valid row; every other row goes to REJECT (in
    file order too) instead. validate_rows' fast path is repeated here, not shared: a call per row
    would cost more than the rest of it."""
    index = {c: i for i, c in enumerate(columns)}
    opted_out = optouts.__contains__ if isinstance(optouts, (set, frozenset)) else optouts
    check_optouts = not isinstance(optouts, (set, frozenset)) or bool(optouts)
    seen = SeenNumbers()
    first = seen.first
    ddd, foreign = options.default_ddd, options.allow_foreign
    single = phone_columns[0] if len(phone_columns) == 1 else None
    at = index[single] if single is not None else -1
    where = [(c, index[c]) for c in phone_columns]
    kinds = dict.fromkeys(KINDS, 0)
    by_reason = dict.fromkeys(REASONS, 0)
    legacy_mobiles = 0
    try:
        for row, values in records:
            if at >= 0:
                raw = values[at]
                fast = fast_brazilian(raw) if raw else None
                if fast is not None:
                    e164, kind, legacy = fast
                    if check_optouts and opted_out(e164):
                        by_reason["opted_out"] += 1
                        if reject is not None:
                            reject(row, values, raw, e164, kind, legacy, "opted_out", single)
                        continue
                    if not first(int(e164)):  # E.164 is "+" and digits: its number, signed "+"
                        by_reason["duplicate"] += 1
                        if reject is not None:
                            reject(row, values, raw, e164, kind, legacy, "duplicate", single)
                        continue
                    kinds[kind] += 1
                    legacy_mobiles += legacy
                    yield e164, kind, single, values
                    continue
                cells = [(single, raw)]
            else:
                cells = [(c, values[i]) for c, i in where]
            choice, result, reason = _decide(cells, ddd, foreign, opted_out, seen)
            if reason is None:
                kinds[result.kind] += 1
                legacy_mobiles += result.legacy_mobile
                yield result.e164, result.kind, choice.source, values
                continue
            by_reason[reason] += 1
            if reject is not None:
                reject(row, values, choice.raw, result.e164, result.kind, result.legacy_mobile, reason, choice.source)
    finally:
        if summary is not None:
            summary.count(kinds, legacy_mobiles, by_reason)


def _decide(cells: list[tuple[str, str]], ddd: str, foreign: bool, opted_out: Callable[[str], bool], seen: SeenNumbers):
    """The full rules for one row (choose_phone): `(choice, result, reason)`, REASON None when the
    number is valid, not opted out and new (then added to SEEN)."""
    choice = choose_phone(cells, default_ddd=ddd, allow_foreign=foreign)
    result = choice.result
    reason, e164 = result.reason, result.e164
    if reason is None:
        if opted_out(e164) or any(opted_out(other) for other in choice.others):
            reason = "opted_out"
        elif not seen.first(int(e164)):  # E.164 is "+" and digits: its number, signed "+"
            reason = "duplicate"
    return choice, result, reason


def resolve_options(defaults, *, default_ddd: str | None, allow_foreign: bool, include_landlines: bool) -> ValidationOptions:
    """Command-line flags over the `[contacts]` settings; a default DDD must be one in use."""
    from nexus_blast.domain.phones import is_ddd
    from nexus_blast.errors import InputError
    from nexus_blast.i18n import _

    ddd = (default_ddd if default_ddd is not None else defaults.default_ddd).strip().lstrip("0")
    if ddd and not is_ddd(ddd):
        raise InputError(_("default DDD {ddd!r} is not an area code in use in Brazil").format(ddd=ddd))
    return ValidationOptions(
        default_ddd=ddd,
        allow_foreign=allow_foreign or defaults.allow_foreign,
        include_landlines=include_landlines or defaults.include_landlines,
    )
