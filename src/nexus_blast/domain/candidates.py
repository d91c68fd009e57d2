"""A contact's phone among its candidates: several columns, several numbers per cell (pure, no I/O).

One message per contact: the first valid mobile (or allowed foreign number) among all candidates,
in column order and, inside a cell, in writing order, wins; a landline only when the contact has
no mobile at all (landlines stay valid; `send` skips them unless landlines are included). When no
candidate is valid, the contact's reason is the first non-empty candidate's (else `empty`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nexus_blast.domain.phones import PhoneResult, normalize_phone

# Separators people put between two numbers in one cell: Google's " ::: ", " / ", ";", newlines.
_SEPARATORS = re.compile(r"\s+:::\s+|:::|\s+/\s+|;|\r\n|\n|\r")
_COMMA = re.compile(r",")
_DIGITS = re.compile(r"\d")
_MIN_DIGITS = 8  # a piece shorter than a subscriber number is not a number of its own
_MAYBE_SEVERAL = frozenset(":/;,\n\r")
_EMPTY = PhoneResult(reason="empty")


@dataclass(frozen=True, slots=True)
class Choice:
    """The chosen number of one contact: RESULT (valid or the reason), from column SOURCE, as RAW;
    OTHERS are the contact's other valid numbers (E.164), e.g. for opt-out checks."""

    result: PhoneResult
    source: str | None
    raw: str
    others: tuple[str, ...] = ()


def split_numbers(cell: str) -> list[str]:
    """The numbers written in one cell: split on ` ::: `, ` / `, `;`, line breaks, and on commas
    when every piece is phone-sized (so `5,51199E+12` and `11987654321,0` stay whole)."""
    if not _MAYBE_SEVERAL.intersection(cell):
        return [cell]
    pieces = [p.strip() for p in _SEPARATORS.split(cell)]
    out: list[str] = []
    for piece in pieces:
        if "," in piece:
            parts = [p.strip() for p in _COMMA.split(piece)]
            if all(len(_DIGITS.findall(p)) >= _MIN_DIGITS for p in parts):
                out.extend(parts)
                continue
        if piece:
            out.append(piece)
    return out or [""]


def choose_phone(
    cells: Sequence[tuple[str, str]], *, default_ddd: str = "", allow_foreign: bool = False
) -> Choice:
    """CELLS are `(column, raw cell)` in order of preference → the contact's Choice."""
    if len(cells) == 1:  # the common case: one column, one number
        column, raw = cells[0]
        if not _MAYBE_SEVERAL.intersection(raw):
            return Choice(normalize_phone(raw, default_ddd=default_ddd, allow_foreign=allow_foreign), column, raw)
    best: Choice | None = None
    landline: Choice | None = None
    failed: Choice | None = None
    valid: list[str] = []
    for column, cell in cells:
        if not cell or not cell.strip():
            continue
        for raw in split_numbers(cell):
            result = normalize_phone(raw, default_ddd=default_ddd, allow_foreign=allow_foreign)
            if result.reason is not None:
                if failed is None and result.reason != "empty":
                    failed = Choice(result, column, raw)
                continue
            if result.e164 not in valid:
                valid.append(result.e164)
            if result.kind == "landline":
                landline = landline or Choice(result, column, raw)
            elif best is None:
                best = Choice(result, column, raw)
    chosen = best or landline
    if chosen is None:
        if failed is not None:
            return failed
        return Choice(_EMPTY, cells[0][0] if cells else None, "")
    others = tuple(e for e in valid if e != chosen.result.e164)
    return Choice(chosen.result, chosen.source, chosen.raw, others)
