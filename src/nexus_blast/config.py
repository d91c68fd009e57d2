"""Settings: pydantic models loaded from TOML with BLAST_<SECTION>__<KEY> overrides; the file
itself is edited with tomlkit so users' comments survive, and written 0600 (it may hold keys)."""

from __future__ import annotations

import os
import tempfile
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from nexus_blast.errors import ConfigError
from nexus_blast.i18n import _, os_reason, reason
from nexus_blast.masking import mask, mask_url  # noqa: F401  (config.mask is the historical name)

SECRET_KEYS = frozenset({"api_key", "webhook_hmac_key", "hmac_key"})
URL_KEYS = frozenset({"url", "webhook_url", "base_url"})


class _Section(BaseModel):
    # inf/nan are never a sane setting (`waha.timeout = inf` would wait for ever); the bounds below
    # (le=...) keep numbers within what a real deployment uses.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class General(_Section):
    timezone: str = "America/Sao_Paulo"
    language: str = ""  # "pt_BR", "en", or "" for the system locale (nexus_blast.i18n reads it early)

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        from nexus_blast.i18n import normalize_language

        return normalize_language(value)

    state: str = ""  # Brazilian UF (e.g. "SP"): its holidays too, with sending.skip_holidays

    @field_validator("state")
    @classmethod
    def _known_state(cls, value: str) -> str:
        from nexus_blast.domain.window import BRAZILIAN_STATES

        value = value.strip().upper()
        if value and value not in BRAZILIAN_STATES:
            raise ValueError(_("unknown Brazilian state {value!r} (use a UF such as SP, RJ, MG)").format(value=value))
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(_("unknown timezone {value!r}").format(value=value)) from exc
        return value


class Sending(_Section):
    delay: str = "30-60"
    window: str = "08:00-20:00"
    days: str = "mon-sat"
    daily_cap: int = Field(1000, ge=1, le=1_000_000)
    # WhatsApp's signals (me.messageCapping / me.reachoutTimelock) are read when a lane is probed,
    # on every 463 and every `signal_check` sends (0: only then); see README, "Protecting the number".
    signal_check: int = Field(50, ge=0, le=1_000_000)
    # The brake: more than brake_ratio of a lane's last brake_window sends failed or still only at
    # the SERVER ack after brake_ack_after seconds (where acks arrive) → the lane rests (0: no brake).
    brake_window: int = Field(20, ge=0, le=10_000)
    brake_ratio: float = Field(0.5, ge=0, lt=1)
    brake_ack_after: float = Field(600.0, gt=0, le=7 * 86400)
    typing: bool = False
    typing_cps: float = Field(25.0, gt=0, le=1000)
    max_image_mib: float = Field(16, gt=0, le=100)
    link_preview: bool = True  # WAHA's `linkPreview` in text sends (send --no-link-preview for one campaign)
    lookup_delay: str = "1-3"
    batch: str = "15-25"  # sends between two rests ("0": no rests)
    rest: str = "300-900"  # seconds of each rest ("0": no rests)
    skip_holidays: bool = False
    footer: str = ""  # appended to every message (an opt-out line)
    refuse_high_risk: bool = False
    window_mon: str = ""  # a weekday's own window (empty: sending.window)
    window_tue: str = ""
    window_wed: str = ""
    window_thu: str = ""
    window_fri: str = ""
    window_sat: str = ""
    window_sun: str = ""

    @field_validator("batch")
    @classmethod
    def _batch(cls, value: str) -> str:
        from nexus_blast.domain.pacing import parse_batch

        parse_batch(value)
        return value

    @field_validator("rest")
    @classmethod
    def _rest(cls, value: str) -> str:
        from nexus_blast.domain.pacing import parse_rest

        parse_rest(value)
        return value

    @field_validator("window_mon", "window_tue", "window_wed", "window_thu", "window_fri", "window_sat", "window_sun")
    @classmethod
    def _day_window(cls, value: str) -> str:
        from nexus_blast.domain.window import parse_window

        if value.strip():
            parse_window(value)
        return value

    @field_validator("delay", "lookup_delay")
    @classmethod
    def _range(cls, value: str) -> str:
        from nexus_blast.domain.pacing import parse_delay

        parse_delay(value)
        return value

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        from nexus_blast.domain.window import parse_window

        parse_window(value)
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: str) -> str:
        from nexus_blast.domain.window import parse_days

        parse_days(value)
        return value


class WarmupSettings(_Section):
    """The warm-up ramp of numbers not marked warm (domain/pacing.py, Warmup)."""

    start: int = Field(20, ge=1, le=1_000_000)
    growth: float = Field(1.8, gt=1, le=100)
    reset_after: float = Field(72.0, gt=0, le=24 * 366)  # hours


