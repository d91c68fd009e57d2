"""`blast sandbox serve`: a local WAHA-compatible server for trying campaigns without a phone."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from nexus_blast.i18n import N_, _

sandbox_app = typer.Typer(help=N_("A local WAHA-compatible server: try without a phone."), no_args_is_help=True)


@sandbox_app.command("serve")
def serve(
    port: Annotated[int, typer.Option("--port", help=N_("Port to listen on (0: any free port)."), min=0, max=65535)] = 3000,
    host: Annotated[str, typer.Option("--host", help=N_("Address to listen on."))] = "127.0.0.1",
    sessions: Annotated[str, typer.Option("--sessions", metavar="NAME[,NAME…]", help=N_("Sessions to pre-create, paired and WORKING: a,b."))] = "",
    api_key: Annotated[Optional[str], typer.Option("--api-key", help=N_("Require this X-Api-Key (default: accept requests without a key)."), show_default=False)] = None,
    fail_rate: Annotated[float, typer.Option("--fail-rate", metavar="RATE", help=N_("Fraction of sends that fail with 500 (0-1)."), min=0.0, max=1.0)] = 0.0,
    latency_ms: Annotated[float, typer.Option("--latency-ms", metavar="MS", help=N_("Delay added to every API call."), min=0.0)] = 0.0,
    engine: Annotated[str, typer.Option("--engine", metavar="[WEBJS|NOWEB|GOWS]", help=N_("Engine whose send response shape to mimic."))] = "WEBJS",
    tier: Annotated[str, typer.Option("--tier", metavar="[PLUS|CORE]", help=N_("CORE: only session 'default', no media."))] = "PLUS",
    pair_after: Annotated[float, typer.Option("--pair-after", metavar="SECONDS", help=N_("Seconds after which a session waiting for its QR scan pairs by itself (0: never; POST /_sandbox/sessions/NAME/pair)."), min=0.0)] = 10.0,
    wait_scale: Annotated[float, typer.Option("--wait-scale", metavar="FACTOR", help=N_("Multiply WAHA's own waits (5 s for a stopped or missing session, 10 s while starting, 3-4 s to stop) by this; 0.1 for quick tries."), min=0.0)] = 1.0,
    offline: Annotated[bool, typer.Option("--offline", help=N_("Answer as a server with no route to WhatsApp: sessions stay STARTING."))] = False,
    version: Annotated[str, typer.Option("--waha-version", help=N_("WAHA version to report."))] = "2026.7.1",
) -> None:
    """Run a WAHA-compatible server until Ctrl-C.

    Sends are recorded, acks sent to webhooks, faults on request.

    Control API (no key): GET /_sandbox/sent, GET /_sandbox/webhooks, POST /_sandbox/faults,
    POST /_sandbox/sessions/NAME/pair, POST /_sandbox/sessions/NAME/status, POST /_sandbox/sessions/NAME/delete,
    POST /_sandbox/sessions/NAME/capping {"cappingStatus", "totalQuota", "usedQuota", "cycle_seconds"},
    POST /_sandbox/sessions/NAME/timelock {"seconds"} (WhatsApp's signals in `me`),
    GET /_sandbox/requests, POST /_sandbox/whatsapp. With --tier CORE, session 'default' exists from
    boot (STOPPED, no config) and every other name answers 422, as WAHA Core does.
    """
    from nexus_blast.errors import InputError
    from nexus_blast.cli.output import info
    from nexus_blast.serving import run_until_signal
    from nexus_blast.sandbox.server import SandboxServer
    from nexus_blast.sandbox.state import SandboxConfig

    names = tuple(s.strip() for s in sessions.split(",") if s.strip())
    try:
        config = SandboxConfig(
            api_key=api_key or "", sessions=names, engine=engine, tier=tier, fail_rate=fail_rate,
            latency_ms=latency_ms, pair_after=pair_after or None, wait_scale=wait_scale, offline=offline,
            version=version,
        )
    except ValueError as exc:
        from nexus_blast.i18n import reason

        raise InputError(reason(exc)) from None
    server = SandboxServer(config, host=host, port=port)

    def announce(url: str) -> None:
        listed = ", ".join(names) if names else _("none yet")
        info(_("WAHA sandbox listening on {url}  (engine {engine}, tier {tier}, sessions: {sessions})").format(
            url=url, engine=config.engine, tier=config.tier, sessions=listed))
        info(_("API key required (X-Api-Key)") if api_key else _("no API key required"))
        command = f"blast session add NAME --url {url}" + (" --api-key KEY" if api_key else "")
        info(_("try: {command}   — Ctrl-C stops it").format(command=command))

    try:
        run_until_signal(server, announce)
    except OSError as exc:
        raise InputError(_("cannot listen on {address} ({reason})").format(address=f"{host}:{port}", reason=exc.strerror or exc), hint=_("choose another --port")) from None
    info(_("sandbox stopped"))


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")
