"""Test helpers for campaigns: a fast config pointing at sandbox sessions, contact CSVs, images."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

FAST = {
    # Always open: tests run at any hour; window tests set their own.
    "sending": {"delay": "0-0.05", "lookup_delay": "0-0", "window": "00:00-24:00", "days": "mon-sun"},
    "retry": {"attempts": 4, "backoff_initial": 0.01, "backoff_max": 0.05, "unhealthy_after": 3, "probe_interval": 0.3},
    "waha": {"timeout": 2.0, "connect_timeout": 1.0, "settle": 0.5},
}


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def configure(home: Path, sessions: dict[str, str], **sections: dict) -> Path:
    """Write HOME/config.toml: FAST settings (overridden by SECTIONS) and SESSIONS {name: url}."""
    merged = {name: dict(values) for name, values in FAST.items()}
    for name, values in sections.items():
        merged.setdefault(name, {}).update(values)
    lines = []
    for name, values in merged.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    for name, url in sessions.items():
        lines += [f"[sessions.{name}]", f'url = "{url}"']
    path = home / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def e164(i: int) -> str:
    return f"+55119{81000000 + i:08d}"


def write_contacts(path: Path, n: int, extra_rows: list[str] | None = None) -> Path:
    lines = ["nome;telefone;cidade"] + [f"Pessoa {i};(11) 9{81000000 + i:08d};São Paulo" for i in range(n)]
    path.write_text("\n".join(lines + (extra_rows or [])) + "\n", encoding="utf-8")
    return path


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