class Retry(_Section):
    attempts: int = Field(4, ge=1, le=100)
    backoff_initial: float = Field(2.0, ge=0, le=3600)
    backoff_max: float = Field(60.0, ge=0, le=3600)
    unhealthy_after: int = Field(3, ge=1, le=1000)
    probe_interval: float = Field(60.0, ge=0, le=86400)


class Contacts(_Section):
    default_ddd: str = ""
    include_landlines: bool = False
    allow_foreign: bool = False


class Waha(_Section):
    timeout: float = Field(30.0, gt=0, le=600)
    connect_timeout: float = Field(5.0, gt=0, le=600)
    # Seconds past `timeout` before an unknown send outcome is judged from the chat (README, "Crash safety").
    settle: float = Field(30.0, ge=0, le=3600)


class Scheduler(_Section):
    poll_interval: float = Field(1.0, gt=0, le=3600)
    lease_seconds: int = Field(60, ge=1, le=86400)
    # Seconds between a running campaign's progress lines in run-due/worker logs (sent, failed, pending, rate, ETA).
    progress_every: float = Field(300.0, gt=0, le=86400)


class Webhook(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8787, ge=0, le=65535)
    optout_keywords: list[str] = ["sair", "parar", "stop", "cancelar", "descadastrar", "nao quero"]
    optout_reply: str = ""
    # Accept unsigned events for sessions without webhook_hmac_key even when other sessions have one.
    allow_unsigned: bool = False
    # Seconds: an event without an envelope id (no idempotency key to refuse a replay by) must be
    # stamped within this much of now.
    max_age: float = Field(600.0, gt=0, le=7 * 86400)


class Campaigns(_Section):
    # A reply counts for the most recent campaign message sent to the contact within this long.
    reply_window: str = "72h"
    # Days a reply's text is kept (LGPD); 0 keeps it until `blast campaign purge`.
    reply_retention_days: int = Field(90, ge=0, le=36500)

    @field_validator("reply_window")
    @classmethod
    def _window(cls, value: str) -> str:
        from nexus_blast.domain.replies import parse_duration

        parse_duration(value, minimum=60)
        return value

    @property
    def reply_window_seconds(self) -> float:
        from nexus_blast.domain.replies import parse_duration

        return parse_duration(self.reply_window, minimum=60)


