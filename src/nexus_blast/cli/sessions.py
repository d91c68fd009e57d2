"""`blast session ...`: WhatsApp sessions on WAHA servers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from nexus_blast.cli import complete
from nexus_blast.cli.output import confirm, info, print_json, table
from nexus_blast.cli.state import current
from nexus_blast.i18n import N_, _
from nexus_blast.masking import mask_url

session_app = typer.Typer(help=N_("WhatsApp sessions on WAHA servers: add, pair, health."), no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout."))]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask for confirmation."))]
NameArg = Annotated[str, typer.Argument(metavar="NAME", help=N_("Local session name."), show_default=False, autocompletion=complete.session_names)]
ApiKeyOpt = Annotated[Optional[str], typer.Option("--api-key", help=N_("WAHA API key (stored in the 0600 config file)."), show_default=False)]
ApiKeyEnvOpt = Annotated[Optional[str], typer.Option("--api-key-env", metavar="VAR", help=N_("Environment variable holding the API key (nothing stored)."), show_default=False)]
WebhookOpt = Annotated[Optional[str], typer.Option("--webhook", metavar="URL", help=N_("URL WAHA posts events to (message, message.ack, session.status)."), show_default=False)]
HmacOpt = Annotated[Optional[str], typer.Option("--webhook-hmac-key", help=N_("Key WAHA signs webhook bodies with (X-Webhook-Hmac, sha512)."), show_default=False)]
WeightOpt = Annotated[Optional[float], typer.Option("--weight", help=N_("Share of a campaign's messages relative to other sessions."), min=0.01, show_default=False)]
WarmOpt = Annotated[Optional[bool], typer.Option("--warm/--no-warm", help=N_("An established number (no warm-up ramp), or not."), show_default=False)]
WarmupStartOpt = Annotated[Optional[int], typer.Option("--warmup-start", metavar="N", help=N_("Day 1 of this number's warm-up ramp (default: warmup.start)."), min=1, show_default=False)]
CapOpt = Annotated[Optional[int], typer.Option("--daily-cap", help=N_("At most this many messages a day from this number."), min=1, show_default=False)]


def _settings():
    return current().settings()


def _configured(name: str):
    return _settings().session(name)  # ConfigError (exit 2) when unknown


def _run(coro):
    from nexus_blast.waha.client import run_sync

    return run_sync(coro)


def _sent_today() -> dict[str, int]:
    from nexus_blast import clock

    from nexus_blast.store.sessions import sent_today_counts

    return sent_today_counts(current().db(), _settings().general.timezone, clock.now())


def _ramps(names) -> dict[str, dict]:
    """{session: {"effective_cap", "ramp_day"}}: today's cap after warm-up, and the ramp's day
    (None when warm)."""
    from nexus_blast import clock
    from nexus_blast.campaigns.warmup import local_today, ramp

    settings, db = _settings(), current().db()
    today = local_today(settings, clock.now())
    out = {}
    for name in names:
        r = ramp(settings, db, name, today)
        out[name] = {"effective_cap": r.cap, "ramp_day": r.day}
    return out


def _set_warmup(entry, warm: bool | None, warmup_start: int | None) -> None:
    if warm is not None:
        entry["warm"] = warm
    if warmup_start is not None:
        entry["warmup_start"] = warmup_start


def _edit(mutate) -> None:
    """Apply MUTATE(sessions table) to the config file, comments kept, written 0600."""
    import tomlkit

    from nexus_blast.config import read_document, write_document

    path = current().paths.config
    document = read_document(path)
    if "sessions" not in document:
        document["sessions"] = tomlkit.table(is_super_table=True)
    mutate(document["sessions"])
    write_document(path, document)
    current().reload_settings()


def _session_table(url, waha_session, name, api_key, api_key_env, weight, daily_cap, webhook, hmac_key, base=None):
    import tomlkit

    entry = base if base is not None else tomlkit.table()
    entry["url"] = url
    if waha_session and waha_session != name:
        entry["waha_session"] = waha_session
    for key, value in (("api_key", api_key), ("api_key_env", api_key_env)):
        if value is not None:
            entry[key] = value
    if api_key:  # one source of truth for the key
        entry.pop("api_key_env", None)
    if api_key_env:
        entry.pop("api_key", None)
    for key, value in (("weight", weight), ("daily_cap", daily_cap), ("webhook_url", webhook), ("webhook_hmac_key", hmac_key)):
        if value is not None:
            entry[key] = value
    return entry


ADD_EXAMPLES = N_("""Examples:
  blast session add loja --url http://127.0.0.1:3000 --api-key-env WAHA_KEY
  # a second number on another server, with blast's webhook receiver
  blast session add filial --url https://waha.example.com --api-key-env WAHA_KEY \\
      --webhook https://blast.example.com/webhook --daily-cap 200
  blast session pair loja""")

PAIR_EXAMPLES = N_("""Examples:
  blast session pair loja
  # the QR does not scan (the terminal did not apply its colours)
  blast session pair loja --invert
  # no room for the QR: a code to type on the phone, or a PNG to open
  blast session pair loja --code 5511987654321
  blast session pair loja --png qr.png""")


@session_app.command("add", epilog=ADD_EXAMPLES)
def add(
    name: NameArg,
    url: Annotated[str, typer.Option("--url", help=N_("WAHA server URL, e.g. http://127.0.0.1:3000."))],
    api_key: ApiKeyOpt = None,
    api_key_env: ApiKeyEnvOpt = None,
    waha_session: Annotated[Optional[str], typer.Option("--waha-session", metavar="NAME", help=N_("Session name on the server (default: NAME)."), show_default=False)] = None,
    weight: WeightOpt = None,
    daily_cap: CapOpt = None,
    webhook: WebhookOpt = None,
    webhook_hmac_key: HmacOpt = None,
    warm: WarmOpt = None,
    warmup_start: WarmupStartOpt = None,
    no_check: Annotated[bool, typer.Option("--no-check", help=N_("Only write the config; do not contact the server."))] = False,
    yes: YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Register a WAHA session and set its webhook.

    Checks the server and creates the session there when missing."""
    from nexus_blast.config import SessionConfig
    from nexus_blast.errors import InputError
    from nexus_blast.waha import sessions as ops

    ops.check_name(name)
    wname = ops.check_name(waha_session or name, on_server=True)
    url = ops.check_url(url)
    if api_key and api_key_env:
        raise InputError(_("give --api-key or --api-key-env, not both"))
    if webhook_hmac_key and not webhook:
        raise InputError(_("--webhook-hmac-key needs --webhook"))
    if name in _settings().sessions:
        confirm(_("Session {name!r} exists; overwrite it?").format(name=name), yes)
    cfg = SessionConfig(url=url, waha_session=wname, api_key=api_key or "", api_key_env=api_key_env or "",
                        webhook_url=webhook or "", webhook_hmac_key=webhook_hmac_key or "")
    status, created, server = "UNCHECKED", False, {}
    if not no_check:
        done = _run(ops.register(name, cfg, webhook_url=webhook or "", hmac_key=webhook_hmac_key or "",
                                 waha_settings=_settings().waha))
        status, created, server = str(done.info.get("status") or ""), done.created, done.server

    def mutate(sessions):
        sessions[name] = _session_table(url, wname, name, api_key, api_key_env, weight, daily_cap, webhook, webhook_hmac_key)
        _set_warmup(sessions[name], warm, warmup_start)

    _edit(mutate)
    result = {"name": name, "url": mask_url(url), "waha_session": wname, "status": status, "created_on_server": created,
              "webhook": mask_url(webhook or ""), "server_version": server.get("version"), "engine": server.get("engine"),
              "tier": server.get("tier")}
    if json:
        print_json(result)
        return
    if created:
        info(_("session {name!r} added: {url} session {waha!r} (created on the server), status {status}").format(
            name=name, url=mask_url(url), waha=wname, status=status))
    else:
        info(_("session {name!r} added: {url} session {waha!r}, status {status}").format(
            name=name, url=mask_url(url), waha=wname, status=status))
    if status in ("SCAN_QR_CODE", "STARTING"):
        info(_("next: blast session pair {name}").format(name=name))


