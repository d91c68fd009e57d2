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

SECRET_KEYS = frozenset({"api_key", "webhook_hmac_key"})


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class General(_Section):
    timezone: str = "America/Sao_Paulo"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value


class Sending(_Section):
    delay: str = "30-60"
    window: str = "08:00-20:00"
    days: str = "mon-sat"
    daily_cap: int = Field(1000, ge=1)
    typing: bool = False
    typing_cps: float = Field(25.0, gt=0)
    max_image_mib: float = Field(16, gt=0)
    lookup_delay: str = "1-3"

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


class Retry(_Section):
    attempts: int = Field(4, ge=1)
    backoff_initial: float = Field(2.0, ge=0)
    backoff_max: float = Field(60.0, ge=0)
    unhealthy_after: int = Field(3, ge=1)
    probe_interval: float = Field(60.0, ge=0)


class Contacts(_Section):
    default_ddd: str = ""
    include_landlines: bool = False
    allow_foreign: bool = False


class Waha(_Section):
    timeout: float = Field(30.0, gt=0)
    connect_timeout: float = Field(5.0, gt=0)
    # Seconds past `timeout` before an unknown send outcome is judged from the chat (README, "Crash safety").
    settle: float = Field(30.0, ge=0)


class Scheduler(_Section):
    poll_interval: float = Field(1.0, gt=0)
    lease_seconds: int = Field(60, ge=1)


class Webhook(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8787, ge=0, le=65535)
    optout_keywords: list[str] = ["sair", "parar", "stop", "cancelar", "descadastrar", "nao quero"]
    optout_reply: str = ""


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
    weight: float = Field(1.0, gt=0)
    daily_cap: int | None = Field(None, ge=1)
    webhook_url: str = ""
    webhook_hmac_key: str = Field("", repr=False)


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
    contacts: Contacts = Contacts()
    waha: Waha = Waha()
    scheduler: Scheduler = Scheduler()
    webhook: Webhook = Webhook()
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
            raise ConfigError(
                f"unknown session {name!r}",
                hint="add it with: blast session add NAME --url URL",
            ) from None


def load_settings(path: Path) -> Settings:
    """Read PATH (missing is fine) and the environment; errors name the file and the key."""
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return Settings(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        source = _env_source(err["loc"]) or str(path)
        raise ConfigError(f"{source}: {where}: {err['msg']}") from None


def _env_source(loc: tuple) -> str | None:
    """The BLAST_* variable that set the bad value (it beats the file), if one did."""
    names = {name.upper() for name in os.environ}
    parts = [str(p).upper() for p in loc]
    for end in range(len(parts), 0, -1):
        name = "BLAST_" + "__".join(parts[:end])
        if name in names:
            return f"environment variable {name}"
    return None


def starter_text() -> str:
    """The documented starter config (also the repository's config.example.toml)."""
    return resources.files("nexus_blast").joinpath("config.example.toml").read_text(encoding="utf-8")


def mask(secret: str) -> str:
    """`gsk_…9f2a`: enough to recognise a key, never enough to use it."""
    if not secret:
        return ""
    if len(secret) < 16:  # a short key would be mostly shown: show its end only, or nothing
        return f"…{secret[-2:]}" if len(secret) >= 8 else "…"
    return f"{secret[:4]}…{secret[-4:]}"


def masked(data: Any) -> Any:
    """A copy of a settings dump with every secret value masked."""
    if isinstance(data, dict):
        return {k: (mask(v) if k in SECRET_KEYS and isinstance(v, str) else masked(v)) for k, v in data.items()}
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
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def write_document(path: Path, document) -> None:
    """Write atomically with mode 0600, after checking the result still loads."""
    import tomlkit

    text = tomlkit.dumps(document)
    try:
        Settings(**tomllib.loads(text))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None
    write_private(path, text)


def write_private(path: Path, text: str) -> None:
    """Atomic write readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
