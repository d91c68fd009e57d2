"""Where the config file and the database live (../shared/CLI.md, "Where things live")."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_DIR = "nexus-blast"


@dataclass(frozen=True)
class Paths:
    config: Path
    db: Path


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def _xdg_paths() -> Paths:
    return Paths(
        config=_xdg("XDG_CONFIG_HOME", ".config") / APP_DIR / "config.toml",
        db=_xdg("XDG_DATA_HOME", ".local/share") / APP_DIR / "blast.db",
    )


def resolve_paths(config: Path | None = None, db: Path | None = None) -> Paths:
    """BLAST_HOME, else XDG; explicit --config/--db win over both."""
    home = os.environ.get("BLAST_HOME")
    default = Paths(Path(home) / "config.toml", Path(home) / "blast.db") if home else _xdg_paths()
    return Paths(config=config or default.config, db=db or default.db)


def misplaced_config_warning(paths: Paths) -> str | None:
    """A warning when the config in use does not exist but one sits in the default place: the
    classic cron mistake (`blast init` wrote ~/.config/…, cron runs with BLAST_HOME=/srv/blast),
    which otherwise runs silently with no sessions, every minute, forever."""
    default = _xdg_paths().config
    if paths.config.exists() or paths.config == default or not default.is_file():
        return None
    why = f"BLAST_HOME={os.environ['BLAST_HOME']}" if os.environ.get("BLAST_HOME") else "--config"
    return (
        f"blast: warning: no config file at {paths.config} ({why}); the one at {default} is not used "
        f"(move it there, or run without {why.split('=')[0]})"
    )
