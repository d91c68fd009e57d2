"""Test helpers for campaigns: a fast config pointing at sandbox sessions, contact CSVs, images."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

FAST = {
    # Always open: tests run at any hour; window tests set their own.
    # No rests and no warm-up ramp (a day 1 of 1,000,000 is warm at once): tests of those set their own.
    "sending": {"delay": "0-0.05", "lookup_delay": "0-0", "window": "00:00-24:00", "days": "mon-sun", "batch": "0", "rest": "0"},
    "warmup": {"start": 1_000_000},
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


# --- minimal media files, valid by their headers (what blast checks) ---------------------------


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def mp4_bytes(brand: bytes = b"isom") -> bytes:
    """An ISO media file: an `ftyp` box (BRAND `M4A ` makes it audio) and an empty `mdat`."""
    import struct

    ftyp = brand + b"\x00\x00\x02\x00" + brand + b"iso2mp41"
    return struct.pack(">I", 8 + len(ftyp)) + b"ftyp" + ftyp + struct.pack(">I", 16) + b"mdat" + bytes(8)


def ogg_opus_bytes() -> bytes:
    """An OGG page carrying an `OpusHead` packet (what a voice note starts with)."""
    import struct

    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIh", 312, 48000, 0) + b"\x00"
    page = b"OggS\x00\x02" + bytes(8) + struct.pack("<II", 0x1234, 0) + bytes(4) + bytes([1, len(head)])
    return page + head + b"OggS\x00\x00" + bytes(40)


def mp3_bytes() -> bytes:
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + (b"\xff\xfb\x90\x64" + bytes(413)) * 3


def wav_bytes() -> bytes:
    import struct

    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    data = bytes(160)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def docx_bytes() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


HTML = b"<!DOCTYPE html><html><head><title>Login</title></head><body>Entrar</body></html>"
