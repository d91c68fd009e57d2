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


def resolve_paths(config: Path | None = None, db: Path | None = None) -> Paths:
    """BLAST_HOME, else XDG; explicit --config/--db win over both."""
    home = os.environ.get("BLAST_HOME")
    if home:
        default_config = Path(home) / "config.toml"
        default_db = Path(home) / "blast.db"
    else:
        default_config = _xdg("XDG_CONFIG_HOME", ".config") / APP_DIR / "config.toml"
        default_db = _xdg("XDG_DATA_HOME", ".local/share") / APP_DIR / "blast.db"
    return Paths(config=config or default_config, db=db or default_db)
