"""What the root callback learned (paths, flags), shared with every command of one invocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nexus_blast.paths import Paths, misplaced_config_warning, resolve_paths


def warn_if_config_misplaced(paths: Paths, stamp=None) -> None:
    """STAMP: how run-due/worker mark their lines (cli/logs.stamper), or None."""
    import sys

    warning = misplaced_config_warning(paths)
    if warning:
        sys.stderr.write((stamp(warning) if stamp else warning) + "\n")


@dataclass
class State:
    paths: Paths
    debug: bool = False
    stamp: Any = None  # run-due/worker: their warnings are stamped like their log lines
    _settings: Any = field(default=None, repr=False)
    _db: Any = field(default=None, repr=False)

    def settings(self):
        """The effective settings (loaded once, on first use: pydantic is heavy)."""
        if self._settings is None:
            from nexus_blast.config import load_settings

            warn_if_config_misplaced(self.paths, self.stamp)
            self._settings = load_settings(self.paths.config)
        return self._settings

    def reload_settings(self):
        self._settings = None
        return self.settings()

    def db(self):
        """The migrated database (opened once, on first use)."""
        if self._db is None:
            from nexus_blast.store.db import open_database

            self._db = open_database(self.paths.db)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.conn.close()
            self._db = None


_current: State | None = None


def set_state(config: Path | None, db: Path | None, debug: bool) -> State:
    global _current
    if _current is not None:
        _current.close()
    _current = State(paths=resolve_paths(config, db), debug=debug)
    return _current


def current() -> State:
    """The state of this invocation (set by the root callback)."""
    if _current is None:
        return set_state(None, None, False)
    return _current
