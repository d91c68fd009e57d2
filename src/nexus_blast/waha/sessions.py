"""Managing configured sessions on their WAHA servers: register, probe (concurrently), webhooks."""

from __future__ import annotations

import asyncio
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from nexus_blast.config import SessionConfig
from nexus_blast.errors import ConfigError, InputError
from nexus_blast.i18n import _
from nexus_blast.waha.client import WahaClient
from nexus_blast.waha.errors import (
    WahaError,
    WahaKeyRefused,
    WahaSessionNotFound,
    WahaUnreachable,
)

NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,54}$")
WEBHOOK_EVENTS = ["message", "message.ack", "session.status"]
PROBE_TIMEOUT = 5.0


def check_name(name: str, *, on_server: bool = False) -> str:
    """NAME when it is a valid session name (ON_SERVER: the session's name on its WAHA server)."""
    if not NAME_RE.match(name):
        problem = (_("invalid WAHA session name {name!r}: use 1-54 letters, digits, '-' or '_'") if on_server
                   else _("invalid session name {name!r}: use 1-54 letters, digits, '-' or '_'"))
        raise InputError(problem.format(name=name))
    return name


def check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", url):
        raise InputError(_("invalid WAHA URL {url!r}: expected http://HOST:PORT or https://HOST").format(url=url))
    return url


def waha_name(name: str, cfg: SessionConfig) -> str:
    """The session's name on its WAHA server (defaults to the local name)."""
    return cfg.waha_session or name


def api_key_of(name: str, cfg: SessionConfig) -> str:
    if cfg.api_key_env and not cfg.api_key and cfg.resolved_api_key() == "":
        raise ConfigError(
            _("session {name!r}: environment variable {variable} (its api_key_env) is not set").format(name=name, variable=cfg.api_key_env),
            hint=_("export {variable}=... or: blast session update {name} --api-key KEY").format(variable=cfg.api_key_env, name=name),
        )
    return cfg.resolved_api_key()


def client_for(name: str, cfg: SessionConfig, waha_settings: Any = None, *, quick: bool = False) -> WahaClient:
    """A client for the session's server; QUICK for health probes (short timeout, one retry)."""
    timeout = getattr(waha_settings, "timeout", 30.0)
    connect = getattr(waha_settings, "connect_timeout", 5.0)
    if quick:
        return WahaClient(cfg.url, api_key_of(name, cfg), timeout=min(timeout, PROBE_TIMEOUT),
                          connect_timeout=min(connect, 3.0), retries=1, backoff_initial=0.2, backoff_max=1.0,
                          total_timeout=PROBE_TIMEOUT)
    # Interactive commands: a couple of quick retries, not the campaign sender's patience.
    return WahaClient(cfg.url, api_key_of(name, cfg), timeout=timeout, connect_timeout=connect,
                      retries=2, backoff_initial=0.3, backoff_max=2.0)


@dataclass
class SessionView:
    """What `session list/show` report about one configured session."""

    name: str
    url: str
    waha_session: str
    status: str  # WAHA status, or UNREACHABLE / UNAUTHORIZED / MISSING / ERROR
    me: str | None = None
    push_name: str | None = None
    engine: str | None = None
    error: str = ""
    webhooks: list[str] = field(default_factory=list)
    weight: float = 1.0
    daily_cap: int | None = None
    config_lacks: list[str] = field(default_factory=list)  # what blast needs that the server config has not
    hint: str = ""
    raw_me: Any = field(default=None, repr=False)  # `me` as the server gave it (WhatsApp's signals: waha/parsing.py)

    def as_dict(self) -> dict:
        doc = asdict(self)
        doc.pop("raw_me")
        return doc


def engine_of(info: dict, server: Any = None) -> str | None:
    """The session's engine: from its info while running (`{"engine": X}`), else the server's."""
    engine = info.get("engine")
    engine = engine.get("engine") if isinstance(engine, dict) else engine
    if not engine and isinstance(server, dict):
        engine = server.get("engine")
    return str(engine) if engine else None


def config_of(info: dict) -> dict:
    """The session's config on the server (`null` or absent on a Core `default` never configured)."""
    return info.get("config") if isinstance(info.get("config"), dict) else {}


