"""Rendering: --json documents on stdout, human text and tables on stderr/stdout, confirmations."""

from __future__ import annotations

import json
import sys
from typing import Any

from nexus_blast.errors import InputError
from nexus_blast.i18n import _, english


def print_json(document: Any) -> None:
    """Exactly one JSON document on stdout, in English whatever the language (a translated
    i18n.Message in it is written as its English)."""
    sys.stdout.write(json.dumps(_english(document), ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def _english(value: Any) -> Any:
    if isinstance(value, str):
        return english(value)
    if isinstance(value, dict):
        return {english(k): _english(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_english(v) for v in value]
    return value


def console(stderr: bool = False):
    """A rich console bound to the current stdout/stderr (tests swap them)."""
    from rich.console import Console

    return Console(file=sys.stderr if stderr else sys.stdout, highlight=False, soft_wrap=True)


def info(message: str) -> None:
    """Human progress text: always stderr, so stdout stays machine-readable."""
    console(stderr=True).print(message)


def decimal_mark(text: str) -> str:
    """Numbers as Python wrote them (`0.05`, `30-60.5`, `{x:g}`: no thousands separator) with the
    user's decimal mark: `0,05` in pt-BR (an i18n.Message that keeps `0.05` for --json and --log-json)."""
    from nexus_blast import i18n

    return i18n.Message(text.replace(".", ","), text) if i18n.language() == i18n.PORTUGUESE else text


SHORT_CELL = 24  # a column whose cells all fit this (phones, ids, counts, dates) is never cut


def table(title: str | None, columns: list[str], rows: list[list[Any]], stderr: bool = False) -> None:
    """A table on a terminal (fitted to its width: long cells are cut with '…', short ones never);
    piped, tab-separated rows under a header line (like gh), the title on stderr."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    stream = sys.stderr if stderr else sys.stdout
    if not _is_terminal(stream):
        if title:
            sys.stderr.write(title + "\n")
        for line in ([columns] if any(columns) else []) + cells:
            stream.write("\t".join(_tsv_cell(c) for c in line) + "\n")
        stream.flush()
        return
    from rich.console import Console
    from rich.table import Table

    out = Console(file=stream, highlight=False)  # not soft-wrapped: the table fits the width
    columns = [_(c) if c else c for c in columns]  # headers are for people here (piped: as given, for scripts)
    widths = _fit([max([len(col)] + [len(row[i]) for row in cells if i < len(row)]) for i, col in enumerate(columns)], out.width)
    t = Table(title=title, title_justify="left")
    for col, width in zip(columns, widths):
        t.add_column(col, no_wrap=True, overflow="ellipsis", min_width=width, max_width=width)
    for row in cells:
        t.add_row(*row)
    out.print(t)


def _fit(widest: list[int], total: int) -> list[int]:
    """Column widths within TOTAL characters (borders and padding counted): short columns keep
    their width, the long ones share what is left (each at least 8)."""
    room = total - (3 * len(widest) + 1)
    long = [i for i, w in enumerate(widest) if w > SHORT_CELL]
    if sum(widest) <= room or not long:
        return widest
    left = max(room - sum(w for i, w in enumerate(widest) if i not in long), 8 * len(long))
    widths = list(widest)
    for n, i in enumerate(sorted(long, key=lambda i: widest[i])):  # narrow ones first: they may not need a share
        widths[i] = max(8, min(widest[i], left // (len(long) - n)))
        left -= widths[i]
    return widths


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _tsv_cell(text: str) -> str:
    return " ".join(text.split()) if any(c in text for c in "\t\r\n") else text


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
        raise InputError(_("{question} — stdin is not a terminal; pass --yes to confirm").format(question=question))
    import typer

    if not typer.confirm(question, default=False, err=True):
        raise InputError(_("cancelled: not confirmed"))


def confirm_overwrite(yes: bool, *paths) -> None:
    """Existing output files are replaced only when confirmed (or --yes); None paths are skipped."""
    for path in paths:
        if path is not None and path.exists():
            confirm(_("Overwrite {path}?").format(path=path), yes)
