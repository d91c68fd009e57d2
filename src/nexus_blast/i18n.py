"""Translation of human-facing text (gettext). Wrap every text a person reads in `_()` (and counts in
`ngettext`); `--json` documents, field names, status values and reason codes are never translated.

This module is the single entry point; the catalogs (pt-BR) and the language choice live here."""

from __future__ import annotations


def _(message: str) -> str:
    """MESSAGE in the user's language."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """SINGULAR or PLURAL (by N) in the user's language."""
    return singular if n == 1 else plural
