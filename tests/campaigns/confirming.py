"""Confirm-first end to end, shared by tests/cli/test_send_confirm_first.py: 50 contacts whose
sandbox replies are scripted (20 yes, 5 SAIR, 25 silent), replies recorded by `campaign sync`
polling in a thread (as a cron job would), and optional SIGKILLs of `blast` at random points."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.campaigns.helpers import e164, write_contacts
from tests.killing import campaign_status, kill_and_resume, until_accepted

QUESTION = "Oi {{nome|}}, posso te mandar a oferta de dezembro?"
OFFER = "Oferta de dezembro para {{nome}}: 20% off."
YES, SAIR = range(0, 20), range(20, 25)  # the rest (25..49) stay silent


def script_replies(sandbox, *, delay: float = 0.1) -> None:
    """Contacts 0-19 answer the question "sim", 20-24 "SAIR"; nobody answers the offer."""
    rules = [{"phone": e164(i)[1:], "contains": "posso te mandar", "text": "sim, pode mandar", "delay": delay} for i in YES]
    rules += [{"phone": e164(i)[1:], "contains": "posso te mandar", "text": "SAIR", "delay": delay} for i in SAIR]
    sandbox.replies(*rules)


class SyncLoop:
    """`campaign sync` for campaign 1 every INTERVAL seconds in a thread, once the campaign exists."""

    def __init__(self, home: Path, interval: float = 0.2) -> None:
        self.home, self.interval = home, interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.errors: list[str] = []

    def __enter__(self) -> SyncLoop:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=60)

    def _run(self) -> None:
        from nexus_blast.config import load_settings
        from nexus_blast.store.db import open_database
        from nexus_blast.webhook.sync import sync_campaign

        while not self.stop.is_set() and campaign_status(self.home / "blast.db") == "":
            self.stop.wait(0.05)
        settings = load_settings(self.home / "config.toml")
        db = open_database(self.home / "blast.db")
        try:
            while not self.stop.is_set():
                try:
                    asyncio.run(sync_campaign(db, settings, 1))
                except Exception as exc:  # a locked database under load: the next round retries
                    self.errors.append(repr(exc))
                self.stop.wait(self.interval)
        finally:
            db.conn.close()


@dataclass
class Tally:
    questions: Counter  # chat → questions the sandbox accepted
    offers: Counter  # chat → offers
    rows: Counter  # (status, error) of the campaign's rows
    kills: int = 0


def tally(sandbox, db: Path, kills: int = 0) -> Tally:
    sent = sandbox.sent()
    questions = Counter(m["chatId"] for m in sent if "posso te mandar" in m["text"])
    offers = Counter(m["chatId"] for m in sent if m["text"].startswith("Oferta"))
    with sqlite3.connect(db) as conn:
        rows = Counter(conn.execute("SELECT status, error FROM messages WHERE campaign_id = 1").fetchall())
    return Tally(questions, offers, rows, kills)


def chat(i: int) -> str:
    return e164(i)[1:] + "@c.us"


def run_killed(seed: int, home: Path, csv: Path, sandbox, *, window: str = "6s", max_kills: int = 3) -> int:
    """`blast send --confirm-first` killed with SIGKILL at random points (while questions or offers
    go out, or while it waits for replies) and resumed until the campaign completes; the kills."""
    rng = random.Random(seed)
    command = ["send", str(csv), "-m", OFFER, "--confirm-first", QUESTION, "--confirm-window", window, "--yes", "--json"]
    first = True

    def kill(proc) -> bool:
        nonlocal first
        if not (first or rng.random() < 0.8):
            return False
        first = False
        if rng.random() < 0.7:  # at a random send (a question or an offer), mid-request included
            until_accepted(proc, sandbox, len(sandbox.sent()) + rng.randrange(1, 25))
            time.sleep(rng.uniform(0.0, 0.03))
        else:  # while it waits for replies
            time.sleep(rng.uniform(1.0, 4.0))
        return True

    return kill_and_resume(home, command, kill, max_kills=max_kills, label=f"seed {seed}")


def write_50(path: Path) -> Path:
    return write_contacts(path, 50)
