"""`blast send --confirm-first` end to end against the sandbox: the question to everyone, the offer
only to who replied (not with an opt-out word) within the window, `no_confirmation` for the silent,
exactly once through SIGKILLs, in the foreground and through run-due / worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.campaigns.confirming import (
    OFFER, QUESTION, SAIR, YES, SyncLoop, campaign_status, chat, run_killed, script_replies, tally, write_50,
)
from tests.campaigns.helpers import configure
from tests.waiting import wait_until

EXPECTED_ROWS = {("sent", ""): 20, ("skipped", "opted_out"): 5, ("skipped", "no_confirmation"): 25}


def _exact(t) -> None:
    assert set(t.questions) == {chat(i) for i in range(50)} and set(t.questions.values()) == {1}
    assert set(t.offers) == {chat(i) for i in YES} and set(t.offers.values()) == {1}
    assert dict(t.rows) == EXPECTED_ROWS


@pytest.fixture
def csv(blast_home, make_sandbox, tmp_path):
    sandbox = make_sandbox(sessions=("s1", "s2"), ack_delay=0.01)
    configure(blast_home, {"s1": sandbox.url, "s2": sandbox.url}, sending={"delay": "0-0.02"})
    script_replies(sandbox)
    return sandbox, write_50(tmp_path / "contatos.csv")


def test_50_contacts_20_yes_5_sair_25_silent(blast, csv, blast_home):
    sandbox, path = csv
    with SyncLoop(blast_home):
        result = blast("send", path, "-m", OFFER, "--confirm-first", QUESTION, "--confirm-window", "5s", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert (doc["status"], doc["sent"], doc["skipped"], doc["pending"]) == ("completed", 20, 30, 0)
    t = tally(sandbox, blast_home / "blast.db")
    _exact(t)
    questions = [m for m in sandbox.sent() if "posso te mandar" in m["text"]]
    assert {m["text"] for m in questions if m["chatId"] == chat(3)} == {"Oi Pessoa 3, posso te mandar a oferta de dezembro?"}
    assert {m["session"] for m in sandbox.sent() if m["chatId"] == chat(3)} in ({"s1"}, {"s2"})  # one session per contact
    shown = blast("campaign", "show", "1", "--json").json()["confirm_first"]
    assert {k: shown[k] for k in ("asked", "awaiting", "confirmed", "no_confirmation", "opted_out", "offers_sent")} == {
        "asked": 50, "awaiting": 0, "confirmed": 20, "no_confirmation": 25, "opted_out": 5, "offers_sent": 20,
    }
    assert shown["window_seconds"] == 5 and shown["question"] == QUESTION
    report = blast("campaign", "report", "1", "--format", "json")
    assert report.exit_code == 0


@pytest.mark.parametrize("seed", [3, 11])
def test_sigkill_at_random_points_then_resume_keeps_the_counts_exact(csv, blast_home, seed):
    sandbox, path = csv
    with SyncLoop(blast_home):
        kills = run_killed(seed, blast_home, path, sandbox)
    t = tally(sandbox, blast_home / "blast.db", kills)
    _exact(t)
    assert kills >= 1


def test_run_due_and_worker_send_the_confirmed_offers_and_close_the_window(blast, csv, blast_home):
    sandbox, path = csv
    scheduled = blast("send", path, "-m", OFFER, "--confirm-first", QUESTION, "--confirm-window", "5s",
                      "--at", "+1s", "--yes", "--json")
    assert scheduled.exit_code == 0 and scheduled.json()["status"] == "scheduled", scheduled.stderr
    _run_due_once_due(blast, blast_home)  # the questions, then handed back: run-due does not sit on it
    assert campaign_status(blast_home / "blast.db") == "paused"
    show = blast("campaign", "show", "1", "--json").json()
    assert show["resume_on_due"] is True and show["confirm_first"]["asked"] == 50
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {"BLAST_HOME": str(blast_home)}
    worker = subprocess.Popen([sys.executable, "-m", "nexus_blast", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        with SyncLoop(blast_home):
            wait_until(lambda: campaign_status(blast_home / "blast.db") == "completed", timeout=120, what="the worker completing it")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    _exact(tally(sandbox, blast_home / "blast.db"))


def _run_due_once_due(blast, home) -> None:
    """`run-due` until the scheduled campaign has come due and been run once."""

    def ran() -> bool:
        result = blast("run-due", "--json")
        assert result.exit_code == 0, result.stderr
        return campaign_status(home / "blast.db") != "scheduled"

    wait_until(ran, timeout=30, what="the campaign coming due")


def test_cancel_while_waiting_skips_the_awaiting_questions(blast, csv, blast_home):
    sandbox, path = csv
    sandbox._control("DELETE", "/replies")  # nobody answers
    scheduled = blast("send", path, "-m", OFFER, "--confirm-first", QUESTION, "--confirm-window", "1h",
                      "--at", "+1s", "--yes", "--json")
    assert scheduled.exit_code == 0, scheduled.stderr
    _run_due_once_due(blast, blast_home)
    assert blast("campaign", "show", "1", "--json").json()["confirm_first"]["awaiting"] == 50
    cancelled = blast("campaign", "cancel", "1", "--yes", "--json")
    assert cancelled.exit_code == 0 and cancelled.json()["status"] == "cancelled"
    t = tally(sandbox, blast_home / "blast.db")
    assert dict(t.rows) == {("skipped", "cancelled"): 50} and not t.offers


def test_bad_confirm_options_are_exit_2_before_anything_is_sent(blast, csv, blast_home):
    sandbox, path = csv
    for args in (
        ["--confirm-first", QUESTION, "--confirm-window", "soon"],
        ["--confirm-first", QUESTION, "--confirm-window", "0m"],
        ["--confirm-first", QUESTION, "--confirm-window", "40d"],
        ["--confirm-window", "24h"],  # without --confirm-first
        ["--confirm-first", "Oi {{apelido}}, posso?"],  # a placeholder the file lacks
        ["--confirm-first", "  "],
    ):
        result = blast("send", path, "-m", OFFER, *args, "--yes", "--json")
        assert result.exit_code == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1
    assert sandbox.sent() == []


def test_dry_run_and_test_send_show_the_question_before_the_offer(blast, csv):
    sandbox, path = csv
    plan = blast("send", path, "-m", OFFER, "--confirm-first", QUESTION, "--dry-run", "--preview", "1", "--json")
    assert plan.exit_code == 0, plan.stderr
    [item] = plan.json()["preview"]
    assert item["question"] == "Oi Pessoa 0, posso te mandar a oferta de dezembro?" and item["text"].startswith("Oferta")
    human = blast("send", path, "-m", OFFER, "--confirm-first", QUESTION, "--dry-run", "--preview", "1")
    assert "[question] Oi Pessoa 0, posso te mandar" in human.stdout and "[then, to who replies] Oferta" in human.stdout
    sandbox._control("DELETE", "/replies")
    test = blast("send", path, "-m", OFFER, "--confirm-first", QUESTION, "--test-to", "+5521998887777", "--test-only", "--json")
    assert test.exit_code == 0, test.stderr
    assert [m["text"][:6] for m in sandbox.sent()] == ["Oi Pes", "Oferta"]
    assert [t.get("phase") for t in test.json()["test"]] == ["ask", None]


class _Receiver:
    """`blast`'s webhook receiver on a loopback port, the sandbox's session webhook pointing at it."""

    def __init__(self, blast, blast_home, sandbox) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        configure(blast_home, {}, sending={"delay": "0-0.02"})
        added = blast("session", "add", "s1", "--url", sandbox.url, "--webhook", f"http://127.0.0.1:{self.port}/webhook",
                      "--webhook-hmac-key", "confirm-first-hmac-key-0123456789", "--json")
        assert added.exit_code == 0, added.stderr
        self.home = blast_home

    def __enter__(self):
        from nexus_blast.config import load_settings
        from nexus_blast.serving import ThreadedServer
        from nexus_blast.store.db import open_database
        from nexus_blast.webhook.app import create_app

        self.db = open_database(self.home / "blast.db")
        self.server = ThreadedServer(create_app(self.db, load_settings(self.home / "config.toml")), port=self.port).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()
        self.db.conn.close()


def test_unattended_with_the_webhook_receiver_instead_of_sync(blast, blast_home, make_sandbox, tmp_path):
    """No `campaign sync`: the sandbox's session webhook posts each reply to `blast`'s receiver."""
    sandbox = make_sandbox(sessions=("s1",), ack_delay=0.01)
    receiver = _Receiver(blast, blast_home, sandbox)
    script_replies(sandbox)
    path = write_50(tmp_path / "contatos.csv")
    with receiver:
        result = blast("send", path, "-m", OFFER, "--confirm-first", QUESTION, "--confirm-window", "5s", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    _exact(tally(sandbox, blast_home / "blast.db"))


@pytest.mark.parametrize("seed", [int(s) for s in os.environ.get("CONFIRM_SEEDS", "5").split(",")])  # more: CONFIRM_SEEDS=1,2,3
def test_sigkill_with_the_webhook_receiver_keeps_the_counts_exact(blast, blast_home, make_sandbox, tmp_path, seed):
    """A reply that comes while its question's outcome is unknown (killed mid-request) finds no
    sent message to attach to; the contact still wrote, so the question is confirmed on resume."""
    sandbox = make_sandbox(sessions=("s1",), ack_delay=0.01)
    receiver = _Receiver(blast, blast_home, sandbox)
    script_replies(sandbox)
    path = write_50(tmp_path / "contatos.csv")
    with receiver:
        kills = run_killed(seed, blast_home, path, sandbox)
    _exact(tally(sandbox, blast_home / "blast.db", kills))
    assert kills >= 1
