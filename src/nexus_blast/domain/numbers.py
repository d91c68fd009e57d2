"""Numbers as people type and read them: a decimal comma or point on the way in (`30,5`), and the
thousands/decimal separators of a language on the way out (`1.234,5` in pt-BR) (pure)."""

from __future__ import annotations

from dataclasses import dataclass


def parse_decimal(text: str) -> float:
    """TEXT as a number, with a decimal point (`30.5`) or a decimal comma (`30,5`); raises
    ValueError for anything float() refuses, or for both separators / several commas (`1.234,5` is
    ambiguous in a delay: refused rather than guessed)."""
    raw = str(text).strip()
    if "," in raw:
        if "." in raw or raw.count(",") > 1:
            raise ValueError(f"not a number: {raw!r}")
        raw = raw.replace(",", ".")
    return float(raw)


def decimal_point(value):
    """VALUE with a decimal comma written as a point (`"2,5"` → `"2.5"`), for a parser that only
    knows points; anything else (other text, numbers, None) as it is."""
    if isinstance(value, str):
        text = value.strip()
        whole, comma, frac = text.partition(",")
        if comma and frac.isdigit() and (whole.lstrip("+-").isdigit() or whole.lstrip("+-") == "") and "," not in frac:
            return f"{whole}.{frac}"
    return value


@dataclass(frozen=True)
class NumberStyle:
    """How a language writes numbers: the thousands separator and the decimal mark."""

    thousands: str
    decimal: str


ENGLISH = NumberStyle(",", ".")
BRAZILIAN = NumberStyle(".", ",")


def format_number(value: float | int, style: NumberStyle, decimals: int | None = None) -> str:
    """VALUE with STYLE's separators: integers grouped by thousands (`1.234`); a float with
    DECIMALS places, or (None) as few as it needs, up to 2 (`1.234,5`)."""
    if isinstance(value, bool) or not isinstance(value, float):
        if decimals is None:
            return _group(str(abs(int(value))), style, int(value) < 0)
        value = float(value)
    if value != value or value in (float("inf"), float("-inf")):  # nan, inf: as Python writes them
        return str(value)
    text = f"{abs(value):.{2 if decimals is None else decimals}f}"
    whole, _, frac = text.partition(".")
    if decimals is None:
        frac = frac.rstrip("0")
    negative = value < 0 and any(c != "0" for c in whole + frac)
    grouped = _group(whole, style, negative)
    return grouped + (style.decimal + frac if frac else "")


def _group(digits: str, style: NumberStyle, negative: bool) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ("-" if negative else "") + style.thousands.join(parts)
