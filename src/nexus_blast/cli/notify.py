"""`blast notify ...`: the operator notifications ([notify] settings)."""

from __future__ import annotations

from typing import Annotated

import typer

from nexus_blast.cli.output import info, print_json
from nexus_blast.cli.state import current
from nexus_blast.i18n import N_, _

notify_app = typer.Typer(help=N_("Operator notifications: WhatsApp or a signed POST.\n\nFor scheduled campaigns (run-due/worker): paused, failed, completed, a lane braked or timelocked."), no_args_is_help=True)


@notify_app.command("test")
def test(
    json: Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout."))] = False,
) -> None:
    """Send a test notification on every channel now.

    Exit 3 when one fails."""
    from nexus_blast.errors import ConfigError, ExitCode
    from nexus_blast.notify import Event, deliver, enabled

    state = current()
    settings = state.settings()
    if not enabled(settings):
        raise ConfigError(
            _("no notification channel is configured"),
            hint=_("set notify.whatsapp and/or notify.url in {path}").format(path=state.paths.config),
        )
    event = Event("test", 0, _("a test from blast notify test: notifications reach you"))
    results = deliver(settings, event)  # now, unpaced: a person is waiting for it
    ok = all(r.ok for r in results)
    if json:
        print_json({"ok": ok, "channels": [r.as_dict() for r in results]})
    else:
        for r in results:
            info(f"{r.channel}: " + (_("sent to {detail}").format(detail=r.detail) if r.ok else _("failed: {error}").format(error=r.error)))
    if not ok:
        raise typer.Exit(int(ExitCode.DEPENDENCY))


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")
