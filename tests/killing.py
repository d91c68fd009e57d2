"""The kill-and-resume loop of the crash tests: `blast` run as a process, SIGKILLed at a point the
test chooses, then resumed, until its campaign completes."""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

RESUME = ["campaign", "resume", "1", "--yes", "--json"]


def campaign_status(db: Path) -> str:
    """Campaign 1's status, "" while it is not stored (no file, no tables yet, no row)."""
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            row = conn.execute("SELECT status FROM campaigns WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        return ""
    return row[0] if row else ""


def until_accepted(proc: subprocess.Popen, sandbox, target: int, timeout: float = 60.0) -> None:
    """Return once the sandbox has accepted TARGET sends (the kill point a crash test chose), or the
    process has ended, or after TIMEOUT seconds: whichever comes first; the test kills (or not) there.
    The sandbox's record is read every 5 ms: a kill lands within a request or two of TARGET."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and len(sandbox.sent()) < target and time.monotonic() < deadline:
        time.sleep(0.005)


def kill_and_resume(home: Path, start: list[str], kill: Callable[[subprocess.Popen], bool], *, max_kills: int,
                    timeout: float = 240.0, rounds: int | None = None, label: str = "") -> int:
    """Run `blast START` in HOME, then `campaign resume 1` while campaign 1 is not completed (START
    again while it is not stored yet: killed before that). KILL(proc) waits for the point it
    chooses and says whether to SIGKILL the process there; after MAX_KILLS kills every run goes to
    its end, so the loop finishes. Returns the kills. Past TIMEOUT seconds: AssertionError; past
    ROUNDS runs (when given): the kills, the campaign left as it is (the soak counts those)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {"BLAST_HOME": str(home)}
    db = home / "blast.db"
    command, kills = start, 0
    deadline = time.monotonic() + timeout
    for _ in range(rounds) if rounds is not None else itertools.count():
        if time.monotonic() > deadline:
            break
        proc = subprocess.Popen([sys.executable, "-m", "nexus_blast", *command], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        try:
            if kills < max_kills and kill(proc) and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        status = campaign_status(db)
        if status == "completed":
            return kills
        command = RESUME if status else start
    else:
        return kills  # ROUNDS runs and not completed: left as it is
    raise AssertionError(f"{label}: the campaign did not complete ({campaign_status(db)!r}) after {kills} kills")
