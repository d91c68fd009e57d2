"""`blast doctor`: is this machine ready to send? Each check says ok, warn or fail, and the fix.

Checks: the config file and the database (which ones), the timezone and sending window, every
session (its key variable set, server reachable, key accepted, WORKING, its config on the server
holding what blast needs), each webhook receiver URL reachable from here, the AI provider.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from nexus_blast.errors import BlastError, ExitCode
from nexus_blast.paths import Paths, misplaced_config_warning

OK, WARN, FAIL = "ok", "warn", "fail"
PROBE_SECONDS = 5.0


@dataclass(frozen=True)
class Check:
    check: str  # "config", "database", "window", "session loja1", "webhook …", "ai groq"
    level: str  # ok | warn | fail
    message: str
    fix: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


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
        return checks + [Check("config", FAIL, exc.message, exc.hint or "fix the file, see: blast config path")]
    checks.append(_database(paths))
    checks.append(_window(settings))
    checks += asyncio.run(_sessions(settings))
    checks += [_webhook(url) for url in sorted({s.webhook_url for s in settings.sessions.values() if s.webhook_url})]
    checks += _ai(settings)
    return checks


def _config(paths: Paths) -> Check:
    if paths.config.exists():
        return Check("config", OK, f"config file {paths.config}")
    misplaced = misplaced_config_warning(paths)
    if misplaced:
        return Check("config", WARN, misplaced.removeprefix("blast: warning: "), "move the file, or unset BLAST_HOME / drop --config")
    return Check("config", WARN, f"no config file at {paths.config} (defaults in use)", "blast init")


def _database(paths: Paths) -> Check:
    if not paths.db.exists():
        return Check("database", WARN, f"no database yet at {paths.db}", "blast init (or any command that stores)")
    from nexus_blast.store.db import open_database

    try:
        db = open_database(paths.db)
    except BlastError as exc:
        return Check("database", FAIL, exc.message, exc.hint or "")
    try:
        campaigns = db.conn.execute("SELECT count(*) FROM campaigns").fetchone()[0]
    finally:
        db.conn.close()
    return Check("database", OK, f"database {paths.db} ({campaigns} campaign(s))")


def _window(settings) -> Check:
    from nexus_blast.campaigns.timing import configured_window, describe_window, timezone

    try:
        window, tz = configured_window(settings), timezone(settings)
    except (BlastError, ValueError, KeyError) as exc:
        return Check("window", FAIL, f"sending window or timezone unusable: {exc}", "fix [general] timezone, [sending] window/days")
    local = datetime.now(UTC).astimezone(tz)
    state = "open now" if window.is_open(local) else f"closed now, opens {window.next_open(local):%Y-%m-%d %H:%M}"
    return Check("window", OK, f"{describe_window(settings)}: {state} (local time {local:%Y-%m-%d %H:%M})")


async def _sessions(settings) -> list[Check]:
    if not settings.sessions:
        return [Check("sessions", WARN, "no session configured", "blast session add NAME --url URL")]
    return list(await asyncio.gather(*(_session(name, cfg, settings.waha) for name, cfg in settings.sessions.items())))


async def _session(name: str, cfg, waha_settings) -> Check:
    from nexus_blast.waha import sessions as ops
    from nexus_blast.waha.errors import WahaKeyRefused, WahaUnreachable

    label = f"session {name}"
    try:
        view, _server = await asyncio.wait_for(ops.describe(name, cfg, waha_settings), 2 * PROBE_SECONDS)
    except asyncio.TimeoutError:
        return Check(label, FAIL, f"{cfg.url} did not answer within {2 * PROBE_SECONDS:g} s", "is the WAHA server running?")
    except WahaUnreachable as exc:
        return Check(label, FAIL, exc.message, "is the WAHA server running, and the URL right? blast session update " + name)
    except WahaKeyRefused as exc:
        return Check(label, FAIL, exc.message, f"blast session update {name} --api-key KEY (or --api-key-env VAR)")
    except BlastError as exc:  # e.g. its key variable is not set
        return Check(label, FAIL, exc.message, exc.hint or "")
    where = f"{view.url} ({view.waha_session})"
    if view.status == "MISSING":
        return Check(label, FAIL, f"{where}: not on the server", view.hint)
    if view.status != "WORKING":
        fix = f"blast session pair {name}" if view.status in ("SCAN_QR_CODE", "FAILED") else f"blast session start {name}"
        return Check(label, FAIL, f"{where}: {view.status}, cannot send", fix)
    if view.config_lacks:
        return Check(label, WARN, f"{where}: WORKING, but its config lacks {', '.join(view.config_lacks)}", view.hint)
    return Check(label, OK, f"{where}: WORKING as {view.me or '?'}")


def _webhook(url: str) -> Check:
    """The receiver answers GET /health beside POST /webhook; a proxy may only pass /webhook."""
    import httpx

    health = url.rsplit("/", 1)[0] + "/health"
    try:
        response = httpx.get(health, timeout=PROBE_SECONDS)
    except httpx.HTTPError as exc:
        return Check(f"webhook {url}", WARN, f"receiver not reachable from here ({type(exc).__name__})",
                     "blast webhook serve (receipts and opt-outs are lost while it is down; blast campaign sync ID fills receipts)")
    if response.status_code != 200:
        return Check(f"webhook {url}", WARN, f"{health} answered HTTP {response.status_code}", "is blast webhook serve behind that URL?")
    return Check(f"webhook {url}", OK, "receiver answering")


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
    return [Check(label, OK, f"{target.base_url}: {len(models)} model(s), default {target.model}")]