@session_app.command("update")
def update(
    name: NameArg,
    url: Annotated[Optional[str], typer.Option("--url", help=N_("New WAHA server URL."), show_default=False)] = None,
    api_key: ApiKeyOpt = None,
    api_key_env: ApiKeyEnvOpt = None,
    weight: WeightOpt = None,
    daily_cap: CapOpt = None,
    webhook: WebhookOpt = None,
    webhook_hmac_key: HmacOpt = None,
    no_webhook: Annotated[bool, typer.Option("--no-webhook", help=N_("Remove blast's webhook from the server session."))] = False,
    warm: WarmOpt = None,
    warmup_start: WarmupStartOpt = None,
    json: JsonOpt = False,
) -> None:
    """Change a session's settings.

    Webhook changes are written to the server session too."""
    from nexus_blast.errors import InputError
    from nexus_blast.waha import sessions as ops

    cfg = _configured(name)
    if api_key and api_key_env:
        raise InputError(_("give --api-key or --api-key-env, not both"))
    if no_webhook and webhook:
        raise InputError(_("give --webhook or --no-webhook, not both"))
    new_url = ops.check_url(url) if url else cfg.url
    updates = {"url": new_url}
    if api_key is not None:
        updates.update(api_key=api_key, api_key_env="")
    if api_key_env is not None:
        updates.update(api_key_env=api_key_env, api_key="")
    if no_webhook:
        updates.update(webhook_url="", webhook_hmac_key="")
    if webhook is not None:
        updates.update(webhook_url=webhook, webhook_hmac_key=webhook_hmac_key if webhook_hmac_key is not None else cfg.webhook_hmac_key)
    elif webhook_hmac_key is not None:
        updates.update(webhook_hmac_key=webhook_hmac_key)
    new_cfg = cfg.model_copy(update=updates)
    webhook_changed = (new_cfg.webhook_url, new_cfg.webhook_hmac_key) != (cfg.webhook_url, cfg.webhook_hmac_key)
    if webhook_changed:
        if new_cfg.webhook_hmac_key and not new_cfg.webhook_url:
            raise InputError(_("--webhook-hmac-key needs a webhook (--webhook URL)"))
        _run(ops.register(name, new_cfg, webhook_url=new_cfg.webhook_url, hmac_key=new_cfg.webhook_hmac_key,
                          previous_webhook=cfg.webhook_url if cfg.webhook_url != new_cfg.webhook_url or no_webhook else "",
                          waha_settings=_settings().waha))

    def mutate(sessions):
        entry = sessions[name]
        for key, value in updates.items():
            if value in ("", None) and key != "url":
                entry.pop(key, None)
            else:
                entry[key] = value
        for key, value in (("weight", weight), ("daily_cap", daily_cap)):
            if value is not None:
                entry[key] = value
        _set_warmup(entry, warm, warmup_start)

    _edit(mutate)
    result = {"name": name, "url": mask_url(new_url), "waha_session": ops.waha_name(name, new_cfg), "webhook": mask_url(new_cfg.webhook_url),
              "webhook_written": webhook_changed}
    if json:
        print_json(result)
        return
    info((_("session {name!r} updated (webhook written to the server)") if webhook_changed
          else _("session {name!r} updated")).format(name=name))


