"""What a person sees around a send: one rendered sample and the image before `[y/N]`; a progress
line with the campaign id, per-session counts, messages per minute and a labelled ETA; `resume`
saying how many messages are pending and on which sessions."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

from tests.campaigns.helpers import configure, png_bytes, write_contacts
from tests.terminal import PtyReader
from tests.waiting import wait_until


def _on_a_terminal(home, args: list[str], answer: bytes | None = None, wait_for: bytes = b"") -> tuple[int, str]:
    """`blast ARGS` with stdin, stdout and stderr on a pty; ANSWER typed once WAIT_FOR is shown."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {
        "BLAST_HOME": str(home), "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    proc = subprocess.Popen([sys.executable, "-m", "nexus_blast", *args], stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    reader = PtyReader(master)
    if answer is not None:
        wait_until(lambda: wait_for in reader.seen(), timeout=60, what=f"{wait_for!r} on the terminal")
        os.write(master, answer)
    code = proc.wait(120)
    return code, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", reader.close())


def test_the_question_comes_after_one_rendered_sample_and_the_image(blast_home, sandbox, tmp_path):
    configure(blast_home, {"s1": sandbox.url})
    csv = write_contacts(tmp_path / "c.csv", 3)
    image = tmp_path / "promo.png"
    image.write_bytes(png_bytes(40, 40))
    code, screen = _on_a_terminal(blast_home, ["send", str(csv), "-m", "Oi {{nome}}, tudo bem?", "--image", str(image)],
                                  answer=b"n\n", wait_for=b"[y/N]")
    assert code == 2 and "cancelled" in screen
    sample = screen.index("--- sample: row 1 → +5511981000000 via s1 ---")
    assert screen.index("Oi Pessoa 0, tudo bem?") > sample
    shown = re.search(r"image: promo\.png \((\d+ B|[\d.]+ KB), image/png\)", screen)
    assert shown and sample < shown.start() < screen.index("[y/N]")
    assert sandbox.sent() == []


def test_the_progress_line_names_the_campaign_sessions_rate_and_eta(blast_home, sandbox, tmp_path):
    configure(blast_home, {"s1": sandbox.url, "s2": sandbox.url}, sending={"delay": "0.05-0.1"})
    csv = write_contacts(tmp_path / "c.csv", 8)
    code, screen = _on_a_terminal(blast_home, ["send", str(csv), "-m", "Oi {{nome}}", "--yes"])
    assert code == 0, screen
    assert "campaign 1" in screen and "8/8" in screen
    assert re.search(r"s1 \d+, s2 \d+|s2 \d+, s1 \d+", screen), screen
    assert re.search(r"\d+\.\d/min", screen) and "ETA" in screen
    assert len(sandbox.sent()) == 8


def test_resume_says_how_many_are_pending_and_on_which_sessions(blast, blast_home, sandbox, tmp_path):
    configure(blast_home, {"s1": sandbox.url, "s2": sandbox.url})
    csv = write_contacts(tmp_path / "c.csv", 6)
    assert blast("send", str(csv), "-m", "Oi {{nome}}", "--at", "+1h", "--yes").exit_code == 0
    assert blast("campaign", "pause", "1").exit_code == 0
    later = blast("campaign", "resume", "1", "--at", "+2h", "--yes")
    assert later.exit_code == 0, later.stderr
    said = re.search(r"campaign 1 \(.*\): 6 messages pending — (s\d) (\d), (s\d) (\d)", later.stderr)
    assert said, later.stderr
    assert {said.group(1), said.group(3)} == {"s1", "s2"} and int(said.group(2)) + int(said.group(4)) == 6
