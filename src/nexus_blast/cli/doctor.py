"""`blast doctor`: checks the config, database, window, sessions, webhook receivers and AI provider."""

from __future__ import annotations

from typing import Annotated

import typer

from nexus_blast.cli.output import print_json, table
from nexus_blast.cli.state import current
from nexus_blast.i18n import N_


def doctor(
    json: Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout."))] = False,
) -> None:
    """Check that this machine can send.

    Config, database, window, sessions, webhooks, AI.

    Exit 0 when all is ok, 1 with warnings, 3 when something fails (each failure says its fix).
    """
    from nexus_blast.doctor import exit_code, run_checks

    state = current()
    checks = run_checks(state.paths, state.settings)
    code = exit_code(checks)
    if json:
        print_json({"ok": code == 0, "exit_code": code, "checks": [c.as_dict() for c in checks]})
    else:
        table(None, [N_("check"), "", N_("what"), N_("fix")], [[c.check, c.level, c.message, c.fix] for c in checks])
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