@session_app.command("list")
def list_(json: JsonOpt = False) -> None:
    """Every session: live status, phone, today's sends.

    All servers are asked at once."""
    from nexus_blast import clock

    from nexus_blast.campaigns.health import current_reasons
    from nexus_blast.waha import sessions as ops

    settings = _settings()
    views = _run(ops.probe_all(settings.sessions, settings.waha)) if settings.sessions else []
    counts = _sent_today() if views else {}
    reasons = current_reasons(settings, current().db(), views, clock.now(), counts) if views else {}
    ramps = _ramps([view.name for view in views]) if views else {}
    rows = []
    for view in views:
        rows.append(_shown(view) | {"sent_today": counts.get(view.name, 0), "health": reasons.get(view.name, "")}
                    | ramps.get(view.name, {}))
    if json:
        print_json(rows)
        return
    if not rows:
        info(_("no sessions configured — add one: blast session add NAME --url URL (or try: blast sandbox serve)"))
        return
    table(None, [_("name"), _("status"), _("phone"), _("sent today"), _("server"), _("note"), _("cap today")], [
        [r["name"], r["status"], _phone(r["me"]), f"{r['sent_today']}/{r['daily_cap'] or settings.sending.daily_cap}",
         r["url"] + ("" if r["waha_session"] == r["name"] else f" ({r['waha_session']})"),
         r["health"] or _guard_note(r), _cap_today(r)]
        for r in rows
    ])


def _cap_today(row: dict) -> str:
    if row.get("ramp_day") is None:
        return str(row.get("effective_cap", ""))
    return _("{cap} (warm-up day {day})").format(cap=row["effective_cap"], day=row["ramp_day"])


