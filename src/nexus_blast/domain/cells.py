"""Spreadsheet cells in the CSV files blast writes (`campaign report`, `validate --output/--rejects`):
text a spreadsheet would run as a formula is written with a leading apostrophe (OWASP's advice),
and blast reading its own files back drops that apostrophe again."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula: text starting with = + - @ (or a tab or
    carriage return) gets a leading apostrophe — `+5511…` too, so every such cell reads the same."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape_cell(text: str) -> str:
    """TEXT as it was before `escape_cell` (an apostrophe followed by a formula start is dropped)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
