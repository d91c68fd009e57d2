"""`blast sandbox serve`: a local WAHA-compatible server for trying campaigns without a phone."""

from __future__ import annotations

import typer

sandbox_app = typer.Typer(help="A local WAHA-compatible server for trying campaigns without a phone.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")
