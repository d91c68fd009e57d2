"""`blast webhook serve`: receive WAHA events."""

from __future__ import annotations

import typer

webhook_app = typer.Typer(help="Receive WAHA webhook events (acks, session status, opt-outs).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(webhook_app, name="webhook")
