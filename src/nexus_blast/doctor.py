"""`blast doctor`: is this machine ready to send? Each check says ok, warn or fail, and the fix.

Checks: the config file and the database (which ones), the timezone and sending window, every
session (its key variable set, server reachable, key accepted, WORKING, its config on the server
holding what blast needs), each webhook receiver URL reachable from here, the AI provider.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import datetime

from nexus_blast import clock
from nexus_blast.errors import BlastError, ExitCode
from nexus_blast.i18n import _, english, format_datetime, format_number, ngettext, reason
from nexus_blast.paths import Paths, misplaced_config

OK, WARN, FAIL = "ok", "warn", "fail"
PROBE_SECONDS = 5.0


@dataclass(frozen=True)
class Check:
    check: str  # "config", "database", "window", "session loja1", "webhook …", "ai groq"
    level: str  # ok | warn | fail
    message: str
    fix: str = ""

    def as_dict(self) -> dict:
        """The check for --json: its texts in English whatever the language (i18n.english)."""
        return {key: english(value) for key, value in asdict(self).items()}


def exit_code(checks: list[Check]) -> int:
    """3 when anything fails (a dependency cannot be used), 1 with warnings, else 0."""
    levels = {c.level for c in checks}
    return int(ExitCode.DEPENDENCY) if FAIL in levels else 1 if WARN in levels else 0


def run_checks(paths: Paths, load_settings) -> list[Check]:
    """Every check, in the order a person would fix them; LOAD_SETTINGS() gives the settings."""
    checks = [_config(paths)]
    try:
        settings = load_settings()
    except BlastError as exc:
        return checks + [Check("config", FAIL, exc.message, exc.hint or _("fix the file, see: blast config path"))]
    checks.append(_database(paths))
    checks.append(_window(settings))
    checks += asyncio.run(_sessions(settings))
    checks += [_webhook(url) for url in sorted({s.webhook_url for s in settings.sessions.values() if s.webhook_url})]
    checks += _ai(settings)
    return checks


def _config(paths: Paths) -> Check:
    if paths.config.exists():
        return Check("config", OK, _("config file {path}").format(path=paths.config))
    misplaced = misplaced_config(paths)
    if misplaced:
        return Check("config", WARN, misplaced, _("move the file, or unset BLAST_HOME / drop --config"))
    return Check("config", WARN, _("no config file at {path} (defaults in use)").format(path=paths.config), "blast init")


def _database(paths: Paths) -> Check:
    if not paths.db.exists():
        return Check("database", WARN, _("no database yet at {path}").format(path=paths.db), _("blast init (or any command that stores)"))
    from nexus_blast.store.db import open_database

    try:
        db = open_database(paths.db)
    except BlastError as exc:
        return Check("database", FAIL, exc.message, exc.hint or "")
    try:
        campaigns = db.conn.execute("SELECT count(*) FROM campaigns").fetchone()[0]
    finally:
        db.conn.close()
    return Check("database", OK, ngettext("database {path} ({count} campaign)", "database {path} ({count} campaigns)", campaigns).format(path=paths.db, count=format_number(campaigns)))


def _window(settings) -> Check:
    from nexus_blast.campaigns.timing import configured_window, describe_window, timezone

    try:
        window, tz = configured_window(settings), timezone(settings)
    except (BlastError, ValueError, KeyError) as exc:
        return Check("window", FAIL, _("sending window or timezone unusable: {reason}").format(reason=reason(exc)), _("fix [general] timezone, [sending] window/days"))
    local = clock.now().astimezone(tz)
    if window.is_open(local):
        text = _("{window}: open now (local time {now})")
    else:
        text = _("{window}: closed now, opens {opens} (local time {now})")
    opens = window.next_open(local) if not window.is_open(local) else None
    return Check("window", OK, text.format(window=describe_window(settings), now=_when(local), opens=_when(opens) if opens else ""))


def _when(moment: datetime):
    """MOMENT for a person (`07/12/2026 09:00` in pt-BR), with its English for --json."""
    from nexus_blast.i18n import Message

    return Message(format_datetime(moment), f"{moment:%Y-%m-%d %H:%M}")


async def _sessions(settings) -> list[Check]:
    if not settings.sessions:
        return [Check("sessions", WARN, _("no session configured"), "blast session add NAME --url URL")]
    return list(await asyncio.gather(*(_session(name, cfg, settings.waha) for name, cfg in settings.sessions.items())))


async def _session(name: str, cfg, waha_settings) -> Check:
    from nexus_blast.waha import sessions as ops
    from nexus_blast.waha.errors import WahaKeyRefused, WahaUnreachable

    label = f"session {name}"
    try:
        view, _server = await asyncio.wait_for(ops.describe(name, cfg, waha_settings), 2 * PROBE_SECONDS)
    except asyncio.TimeoutError:
        return Check(label, FAIL, _("{url} did not answer within {seconds} s").format(url=cfg.url, seconds=f"{2 * PROBE_SECONDS:g}"), _("is the WAHA server running?"))
    except WahaUnreachable as exc:
        return Check(label, FAIL, exc.message, _("is the WAHA server running, and the URL right? blast session update {name}").format(name=name))
    except WahaKeyRefused as exc:
        return Check(label, FAIL, exc.message, _("blast session update {name} --api-key KEY (or --api-key-env VAR)").format(name=name))
    except BlastError as exc:  # e.g. its key variable is not set
        return Check(label, FAIL, exc.message, exc.hint or "")
    where = f"{view.url} ({view.waha_session})"
    if view.status == "MISSING":
        return Check(label, FAIL, _("{where}: not on the server").format(where=where), view.hint)
    if view.status != "WORKING":
        fix = f"blast session pair {name}" if view.status in ("SCAN_QR_CODE", "FAILED") else f"blast session start {name}"
        return Check(label, FAIL, _("{where}: {status}, cannot send").format(where=where, status=view.status), fix)
    if view.config_lacks:
        return Check(label, WARN, _("{where}: WORKING, but its config lacks {missing}").format(where=where, missing=", ".join(view.config_lacks)), view.hint)
    return Check(label, OK, _("{where}: WORKING as {me}").format(where=where, me=view.me or "?"))


def _webhook(url: str) -> Check:
    """The receiver answers GET /health beside POST /webhook; a proxy may only pass /webhook."""
    import httpx

    health = url.rsplit("/", 1)[0] + "/health"
    try:
        response = httpx.get(health, timeout=PROBE_SECONDS)
    except httpx.HTTPError as exc:
        return Check(f"webhook {url}", WARN, _("receiver not reachable from here ({reason})").format(reason=type(exc).__name__),
                     _("blast webhook serve (receipts and opt-outs are lost while it is down; blast campaign sync ID fills receipts)"))
    if response.status_code != 200:
        return Check(f"webhook {url}", WARN, _("{url} answered HTTP {status}").format(url=health, status=response.status_code), _("is blast webhook serve behind that URL?"))
    return Check(f"webhook {url}", OK, _("receiver answering"))


def _ai(settings) -> list[Check]:
    if not settings.ai.providers:
        return []  # AI copy is optional: nothing to check
    from nexus_blast.ai.client import AIClient, Limits
    from nexus_blast.ai.providers import endpoint

    try:
        target = endpoint(settings)
    except BlastError as exc:
        return [Check("ai", WARN, exc.message, exc.hint or "")]
    label = f"ai {target.name}"
    try:
        with AIClient(target, Limits(timeout=PROBE_SECONDS, attempts=1)) as client:
            models = client.models()
    except BlastError as exc:
        return [Check(label, WARN, exc.message, exc.hint or f"blast ai test {target.name}")]
    return [Check(label, OK, ngettext("{url}: {count} model, default {model}", "{url}: {count} models, default {model}", len(models)).format(
        url=target.base_url, count=format_number(len(models)), model=target.model))]
