"""Names for shell completion: campaign ids and contact lists, read-only, plain sqlite3 (no
migrations, nothing created; a missing or unreadable database is no names)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def _rows(path: Path, sql: str) -> list[tuple]:
    if not path.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return []
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def campaign_ids(path: Path, limit: int = 200) -> list[tuple[str, str]]:
    """(id, "name (status)"), newest first."""
    return [(str(i), f"{name} ({status})") for i, name, status in
            _rows(path, f"SELECT id, name, status FROM campaigns ORDER BY id DESC LIMIT {int(limit)}")]


def list_names(path: Path) -> list[str]:
    return [name for (name,) in _rows(path, "SELECT name FROM contact_lists ORDER BY name")]
