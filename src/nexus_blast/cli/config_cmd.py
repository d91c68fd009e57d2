"""`blast init` and `blast config show|path`."""

from __future__ import annotations

from typing import Annotated

import typer

from nexus_blast.cli.output import confirm, info, print_json, table
from nexus_blast.cli.state import current
from nexus_blast.i18n import N_, _

JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout."))]

config_app = typer.Typer(help=N_("Show where the configuration lives and what it says."), no_args_is_help=True)


def init(
    force: Annotated[bool, typer.Option("--force", help=N_("Overwrite an existing config file."))] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask for confirmation."))] = False,
    json: JsonOpt = False,
) -> None:
    """Write a starter config (mode 0600) and create the database."""
    from nexus_blast.config import starter_text, write_private

    state = current()
    path = state.paths.config
    wrote = False
    if path.exists() and force:
        confirm(_("Overwrite {path}?").format(path=path), yes)
    if not path.exists() or force:
        write_private(path, starter_text())
        wrote = True
    state.settings()  # validates the file that is there now
    state.db()
    if json:
        print_json({"config": str(path), "db": str(state.paths.db), "config_written": wrote})
        return
    info((_("wrote config: {path}") if wrote else _("kept existing config: {path}")).format(path=path))
    info(_("database ready: {path}").format(path=state.paths.db))
    info(_("next: blast session add NAME --url URL   (or try: blast sandbox serve)"))


@config_app.command("show")
def show(json: JsonOpt = False) -> None:
    """Print the effective configuration, secrets masked.

    The file plus the BLAST_* environment."""
    from nexus_blast.config import masked

    data = masked(current().settings().model_dump())
    if json:
        print_json(data)
        return
    rows = [[key, value] for key, value in _flatten(data)]
    table(None, [N_("key"), N_("value")], rows)


def _flatten(data: dict, prefix: str = ""):
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _flatten(value, name + ".")
        else:
            yield name, value


@config_app.command("path")
def path(json: JsonOpt = False) -> None:
    """Print the config file and database paths in use."""
    paths = current().paths
    if json:
        print_json({"config": str(paths.config), "db": str(paths.db)})
        return
    typer.echo(f"config: {paths.config}")
    typer.echo(f"db:     {paths.db}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(config_app, name="config")
