"""Shell completion (`blast --install-completion`): session names, campaign ids, contact list
names, AI provider names. Each callback reads the config file or the database only when the shell
asks, read-only, and answers nothing rather than fail: a completion must never print an error."""

from __future__ import annotations

from pathlib import Path

import typer


def _paths(ctx: typer.Context):
    from nexus_blast.paths import resolve_paths

    params = ctx.find_root().params if ctx is not None else {}
    config, db = params.get("config"), params.get("db")
    return resolve_paths(Path(config) if config else None, Path(db) if db else None)


def _config(ctx: typer.Context) -> dict:
    import tomllib

    try:
        with open(_paths(ctx).config, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, ValueError):
        return {}


def _matching(names, incomplete: str) -> list:
    return [n for n in names if (n[0] if isinstance(n, tuple) else n).startswith(incomplete)]


def session_names(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        return _matching(sorted(_config(ctx).get("sessions", {}) or {}), incomplete)
    except Exception:  # noqa: BLE001 — a completion never fails loudly
        return []


def session_list(ctx: typer.Context, incomplete: str) -> list[str]:
    """`--session a,b,…`: the next name after the ones already typed."""
    done, _, last = incomplete.rpartition(",")
    prefix = done + "," if done else ""
    taken = set(done.split(","))
    return [prefix + n for n in session_names(ctx, last) if n not in taken]


def campaign_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    try:
        from nexus_blast.store.names import campaign_ids as ids

        return _matching(ids(_paths(ctx).db), incomplete)
    except Exception:  # noqa: BLE001
        return []


def list_names(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        from nexus_blast.store.names import list_names as names

        return _matching(names(_paths(ctx).db), incomplete)
    except Exception:  # noqa: BLE001
        return []


def provider_names(ctx: typer.Context, incomplete: str) -> list[str]:
    """Configured AI providers (`[ai.providers.NAME]`)."""
    try:
        providers = (_config(ctx).get("ai", {}) or {}).get("providers", {}) or {}
        return _matching(sorted(providers), incomplete)
    except Exception:  # noqa: BLE001
        return []


def provider_kinds(incomplete: str) -> list[tuple[str, str]]:
    """What `blast ai add` knows: groq, openrouter, … ollama."""
    try:
        from nexus_blast.ai.presets import PRESETS

        return _matching([(name, "free, local" if name == "ollama" else "") for name in PRESETS], incomplete)
    except Exception:  # noqa: BLE001
        return []
