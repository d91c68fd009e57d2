"""`blast webhook serve` (receive WAHA events) and `blast campaign sync` (poll them instead)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from nexus_blast.cli.output import info, print_json, table
from nexus_blast.cli.state import current
from nexus_blast.i18n import N_, _

webhook_app = typer.Typer(help=N_("Receive WAHA webhook events: acks, status, opt-outs."), no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout."))]


@webhook_app.command("serve")
def serve(
    host: Annotated[Optional[str], typer.Option("--host", help=N_("Address to listen on (default: webhook.host)."), show_default=False)] = None,
    port: Annotated[Optional[int], typer.Option("--port", min=0, max=65535, help=N_("Port (default: webhook.port)."), show_default=False)] = None,
) -> None:
    """Receive WAHA events on POST /webhook.

    Receipts, session status, opt-out keywords."""
    from nexus_blast.errors import InputError
    from nexus_blast.webhook.server import run_receiver

    state = current()
    settings = state.settings()
    host = host or settings.webhook.host
    port = settings.webhook.port if port is None else port
    try:
        run_receiver(state.db(), settings, host, port, info)
    except OSError as exc:
        raise InputError(_("cannot listen on {address} ({reason})").format(address=f"{host}:{port}", reason=exc.strerror or exc), hint=_("choose another --port")) from None


def sync(
    campaign_id: Annotated[int, typer.Argument(metavar="ID", min=1, max=2**63 - 1, help=N_("Campaign id."), show_default=False)],
    json: JsonOpt = False,
) -> None:
    """Fill delivered/read receipts and replies by polling WAHA.

    For sites WAHA's webhooks cannot reach."""
    from nexus_blast.waha.client import run_sync
    from nexus_blast.webhook.sync import sync_campaign

    state = current()
    result = run_sync(sync_campaign(state.db(), state.settings(), campaign_id))
    if json:
        print_json(result.document())
    else:
        table(
            _("campaign {id}").format(id=campaign_id),
            # "receipts updated", not "updated": contacts' "updated" is a date ("atualizada em")
            [N_("checked"), N_("receipts updated"), N_("delivered"), N_("read"), N_("new replies"), N_("new opt-outs")],
            [[result.checked, result.updated, result.delivered, result.read, result.replies, result.optouts]],
        )
    for error in result.errors:
        info(_("session {name}: {message}").format(name=error["session"], message=error["message"]))
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def register(app: typer.Typer) -> None:
    from nexus_blast.cli.campaigns import campaign_app

    app.add_typer(webhook_app, name="webhook")
    campaign_app.command("sync")(sync)
