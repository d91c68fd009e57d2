"""`blast session ...`: WhatsApp sessions on WAHA servers."""

from __future__ import annotations

import typer

session_app = typer.Typer(help="WhatsApp sessions on WAHA servers: add, pair, start, stop, health.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(session_app, name="session")