def check_http_url(value: str) -> None:
    """ValueError unless VALUE is an http(s) URL with a host (WAHA is only reached over HTTP;
    `file:///...` or `ftp://` would fail later, deep in the client)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise ValueError(_("{value!r} is not a valid URL ({reason})").format(value=value, reason=exc)) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(_("{value!r} is not an http(s) URL with a host (e.g. http://localhost:3000)").format(value=value))


NOTIFY_EVENTS = ("paused", "failed", "completed", "lane_braked", "lane_timelocked")


class Notify(_Section):
    """Telling the operator when a scheduled campaign needs them (nexus_blast.notify)."""

    whatsapp: str = ""  # the operator's phone (E.164 or Brazilian spelling), messaged through a WORKING session
    url: str = ""  # https URL that receives a signed JSON POST (http only on loopback)
    hmac_key: str = Field("", repr=False)  # signs the POST body: X-Webhook-Hmac, hex HMAC-SHA512 (as WAHA's webhooks)
    min_interval: float = Field(3600.0, ge=0, le=30 * 86400)  # at most one per campaign and event kind per this many seconds
    events: list[str] = list(NOTIFY_EVENTS)

    @field_validator("whatsapp")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value.strip():
            from nexus_blast.notify.channels import operator_phone

            operator_phone(value)  # ValueError names what is wrong
        return value.strip()

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value.strip():
            from nexus_blast.notify.channels import check_notify_url

            check_notify_url(value.strip())
        return value.strip()

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in NOTIFY_EVENTS]
        if unknown:
            raise ValueError(_("unknown event(s) {events} (known: {known})").format(events=", ".join(unknown), known=", ".join(NOTIFY_EVENTS)))
        return value


class _KeyedSection(_Section):
    """A section whose API key is inline (`api_key`) or named by an environment variable."""

    def resolved_api_key(self) -> str:
        """The key itself: inline, else read from the named environment variable."""
        if self.api_key:
            return self.api_key
        if self.api_key_env:
            return os.environ.get(self.api_key_env, "")
        return ""


class SessionConfig(_KeyedSection):
    """One WhatsApp number: a session on a WAHA server."""

    url: str
    waha_session: str = ""
    api_key: str = Field("", repr=False)
    api_key_env: str = ""
    weight: float = Field(1.0, gt=0, le=1000)
    daily_cap: int | None = Field(None, ge=1, le=1_000_000)
    webhook_url: str = ""
    webhook_hmac_key: str = Field("", repr=False)
    warm: bool = False  # an established number: no warm-up ramp
    warmup_start: int | None = Field(None, ge=1, le=1_000_000)  # its ramp's day 1 (default: warmup.start)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        check_http_url(value)
        return value


class ProviderConfig(_KeyedSection):
    """One OpenAI-compatible AI provider."""

    provider: str
    base_url: str = ""
    model: str = ""
    api_key: str = Field("", repr=False)
    api_key_env: str = ""


class AI(_Section):
    default: str = ""
    providers: dict[str, ProviderConfig] = {}


class Settings(BaseSettings):
    """The effective configuration: defaults < config file < BLAST_* environment."""

    model_config = SettingsConfigDict(
        env_prefix="BLAST_", env_nested_delimiter="__", extra="forbid", nested_model_default_partial_update=True
    )

    general: General = General()
    sending: Sending = Sending()
    retry: Retry = Retry()
    warmup: WarmupSettings = WarmupSettings()
    contacts: Contacts = Contacts()
    waha: Waha = Waha()
    scheduler: Scheduler = Scheduler()
    webhook: Webhook = Webhook()
    campaigns: Campaigns = Campaigns()
    notify: Notify = Notify()
    ai: AI = AI()
    sessions: dict[str, SessionConfig] = {}

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
        # The file's content arrives as init kwargs; the environment must win over it.
        return (env_settings, init_settings)

    def session(self, name: str) -> SessionConfig:
        try:
            return self.sessions[name]
        except KeyError:
            from nexus_blast.i18n import _

            raise ConfigError(
                _("unknown session {name!r}").format(name=name),
                hint=_("add it with: blast session add NAME --url URL"),
            ) from None


def load_settings(path: Path) -> Settings:
    """Read PATH (missing is fine) and the environment; errors name the file and the key."""
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(_("{path}: not valid TOML ({reason})").format(path=path, reason=exc)) from None
        except OSError as exc:
            raise ConfigError(_("{path}: cannot read ({reason})").format(path=path, reason=os_reason(exc))) from None
    try:
        return Settings(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        source = _env_source(err["loc"]) or str(path)
        raise ConfigError(_("{source}: {problem}").format(source=source, problem=validation_problem(err))) from None


def validation_problem(err: dict) -> str:
    """One pydantic error (of `ValidationError.errors()`) for a person: `sending.delay: <why>`. A
    value our own check refused says why in the user's language (i18n.reason); pydantic's own
    words ("Input should be a valid integer") are quoted as they are."""
    where = ".".join(str(p) for p in err["loc"])
    error = (err.get("ctx") or {}).get("error")
    why = reason(error) if err.get("type") == "value_error" and isinstance(error, BaseException) else err["msg"]
    return _("{key}: {reason}").format(key=where, reason=why) if where else why


def _env_source(loc: tuple) -> str | None:
    """The BLAST_* variable that set the bad value (it beats the file), if one did."""
    names = {name.upper() for name in os.environ}
    parts = [str(p).upper() for p in loc]
    for end in range(len(parts), 0, -1):
        name = "BLAST_" + "__".join(parts[:end])
        if name in names:
            return _("environment variable {name}").format(name=name)
    return None


def starter_text() -> str:
    """The documented starter config (also the repository's config.example.toml)."""
    return resources.files("nexus_blast").joinpath("config.example.toml").read_text(encoding="utf-8")


def _masked_value(key: str, value: Any) -> Any:
    if isinstance(value, str) and key in SECRET_KEYS:
        return mask(value)
    if isinstance(value, str) and key in URL_KEYS:
        return mask_url(value)
    return masked(value)


def masked(data: Any) -> Any:
    """A copy of a settings dump with every secret value masked (keys, credentials inside URLs)."""
    if isinstance(data, dict):
        return {k: _masked_value(k, v) for k, v in data.items()}
    if isinstance(data, list):
        return [masked(v) for v in data]
    return data


# --- editing the file -------------------------------------------------------------------------


def read_document(path: Path):
    """The config file as a tomlkit document (comments kept); the starter text when missing."""
    import tomlkit

    text = path.read_text(encoding="utf-8") if path.exists() else starter_text()
    try:
        return tomlkit.parse(text)
    except Exception as exc:  # tomlkit raises its own ParseError subclasses
        raise ConfigError(_("{path}: not valid TOML ({reason})").format(path=path, reason=exc)) from None


def write_document(path: Path, document) -> None:
    """Write atomically with mode 0600, after checking the result still loads."""
    import tomlkit

    text = tomlkit.dumps(document)
    try:
        Settings(**tomllib.loads(text))
    except ValidationError as exc:
        raise ConfigError(validation_problem(exc.errors()[0])) from None
    write_private(path, text)


def write_private(path: Path, text: str) -> None:
    """Atomic write readable by the owner only (a directory it creates is 0700)."""
    from nexus_blast.paths import ensure_private_dir

    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