def _shown(view) -> dict:
    """VIEW as printed: URLs with their credentials masked (user:pass@, ?key=)."""
    return view.as_dict() | {"url": mask_url(view.url), "webhooks": [mask_url(u) for u in view.webhooks]} | _guards(view)


def _guards(view) -> dict:
    """`capping`, `timelock`, `brake`: WhatsApp's signals (live, else last stored) and the brake."""
    from nexus_blast import clock

    from nexus_blast.campaigns.lane_state import session_fields

    return session_fields(current().db(), view.name, view.raw_me, clock.now())


def _guard_note(row: dict) -> str:
    from nexus_blast.campaigns.lane_state import note

    return note(row)


def _phone(me: str | None) -> str:
    return "+" + me.split("@", 1)[0] if me else ""


@session_app.command("show")
def show(name: NameArg, json: JsonOpt = False) -> None:
    """One session, live from its server.

    Exit 3 when the server is unreachable, refuses the key or does not have the
    session (status MISSING, with the command that creates it again)."""
    from nexus_blast.errors import ExitCode
    from nexus_blast.waha import sessions as ops

    cfg = _configured(name)
    view, server = _run(ops.describe(name, cfg, _settings().waha))
    result = _shown(view) | {
        "sent_today": _sent_today().get(name, 0),
        "server": {k: server.get(k) for k in ("version", "engine", "tier")} if isinstance(server, dict) else {},
        "api_key": "env " + cfg.api_key_env if cfg.api_key_env else ("set" if cfg.api_key else "none"),
    } | _ramps([name])[name]
    missing = view.status == "MISSING"
    if missing:  # a dependency problem (exit 3), said on stderr whatever the output format
        info(_("session {name!r}: {url} has no session {waha!r}; create it again: {hint}").format(
            name=name, url=cfg.url, waha=view.waha_session, hint=view.hint))
    if json:
        print_json(result)
        if missing:
            raise typer.Exit(int(ExitCode.DEPENDENCY))
        return
    rows = [[k, v] for k, v in (
        (_("name"), view.name), (_("server"), f"{result['url']} (WAHA {result['server'].get('version')}, {result['server'].get('tier')})"),
        (_("waha session"), view.waha_session), (_("status"), view.status), (_("engine"), view.engine),
        (_("phone"), _phone(view.me)), (_("push name"), view.push_name), (_("sent today"), result["sent_today"]),
        (_("weight"), view.weight), (_("daily cap"), view.daily_cap),
        (_("cap today (warm-up)"), result["effective_cap"]), (_("ramp day"), result["ramp_day"] or _("warm")),
        (_("webhooks"), ", ".join(result["webhooks"])),
        (_("api key"), result["api_key"]),
    )]
    for key in ("capping", "timelock", "brake"):
        if result.get(key):
            rows.append([key, ", ".join(f"{k} {v}" for k, v in result[key].items() if v not in (None, ""))])
    if view.config_lacks:
        rows.append([_("config lacks"), f"{', '.join(view.config_lacks)} ({view.hint})"])
    table(None, ["", ""], rows)
    if missing:
        raise typer.Exit(int(ExitCode.DEPENDENCY))


def _action(name: str, action: str, json: bool) -> None:
    from nexus_blast.waha import sessions as ops

    cfg = _configured(name)
    answer = _run(ops.act(name, cfg, action, _settings().waha))
    status = str(answer.get("status") or "") if isinstance(answer, dict) else ""
    if not status and action in ("stop", "delete"):  # WAHA answers 201 without a body for one it lacks
        status = "STOPPED" if action == "stop" else "DELETED"
    if json:
        print_json({"name": name, "url": mask_url(cfg.url), "waha_session": ops.waha_name(name, cfg), "status": status})
        return
    info(_("session {name!r}: {action} → {status}").format(name=name, action=action, status=status))


@session_app.command("start")
def start(name: NameArg, json: JsonOpt = False) -> None:
    """Start the session on its server.

    Creates it there when missing."""
    _action(name, "start", json)


@session_app.command("stop")
def stop(name: NameArg, json: JsonOpt = False) -> None:
    """Stop the session on its server (pairing kept)."""
    _action(name, "stop", json)


@session_app.command("restart")
def restart(name: NameArg, json: JsonOpt = False) -> None:
    """Restart the session on its server."""
    _action(name, "restart", json)


