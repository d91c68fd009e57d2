"""`blast session pair` on a real terminal (a pty of a chosen size): the QR in explicit black on
white, redrawn in place as it rotates (no stacking), a one-line hint, the size it needs when the
terminal is too small; `--png FILE` writes it."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

from tests.terminal import PtyReader
from tests.waiting import wait_until


def _add(blast, name, url):
    assert blast("session", "add", name, "--url", url, "--json").exit_code == 0


def _pair_on_a_terminal(home, sb, columns: int, lines: int, *extra: str) -> tuple[int, str]:
    """Run `blast session pair novo` with stdout and stderr on a COLUMNS x LINES pty; the phone
    scans after two QRs were served. (exit code, everything the terminal got)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {"BLAST_HOME": str(home), "TERM": "xterm-256color"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    proc = subprocess.Popen([sys.executable, "-m", "nexus_blast", "session", "pair", "novo", "--interval", "0.05",
                             "--timeout", "60", *extra], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    reader = PtyReader(master)
    wait_until(lambda: sum(name == "novo" for name, _ in list(sb.world.qr_served)) >= 2, timeout=30, what="two QRs served")
    sb.pair("novo")
    code = proc.wait(60)
    return code, reader.close()


def test_the_qr_is_black_on_white_and_redrawn_in_place(blast, blast_home, make_sandbox):
    sb = make_sandbox(start_seconds=0.01, qr_first_seconds=0.3, qr_rotate_seconds=0.3)
    _add(blast, "novo", sb.url)
    code, screen = _pair_on_a_terminal(blast_home, sb, 100, 45)
    assert code == 0, screen
    assert "\x1b[38;5;16;48;5;231m" in screen  # explicit black on white
    assert "not scanning? --invert, or --code 55…" in screen
    redraws = screen.count("A\r\x1b[J")
    assert redraws >= 1, "a rotated QR must be redrawn over the old one"
    assert "refreshed, #2" in screen and "WORKING" in screen


def test_a_small_terminal_is_told_the_size_needed_and_png_is_written(blast, blast_home, make_sandbox, tmp_path):
    sb = make_sandbox(start_seconds=0.01, qr_first_seconds=0.3, qr_rotate_seconds=0.3)
    _add(blast, "novo", sb.url)
    png = tmp_path / "qr.png"
    code, screen = _pair_on_a_terminal(blast_home, sb, 80, 24, "--png", str(png))
    assert code == 0, screen
    flat = " ".join(screen.replace("\r", " ").split())
    assert "the terminal is 80x24, too small for the QR" in flat and f"open {png}" in flat
    assert "█" not in screen  # a cut QR does not scan: not drawn
    assert png.read_bytes().startswith(b"\x89PNG")

    code, screen = _pair_on_a_terminal(blast_home, make_sandbox_pairable(sb), 80, 24)
    flat = " ".join(screen.replace("\r", " ").split())
    assert "the terminal is 80x24; the QR needs" in flat and "--code 55…" in flat and "--png FILE" in flat


def make_sandbox_pairable(sb):
    """The same sandbox, its session logged out again so that it shows QRs."""
    import httpx

    httpx.post(f"{sb.url}/api/sessions/novo/logout", timeout=10)
    sb.world.qr_served.clear()
    return sb


def test_png_in_a_missing_directory_or_existing_without_yes_is_exit_2(blast, make_sandbox, tmp_path):
    sb = make_sandbox(start_seconds=0.01)
    _add(blast, "novo", sb.url)
    missing = blast("session", "pair", "novo", "--png", str(tmp_path / "nope" / "qr.png"), "--timeout", "1")
    assert missing.exit_code == 2 and "no such directory" in missing.stderr and "Traceback" not in missing.stderr
    existing = tmp_path / "qr.png"
    existing.write_bytes(b"mine")
    refused = blast("session", "pair", "novo", "--png", str(existing), "--timeout", "1")
    assert refused.exit_code == 2 and "--yes" in refused.stderr and existing.read_bytes() == b"mine"