def view_of(name: str, cfg: SessionConfig, info: dict, server: Any = None) -> SessionView:
    me = info.get("me") if isinstance(info.get("me"), dict) else {}
    config = config_of(info)
    engine = engine_of(info, server)
    lacks = config_lacks(config, engine, cfg.webhook_url) if server is not None else []
    return SessionView(
        name=name, url=cfg.url, waha_session=waha_name(name, cfg), status=str(info.get("status") or "UNKNOWN"),
        me=(me or {}).get("id"), push_name=(me or {}).get("pushName"), engine=engine, raw_me=me or None,
        webhooks=[h.get("url", "") for h in config.get("webhooks") or [] if isinstance(h, dict)],
        weight=cfg.weight, daily_cap=cfg.daily_cap, config_lacks=lacks,
        hint=_("blast session start {name} writes it").format(name=name) if lacks else "",
    )


async def fetch(name: str, cfg: SessionConfig, waha_settings: Any = None, *, quick: bool = False) -> SessionView:
    """The live view of one session; WAHA errors propagate (show decides the exit code)."""
    async with client_for(name, cfg, waha_settings, quick=quick) as waha:
        return view_of(name, cfg, await waha.get_session(waha_name(name, cfg)))


async def probe(name: str, cfg: SessionConfig, waha_settings: Any = None) -> SessionView:
    """Like fetch, but a failure becomes a status (for `list`)."""
    try:
        return await fetch(name, cfg, waha_settings, quick=True)
    except (WahaError, ConfigError) as exc:
        status = "ERROR"
        if isinstance(exc, WahaUnreachable):
            status = "UNREACHABLE"
        elif isinstance(exc, WahaKeyRefused):
            status = "UNAUTHORIZED"
        elif isinstance(exc, WahaSessionNotFound):
            status = "MISSING"
        elif isinstance(exc, ConfigError):
            status = "CONFIG"
        return SessionView(name, cfg.url, waha_name(name, cfg), status, error=exc.message,
                           weight=cfg.weight, daily_cap=cfg.daily_cap)


async def probe_all(sessions: dict[str, SessionConfig], waha_settings: Any = None) -> list[SessionView]:
    """Every configured session, all servers asked at once."""
    return list(await asyncio.gather(*(probe(n, c, waha_settings) for n, c in sessions.items())))


# --- session config on the server --------------------------------------------------------------


def engine_config(config: dict, engine: str | None) -> dict:
    """CONFIG with what blast needs from the engine: WEBJS emits acks only with tagsEventsOn;
    NOWEB serves chat messages (used to reconcile unknown send outcomes) only with its store on,
    and WAHA's OpenAPI document marks `markOnline` and `store.fullSync` required (WAHA's defaults)."""
    config = dict(config)
    if (engine or "").upper() == "WEBJS":
        config["webjs"] = {**(config.get("webjs") or {}), "tagsEventsOn": True}
    elif (engine or "").upper() == "NOWEB":
        noweb = {"markOnline": True, **(config.get("noweb") or {})}
        noweb["store"] = {"fullSync": False, **(noweb.get("store") or {}), "enabled": True}
        config["noweb"] = noweb
    return config


def config_lacks(config: dict, engine: str | None, webhook_url: str = "") -> list[str]:
    """What blast needs that CONFIG (a session's config on the server) does not have."""
    lacks = []
    engine = (engine or "").upper()
    if engine == "WEBJS" and (config.get("webjs") or {}).get("tagsEventsOn") is not True:
        lacks.append("webjs.tagsEventsOn")
    if engine == "NOWEB" and ((config.get("noweb") or {}).get("store") or {}).get("enabled") is not True:
        lacks.append("noweb.store.enabled")
    if webhook_url:
        hooks = [h for h in config.get("webhooks") or [] if isinstance(h, dict) and h.get("url") == webhook_url]
        if not any(set(WEBHOOK_EVENTS) <= set(h.get("events") or []) for h in hooks):
            lacks.append(f"webhook {webhook_url}")
    return lacks


async def ensure_config(waha: WahaClient, name: str, cfg: SessionConfig, info: dict, server: Any = None) -> dict:
    """INFO, after writing what blast needs into the session's config when it lacks it: the existing
    config merged (a PUT without it would wipe it), so other webhooks and settings stay."""
    server = server if server is not None else await waha.server_version()
    engine = engine_of(info, server)
    config = config_of(info)
    if not config_lacks(config, engine, cfg.webhook_url):
        return info
    merged = engine_config(config, engine)
    if cfg.webhook_url:
        merged = with_webhook(merged, cfg.webhook_url, cfg.webhook_hmac_key)
    return await waha.update_session(waha_name(name, cfg), merged)