@session_app.command("logout")
def logout(name: NameArg, yes: YesOpt = False, json: JsonOpt = False) -> None:
    """Unlink the phone (the session must be paired again)."""
    confirm(_("Log session {name!r} out? The phone must be paired again.").format(name=name), yes)
    _action(name, "logout", json)


@session_app.command("remove")
def remove(
    name: NameArg,
    delete_on_server: Annotated[bool, typer.Option("--delete-on-server", help=N_("Also delete the session on the WAHA server."))] = False,
    yes: YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Forget a session (and optionally delete it on its server)."""
    from nexus_blast.waha import sessions as ops

    cfg = _configured(name)
    confirm((_("Remove session {name!r} and delete it on the server?") if delete_on_server
             else _("Remove session {name!r}?")).format(name=name), yes)
    if delete_on_server:
        _run(ops.act(name, cfg, "delete", _settings().waha))
    _edit(lambda sessions: sessions.pop(name, None))
    if json:
        print_json({"name": name, "removed": True, "deleted_on_server": delete_on_server})
        return
    info((_("session {name!r} removed (deleted on the server)") if delete_on_server
          else _("session {name!r} removed")).format(name=name))


@session_app.command("pair", epilog=PAIR_EXAMPLES)
def pair(
    name: NameArg,
    code: Annotated[Optional[str], typer.Option("--code", metavar="PHONE", help=N_("Link with a phone number (digits, e.g. 5511987654321) instead of a QR."), show_default=False)] = None,
    timeout: Annotated[float, typer.Option("--timeout", metavar="SECONDS", help=N_("Give up (exit 3) after this many seconds."), min=1.0)] = 300.0,
    interval: Annotated[float, typer.Option("--interval", help=N_("Seconds between status checks."), min=0.05, hidden=True)] = 1.0,
    invert: Annotated[bool, typer.Option("--invert", help=N_("Draw the other modules: for when the QR does not scan (the terminal's colours were not applied)."))] = False,
    png: Annotated[Optional[Path], typer.Option("--png", metavar="FILE", help=N_("Also write the QR to this PNG file (rewritten as it rotates): open it when the terminal is too small."), show_default=False)] = None,
    yes: YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Link a phone: scan WAHA's QR (or enter a code).

    The QR is redrawn as it rotates until the session is WORKING."""
    from nexus_blast.cli.output import confirm_overwrite
    from nexus_blast.cli.qrscreen import QRScreen
    from nexus_blast.errors import InputError
    from nexus_blast.waha import sessions as ops
    from nexus_blast.waha.pairing import pair as follow

    cfg = _configured(name)
    phone = None
    if code is not None:
        phone = "".join(c for c in code if c.isdigit())
        if not 10 <= len(phone) <= 15:
            raise InputError(_("--code {code!r}: give the full number with country code, e.g. 5511987654321").format(code=code))
    if png is not None:
        if png.is_dir():
            raise InputError(_("--png {png}: is a directory").format(png=png))
        if not png.parent.is_dir():
            raise InputError(_("--png {png}: no such directory {parent!r}").format(png=png, parent=str(png.parent)))
        confirm_overwrite(yes, png)
    out = sys.stderr if json else sys.stdout
    screen = QRScreen(out, invert=invert, png=png)

    def on_code(value: str) -> None:
        out.write(_("pairing code: {value}").format(value=value) + "\n")
        out.flush()
        info(_("WhatsApp › Settings › Linked devices › Link with phone number instead: enter this code"))

    async def run():
        async with ops.client_for(name, cfg, _settings().waha) as waha:
            return await follow(waha, ops.waha_name(name, cfg), timeout=timeout, interval=interval, phone=phone,
                                on_qr=screen.show, on_code=on_code, on_status=screen.status,
                                create=lambda: ops.create_missing(waha, name, cfg),
                                prepare=lambda found: ops.ensure_config(waha, name, cfg, found))

    result = _run(run())
    me = (result.me or {}).get("id")
    if json:
        print_json({"name": name, "url": mask_url(cfg.url), "waha_session": ops.waha_name(name, cfg), "status": result.status, "me": me})
        return
    info(_("session {name!r} paired: {phone} — WORKING").format(name=name, phone=_phone(me) or _("phone linked")))


def register(app: typer.Typer) -> None:
    app.add_typer(session_app, name="session")
