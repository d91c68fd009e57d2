"""`blast validate`, `blast import`, `blast contacts`, `blast optout`."""

from __future__ import annotations

import typer

contacts_app = typer.Typer(help="Imported contact lists.", no_args_is_help=True)
optout_app = typer.Typer(help="The opt-out (suppression) list: numbers never messaged.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(contacts_app, name="contacts")
    app.add_typer(optout_app, name="optout")
