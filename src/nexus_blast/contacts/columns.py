"""Which columns hold a contact's phone: by name (best first), label columns skipped, then by what
the first rows' cells hold; and the columns that hold phones whatever their name (for hints)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from nexus_blast.domain.candidates import split_numbers
from nexus_blast.domain.phones import normalize_phone
from nexus_blast.errors import InputError
from nexus_blast.i18n import _

SAMPLE_ROWS = 200  # rows read ahead to judge the columns by their content

# Phone column names, best first; a column matches when one of its words is the keyword
# (optionally followed by digits: "telefone2"). "numero" only as the whole name (addresses have one).
PHONE_KEYWORDS = ("whatsapp", "whats", "wpp", "zap", "celular", "cel", "mobile", "telefone", "phone", "fone", "tel")
PHONE_WHOLE_NAMES = ("numero", "num", "nro")
# "Phone 1 - Type", "Phone 1 - Label", "Tipo de telefone": they hold Mobile/Work, never a number.
LABEL_WORDS = ("type", "label", "tipo", "rotulo")


def column_key(name: str) -> str:
    """Accents, case and punctuation ignored: "Nº WhatsApp" → "no whatsapp"."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.split(r"[^0-9a-z]+", plain)).strip()


def find_column(columns: Sequence[str], wanted: str) -> str | None:
    if wanted in columns:
        return wanted
    key = column_key(wanted)
    return next((c for c in columns if column_key(c) == key), None)


def detect_phone_column(columns: Sequence[str]) -> str | None:
    """The best phone column by name alone (None when no name looks like one)."""
    found = phone_columns_by_name(columns)
    return found[0] if found else None


def phone_columns_by_name(columns: Sequence[str]) -> list[str]:
    """Every column whose name says phone, best name first (then left to right); labels skipped."""
    ranked = []
    for position, column in enumerate(columns):
        key = column_key(column)
        rank = _phone_rank(key)
        if rank is not None and not _is_label(key):
            ranked.append((rank, position, column))
    return [column for _, _, column in sorted(ranked)]


def wanted_columns(name: str, columns: Sequence[str], wanted: str) -> list[str]:
    """`--phone-column A,B`: the named columns, in that order (InputError naming a missing one)."""
    found = []
    for part in (p.strip() for p in wanted.split(",")):
        if not part:
            continue
        column = find_column(columns, part)
        if column is None:
            raise InputError(_("{file}: no column {column!r} (columns: {columns})").format(file=name, column=part, columns=", ".join(columns)))
        if column not in found:
            found.append(column)
    if not found:
        raise InputError(_("--phone-column: no column name given"))
    return found


def choose_by_content(columns: Sequence[str], sample: Sequence[dict[str, str]]) -> list[str]:
    """The name-detected columns, minus those whose sampled cells are filled but never a phone
    (kept all the same when that would leave none: the rows then say why they are refused)."""
    by_name = phone_columns_by_name(columns)
    holding, blank = [], []
    for column in by_name:
        valid, filled = _score(column, sample, _looks_like_phone)
        if valid:
            holding.append(column)
        elif not filled:
            blank.append(column)
    return holding + blank or by_name[:1]


def phone_like_columns(columns: Sequence[str], sample: Sequence[dict[str, str]]) -> list[str]:
    """Columns (any name) where at least half the filled sampled cells hold a valid phone."""
    found = []
    for column in columns:
        valid, filled = _score(column, sample, _is_phone)
        if filled and valid * 2 >= filled:
            found.append(column)
    return found


def _is_phone(raw: str) -> bool:
    return normalize_phone(raw, allow_foreign=True).reason is None


def _looks_like_phone(raw: str) -> bool:
    """Digits in a phone's shape, valid or not (a number without DDD is still a phone column)."""
    return normalize_phone(raw, allow_foreign=True).reason != "not_a_number"


def _score(column: str, sample: Sequence[dict[str, str]], accept) -> tuple[int, int]:
    valid = filled = 0
    for fields in sample:
        cell = fields.get(column, "")
        if not cell.strip():
            continue
        filled += 1
        if any(accept(raw) for raw in split_numbers(cell)):
            valid += 1
    return valid, filled


def _is_label(key: str) -> bool:
    words = key.split()
    return bool(words) and (words[-1] in LABEL_WORDS or words[0] in LABEL_WORDS)


def _phone_rank(key: str) -> int | None:
    words = key.split()
    ranks = [
        i
        for i, keyword in enumerate(PHONE_KEYWORDS)
        if any(w == keyword or (w.startswith(keyword) and w[len(keyword) :].isdigit()) for w in words)
    ]
    if ranks:
        return min(ranks)
    if key.replace(" ", "") in PHONE_WHOLE_NAMES:
        return len(PHONE_KEYWORDS)
    return None
