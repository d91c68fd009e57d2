"""Where the config file and the database live (../shared/CLI.md, "Where things live"), and how
blast creates directories and files that may hold personal data or keys: owner-only."""

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
    """`blast: warning: …` when the config in use is misplaced (see misplaced_config)."""
    problem = misplaced_config(paths)
    if problem is None:
        return None
    from nexus_blast.i18n import _

    return _("blast: warning: {problem}").format(problem=problem)


def misplaced_config(paths: Paths) -> str | None:
    """A warning when the config in use does not exist but one sits in the default place: the
    classic cron mistake (`blast init` wrote ~/.config/…, cron runs with BLAST_HOME=/srv/blast),
    which otherwise runs silently with no sessions, every minute, forever."""
    default = _xdg_paths().config
    if paths.config.exists() or paths.config == default or not default.is_file():
        return None
    from nexus_blast.i18n import _

    why = f"BLAST_HOME={os.environ['BLAST_HOME']}" if os.environ.get("BLAST_HOME") else "--config"
    return _(
        "no config file at {path} ({why}); the one at {default} is not used "
        "(move it there, or run without {option})"
    ).format(path=paths.config, why=why, default=default, option=why.split("=")[0])


def ensure_private_dir(path: Path) -> None:
    """Create PATH and its missing parents with mode 0700 (mkdir's mode is cut by the umask, so it
    is set again); directories that already exist are left as their owner made them."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(directory, 0o700)


def open_private(path: Path):
    """PATH opened for writing text (UTF-8, newlines as written), created or truncated, mode 0600
    even when it existed with a wider mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        return os.fdopen(fd, "w", encoding="utf-8", newline="")
    except BaseException:
        os.close(fd)
        raise