def with_webhook(config: dict, url: str, hmac_key: str = "", *, replace: tuple[str, ...] = ()) -> dict:
    """CONFIG with blast's webhook at URL (events message, message.ack, session.status), other hooks kept;
    hooks at URL or at the REPLACE urls (blast's previous ones) are dropped first."""
    config = dict(config)
    drop = {url, *replace}
    hooks = [h for h in config.get("webhooks") or [] if not (isinstance(h, dict) and h.get("url") in drop)]
    if url:
        hook: dict[str, Any] = {
            "url": url, "events": list(WEBHOOK_EVENTS),
            "retries": {"policy": "exponential", "delaySeconds": 2, "attempts": 10},
        }
        if hmac_key:
            hook["hmac"] = {"key": hmac_key}
        hooks.append(hook)
    config["webhooks"] = hooks
    return config


async def create_missing(waha: WahaClient, name: str, cfg: SessionConfig) -> dict:
    """Create the session on WAHA, started, with the config `add` gives it: the engine's needs plus
    blast's webhook, if one is configured (`start` and `pair` when the server lost the session)."""
    server = await waha.server_version()
    config = engine_config({}, server.get("engine") if isinstance(server, dict) else None)
    if cfg.webhook_url:
        config = with_webhook(config, cfg.webhook_url, cfg.webhook_hmac_key)
    return await waha.create_session(waha_name(name, cfg), start=True, config=config)


@dataclass
class Registered:
    info: dict
    created: bool
    server: dict


async def register(
    name: str, cfg: SessionConfig, *, webhook_url: str = "", hmac_key: str = "", previous_webhook: str = "",
    waha_settings: Any = None,
) -> Registered:
    """Check the server, create the WAHA session when missing (started), write its webhook config."""
    wname = waha_name(name, cfg)
    async with client_for(name, cfg, waha_settings) as waha:
        server = await waha.server_version()
        engine = server.get("engine") if isinstance(server, dict) else None
        try:
            info = await waha.get_session(wname)
        except WahaSessionNotFound:
            config = engine_config({}, engine)
            if webhook_url:
                config = with_webhook(config, webhook_url, hmac_key)
            info = await waha.create_session(wname, start=True, config=config)
            return Registered(info, True, server)
        if webhook_url or previous_webhook:
            config = with_webhook(config_of(info), webhook_url, hmac_key, replace=(previous_webhook,) if previous_webhook else ())
            info = await waha.update_session(wname, engine_config(config, engine) if webhook_url else config)
        else:  # e.g. Core's `default`, there from boot with `config: null`
            info = await ensure_config(waha, name, cfg, info, server)
        return Registered(info, False, server)


async def act(name: str, cfg: SessionConfig, action: str, waha_settings: Any = None) -> dict:
    """start / stop / restart / logout / delete; `start` creates the WAHA session when it is missing."""
    wname = waha_name(name, cfg)
    async with client_for(name, cfg, waha_settings) as waha:
        if action == "start":
            try:
                info = await waha.get_session(wname)
            except WahaSessionNotFound:
                return await create_missing(waha, name, cfg)
            await ensure_config(waha, name, cfg, info)
            return await waha.start_session(wname)  # one already started is fine: its info
        if action == "delete":
            await waha.delete_session(wname)
            return {"name": wname, "status": "DELETED"}
        method = {"stop": waha.stop_session, "restart": waha.restart_session, "logout": waha.logout_session}[action]
        return await method(wname)


async def describe(name: str, cfg: SessionConfig, waha_settings: Any = None) -> tuple[SessionView, dict]:
    """The live view plus the server's version document (for `show`); a session the server does
    not have is status MISSING, with the command that creates it again."""
    async with client_for(name, cfg, waha_settings) as waha:
        server = await waha.server_version()
        try:
            view = view_of(name, cfg, await waha.get_session(waha_name(name, cfg)), server)
        except WahaSessionNotFound as exc:
            view = SessionView(name, cfg.url, waha_name(name, cfg), "MISSING", error=exc.message,
                               weight=cfg.weight, daily_cap=cfg.daily_cap, hint=f"blast session start {name}")
        return view, server
