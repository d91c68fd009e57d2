"""The opt-out list (LGPD): numbers from the command line or a CSV, normalised, then stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nexus_blast.domain.phones import normalize_phone
from nexus_blast.errors import InputError
from nexus_blast.i18n import _, ngettext

SHOWN = 5


@dataclass
class OptoutChange:
    """The outcome of `optout add` / `optout remove`."""

    phones: list[str] = field(default_factory=list)  # E.164, in the order given, without repeats
    changed: int = 0  # added (or removed)
    unchanged: list[str] = field(default_factory=list)  # already there (or not there)


def parse_phones(values: Iterable[tuple[str, str]], *, default_ddd: str = "", action: str = "stored") -> list[str]:
    """`(label, raw)` pairs → unique E.164 numbers; InputError naming every bad one if any is bad.

    Foreign numbers are accepted: suppressing a number is never harmful.
    """
    phones: dict[str, None] = {}
    bad: list[str] = []
    for label, raw in values:
        result = normalize_phone(raw, default_ddd=default_ddd, allow_foreign=True)
        if result.e164 is None:
            bad.append(f"{label} ({result.reason})")
        else:
            phones[result.e164] = None
    if bad:
        shown = ", ".join(bad[:SHOWN])
        if len(bad) > SHOWN:
            shown = _("{numbers} and {count} more").format(numbers=shown, count=len(bad) - SHOWN)
        if action == "removed":
            message = ngettext("invalid phone number, nothing removed: {numbers}", "invalid phone numbers, nothing removed: {numbers}", len(bad))
        else:
            message = ngettext("invalid phone number, nothing stored: {numbers}", "invalid phone numbers, nothing stored: {numbers}", len(bad))
        raise InputError(message.format(numbers=shown))
    return list(phones)


def phones_from_args(args: list[str], file: Path | str | None, *, default_ddd: str = "", action: str = "stored") -> list[str]:
    """Numbers from the command line and from the phone column of FILE ("-" = stdin)."""
    pairs: list[tuple[str, str]] = [(repr(a), a) for a in args]
    if file is not None:
        from nexus_blast.contacts.reader import read_rows

        source = read_rows(file)
        with source:
            for row, fields in source:
                pairs += [(_("{file} row {row}: {phone!r}").format(file=source.name, row=row, phone=raw), raw) for raw in _row_numbers(source.phone_columns, fields, default_ddd)]
    if not pairs:
        raise InputError(_("no phone numbers given"), hint=_("pass PHONE... or --file CSV"))
    return parse_phones(pairs, default_ddd=default_ddd, action=action)


def _row_numbers(columns: list[str], fields: dict[str, str], default_ddd: str) -> list[str]:
    """Every valid number of a contact (each candidate column, each number in a cell): suppressing
    a person means all their numbers; with none valid, the first cell, so its reason is shown."""
    from nexus_blast.domain.candidates import split_numbers

    written = [n for c in columns for n in split_numbers(fields.get(c, "")) if n.strip()]
    valid = [n for n in written if normalize_phone(n, default_ddd=default_ddd, allow_foreign=True).valid]
    return valid or written[:1] or [fields.get(columns[0], "")]


def add(db, phones: list[str], reason: str) -> OptoutChange:
    """Opt PHONES out; their messages still pending in any campaign become skipped (`opted_out`)."""
    from nexus_blast.domain.messages import SkipReason
    from nexus_blast.store.contacts import add_optouts, is_opted_out
    from nexus_blast.store.db import utcnow
    from nexus_blast.store.delivery import skip_pending

    already = [p for p in phones if is_opted_out(db, p)]
    added = add_optouts(db, phones, reason)
    now = utcnow()
    for phone in phones:
        skip_pending(db, phone, str(SkipReason.OPTED_OUT), now)
    return OptoutChange(phones=phones, changed=added, unchanged=already)


def remove(db, phones: list[str]) -> OptoutChange:
    from nexus_blast.store.contacts import remove_optout

    missing = [p for p in phones if not remove_optout(db, p)]
    return OptoutChange(phones=phones, changed=len(phones) - len(missing), unchanged=missing)
