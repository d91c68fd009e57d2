"""Rendering: --json documents on stdout, human text and tables on stderr/stdout, confirmations."""

from __future__ import annotations

import json
import sys
from typing import Any

from nexus_blast.errors import InputError


def print_json(document: Any) -> None:
    """Exactly one JSON document on stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def console(stderr: bool = False):
    """A rich console bound to the current stdout/stderr (tests swap them)."""
    from rich.console import Console

    return Console(file=sys.stderr if stderr else sys.stdout, highlight=False, soft_wrap=True)


def info(message: str) -> None:
    """Human progress text: always stderr, so stdout stays machine-readable."""
    console(stderr=True).print(message)


def table(title: str | None, columns: list[str], rows: list[list[Any]], stderr: bool = False) -> None:
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    console(stderr=stderr).print(t)


def stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def confirm(question: str, yes: bool) -> None:
    """Ask before sending/deleting/overwriting; never prompt without a terminal."""
    if yes:
        return
    if not stdin_is_tty():
        raise InputError(f"{question} — stdin is not a terminal; pass --yes to confirm")
    import typer

    if not typer.confirm(question, default=False, err=True):
        raise InputError("cancelled: not confirmed")


def confirm_overwrite(yes: bool, *paths) -> None:
    """Existing output files are replaced only when confirmed (or --yes); None paths are skipped."""
    for path in paths:
        if path is not None and path.exists():
            confirm(f"Overwrite {path}?", yes)
