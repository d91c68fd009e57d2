"""Configured AI providers: add/remove/default in the config file, describe them (keys masked),
and resolve one into an Endpoint the client can call."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from nexus_blast.ai.client import Endpoint
from nexus_blast.ai.presets import PRESETS, preset
from nexus_blast.config import mask
from nexus_blast.errors import ConfigError, InputError, NotFound
from nexus_blast.i18n import _

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
def add_hint() -> str:
    """How to add a first provider."""
    return _(
        "free and local: blast ai add ollama (after: ollama pull llama3.2); or a cloud provider: "
        "blast ai add groq --api-key-env GROQ_API_KEY (providers: {names})"
    ).format(names=", ".join(PRESETS))


@dataclass(frozen=True)
class ProviderInfo:
    """One configured provider as `blast ai list` shows it (never the key itself)."""

    name: str
    provider: str
    base_url: str
    model: str
    api_key: str  # masked
    key_source: str  # "config", "env:VAR", "none"
    key_set: bool
    default: bool

    def as_dict(self) -> dict:
        return asdict(self)


def default_name(settings) -> str:
    """The provider `blast copy` uses without --provider: ai.default, else the only one."""
    providers = settings.ai.providers
    if settings.ai.default and settings.ai.default in providers:
        return settings.ai.default
    if len(providers) == 1:
        return next(iter(providers))
    return ""


def _key_and_source(config) -> tuple[str, str]:
    """The key and where it comes from: inline, the named variable, else the preset's variable."""
    if config.api_key:
        return config.api_key, "config"
    env = config.api_key_env or (PRESETS[config.provider].key_env if config.provider in PRESETS else "")
    if env:
        return os.environ.get(env, ""), f"env:{env}"
    return "", "none"


def describe(settings) -> list[ProviderInfo]:
    default = default_name(settings)
    rows = []
    for name, config in settings.ai.providers.items():
        p = PRESETS.get(config.provider)
        key, source = _key_and_source(config)
        rows.append(
            ProviderInfo(
                name=name,
                provider=config.provider,
                base_url=config.base_url or (p.base_url if p else ""),
                model=config.model or (p.model if p else ""),
                api_key=mask(key),
                key_source=source,
                key_set=bool(key),
                default=name == default,
            )
        )
    return rows


def endpoint(settings, name: str | None = None, *, model: str | None = None) -> Endpoint:
    """The Endpoint for provider NAME (default: the configured default); exit-2 errors say what to run."""
    providers = settings.ai.providers
    if not name:
        if not providers:
            raise ConfigError(_("no AI provider configured"), hint=add_hint())
        name = default_name(settings)
        if not name:
            raise ConfigError(
                _("several AI providers configured and none is the default"),
                hint=_("pick one with --provider NAME or: blast ai default NAME"),
            )
    if name not in providers:
        raise NotFound(_("unknown AI provider {name!r}").format(name=name), hint=_("see: blast ai list") if providers else add_hint())
    config = providers[name]
    p = preset(config.provider)
    key, source = _key_and_source(config)
    if p.needs_key and not key:
        store = f"blast ai add {config.provider} --name {name} --api-key KEY --yes"
        if source.startswith("env:"):
            hint = _("export {variable}=KEY, or store one: {command}").format(variable=source[4:], command=store)
        else:
            hint = _("set its key, or store one: {command}").format(command=store)
        raise ConfigError(_("no API key for AI provider {name!r}").format(name=name), hint=hint)
    return Endpoint(
        name=name,
        provider=config.provider,
        base_url=(config.base_url or p.base_url).rstrip("/"),
        model=model or config.model or p.model,
        api_key=key,
    )


# --- editing the config file ---------------------------------------------------------------


def _providers_table(document):
    import tomlkit

    if "ai" not in document:
        document["ai"] = tomlkit.table()
    ai = document["ai"]
    if "providers" not in ai:
        ai["providers"] = tomlkit.table(is_super_table=True)
    return ai, ai["providers"]


def exists(path: Path, name: str) -> bool:
    from nexus_blast.config import read_document

    document = read_document(path)
    return name in document.get("ai", {}).get("providers", {})


def add(
    path: Path,
    provider: str,
    *,
    name: str | None = None,
    api_key: str | None = None,
    api_key_env: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
) -> tuple[str, bool]:
    """Write [ai.providers.NAME] (replacing it); returns (name, became_default)."""
    import tomlkit

    from nexus_blast.config import read_document, write_document

    p = preset(provider)
    name = name or p.provider
    if not NAME_RE.match(name):
        raise InputError(_("invalid provider name {name!r}").format(name=name), hint=_("use letters, digits, '-' and '_'"))
    if api_key and api_key_env:
        raise InputError(_("give --api-key or --api-key-env, not both"))
    if api_key_env and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", api_key_env):
        raise InputError(_("invalid environment variable name {name!r}").format(name=api_key_env))
    if base_url and not re.match(r"^https?://", base_url):
        raise InputError(_("invalid --base-url {url!r}").format(url=base_url), hint=_("it starts with http:// or https://"))
    document = read_document(path)
    ai, providers = _providers_table(document)
    table = tomlkit.table()
    table["provider"] = p.provider
    table["base_url"] = (base_url or p.base_url).rstrip("/")
    table["model"] = model or p.model
    if api_key:
        table["api_key"] = api_key
    elif api_key_env or p.key_env:
        table["api_key_env"] = api_key_env or p.key_env
    providers[name] = table
    became_default = False
    current = str(ai.get("default", ""))
    if not current or current not in providers:
        ai["default"] = name
        became_default = True
    write_document(path, document)
    return name, became_default


def remove(path: Path, name: str) -> str:
    """Delete [ai.providers.NAME]; returns the default afterwards (moved when NAME was it)."""
    from nexus_blast.config import read_document, write_document

    document = read_document(path)
    ai, providers = _providers_table(document)
    if name not in providers:
        raise NotFound(_("unknown AI provider {name!r}").format(name=name), hint=_("see: blast ai list"))
    del providers[name]
    if str(ai.get("default", "")) == name or str(ai.get("default", "")) not in providers:
        ai["default"] = next(iter(providers), "")
    write_document(path, document)
    return str(ai["default"])


def set_default(path: Path, name: str) -> None:
    from nexus_blast.config import read_document, write_document

    document = read_document(path)
    ai, providers = _providers_table(document)
    if name not in providers:
        raise NotFound(_("unknown AI provider {name!r}").format(name=name), hint=_("see: blast ai list"))
    ai["default"] = name
    write_document(path, document)
