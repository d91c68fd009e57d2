"""One property-style run: a small campaign through the faulty proxy (random faults at random
sends), `blast send` / `blast campaign resume` killed with SIGKILL at random points and resumed
until it completes, then checked for exactly-once against the sandbox's record of accepted sends.

Shared by tests/cli/test_send.py (a few seeds) and bench/soak (the big run)."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from nexus_blast.sandbox.server import SandboxServer
from tests.campaigns.helpers import configure, e164, write_contacts
from tests.killing import campaign_status, kill_and_resume, until_accepted
from tests.waha.proxy import FaultyProxy

VERSIONS = ("2026.7.1", "2026.2.1")  # own message ids / text match only
TIMEOUT, SETTLE = 1.0, 1.0  # the decision window is their sum: `late` forwards stay inside it


@dataclass
class ChaosResult:
    seed: int
    contacts: int
    kills: int
    faults: int
    duplicates: int
    losses: int
    status: str
    version: str


def run_chaos(seed: int, n: int, workdir: Path, *, max_kills: int = 3, rate: float | None = None) -> ChaosResult:
    rng = random.Random(seed)
    version = rng.choice(VERSIONS)
    home = workdir / f"home{seed}"
    home.mkdir(parents=True)
    csv = write_contacts(workdir / f"c{seed}.csv", n)
    with SandboxServer(sessions=("s1", "s2"), version=version, ack_delay=0.02) as sb, FaultyProxy(
        sb.url, rate=rng.uniform(0.05, 0.2) if rate is None else rate, seed=seed, stall=3.0, late=1.3,
    ) as proxy:
        configure(
            home, {"s1": proxy.url, "s2": proxy.url},
            sending={"delay": "0-0.02"}, waha={"timeout": TIMEOUT, "connect_timeout": 1.0, "settle": SETTLE},
        )
        def kill(proc) -> bool:  # at a random accepted send, mid-request included
            if rng.random() >= 0.7:
                return False
            until_accepted(proc, sb, len(sb.sent()) + rng.randrange(1, max(2, n // 3)))
            time.sleep(rng.uniform(0.0, 0.05))  # a random instant around it
            return True

        command = ["send", str(csv), "-m", "Oi {{nome}}", "--yes", "--json"]
        kills = kill_and_resume(home, command, kill, max_kills=max_kills, rounds=max_kills + 8, timeout=900)
        chats = Counter(m["chatId"] for m in sb.sent())
        expected = {e164(i)[1:] + "@c.us" for i in range(n)}
        return ChaosResult(
            seed, n, kills, len(proxy.faulted), sum(c - 1 for c in chats.values()), len(expected - set(chats)),
            campaign_status(home / "blast.db"), version,
        )
