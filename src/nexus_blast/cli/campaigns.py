"""`blast send` and `blast campaign ...`."""

from __future__ import annotations

import typer

campaign_app = typer.Typer(help="Campaigns: list, show, pause, resume, cancel, report.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(campaign_app, name="campaign")
