"""`send --ab-test N% --ab-wait D`: the test share split across variants, a wait (paused, due), then
the rest with the leader by run-due, exactly once, within one campaign."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from tests.campaigns.helpers import configure, write_contacts
from tests.waiting import wait_until


def rows(home, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(home / "blast.db") as conn:
        return conn.execute(sql, args).fetchall()


def test_ab_test_sends_the_rest_with_the_leader(blast, make_sandbox, blast_home, tmp_path):
    sandbox = make_sandbox(sessions=("s1",))
    sandbox.replies({"contains": "Texto B", "text": "Quero!", "delay": 0})  # every B gets an answer
    configure(blast_home, {"s1": sandbox.url}, sending={"delay": "0-0"})
    contacts = write_contacts(tmp_path / "c.csv", 20)
    plan = blast("send", contacts, "-m", "Texto A {{nome}}", "-m", "Texto B {{nome}}", "--ab-test", "20%",
                 "--ab-wait", "1s", "--dry-run", "--json")
    assert plan.exit_code == 0 and plan.json()["ab_test"] == {"share": 0.2, "wait_seconds": 1.0, "test_messages": 4, "held": 16}
    human = blast("send", contacts, "-m", "Texto A {{nome}}", "-m", "Texto B {{nome}}", "--ab-test", "20%", "--dry-run")
    assert "A/B test: the first 4 messages" in human.stderr and "the other 16" in human.stderr
    first = blast("send", contacts, "-m", "Texto A {{nome}}", "-m", "Texto B {{nome}}", "--ab-test", "20%",
                  "--ab-wait", "1h", "--yes", "--json")
    assert first.exit_code == 0, first.stderr
    doc = first.json()
    assert (doc["status"], doc["sent"], doc["pending"]) == ("paused", 4, 16)
    assert "waiting for replies" in doc["reason"]
    assert Counter(m["text"].split()[1] for m in sandbox.sent()) == Counter({"A": 2, "B": 2})
    cid = doc["campaign"]
    # a later `campaign sync` (or the receiver) records the replies: B answered, A did not
    wait_until(lambda: sum(r["delivered"] for r in sandbox.replies()["scheduled"]) == 2, what="the replies to B")
    assert blast("campaign", "sync", str(cid), "--json").json()["replies"] == 2
    early = blast("run-due", "--json")  # before the wait is over: nothing more is sent
    assert len(sandbox.sent()) == 4, early.stdout
    resumed = blast("campaign", "resume", str(cid), "--yes", "--json")  # a person too early: still waiting
    assert resumed.json()["status"] == "paused" and len(sandbox.sent()) == 4
    past = "2020-01-01T00:00:00.000+00:00"  # the hour has passed
    with sqlite3.connect(blast_home / "blast.db") as conn:
        conn.execute("UPDATE campaigns SET scheduled_at = ?, options = json_set(options, '$.ab.decide_at', ?)", (past, past))
    done = blast("run-due", "--json")
    assert done.exit_code == 0, done.stderr
    assert len(sandbox.sent()) == 20
    texts = [m["text"] for m in sandbox.sent()]
    assert len(set(m["chatId"] for m in sandbox.sent())) == 20  # nobody twice
    assert all(t.startswith("Texto B") for t in texts[4:])
    shown = blast("campaign", "show", str(cid), "--json").json()
    assert shown["status"] == "completed" and shown["sent"] == 20
    assert (shown["ab_test"]["state"], shown["ab_test"]["leader"]) == ("decided", 2)
    assert shown["ab_test"]["statement"].startswith("rest sent with B")
    assert [v["sent"] for v in shown["variants"]] == [2, 18]
    assert rows(blast_home, "SELECT count(*) FROM messages WHERE held = 1") == [(0,)]
    assert blast("run-due", "--json").exit_code == 0 and len(sandbox.sent()) == 20  # exactly once


def test_ab_test_with_one_variant_is_exit_2(blast, blast_home, tmp_path):
    configure(blast_home, {"s1": "http://127.0.0.1:9"})
    contacts = write_contacts(tmp_path / "c.csv", 4)
    one = blast("send", contacts, "-m", "Oi {{nome}}", "--ab-test", "20%", "--yes")
    assert one.exit_code == 2 and "--ab-test" in one.stderr
    assert blast("send", contacts, "-m", "A", "-m", "B", "--ab-test", "150%", "--yes").exit_code == 2
    assert blast("send", contacts, "-m", "A", "-m", "B", "--ab-test", "20%", "--ab-wait", "soon", "--yes").exit_code == 2
    assert blast("send", contacts, "-m", "A", "--ab-wait", "2h", "--yes").exit_code == 2
    assert not (blast_home / "blast.db").exists()  # refused before anything was opened or stored


@pytest.mark.parametrize("seed", [3, 11])
def test_ab_test_killed_at_random_points_sends_everyone_once(tmp_path, seed):
    """SIGKILL during the test phase, the wait and the rest, resumed until done: every contact got
    exactly one message, the test phase's split is kept and the rest all got the leader's text
    (no replies: the first variant)."""
    import random
    import time

    from nexus_blast.sandbox.server import SandboxServer
    from tests.killing import kill_and_resume

    rng = random.Random(seed)
    n = 15
    home = tmp_path / "home"
    home.mkdir()
    csv = write_contacts(tmp_path / "c.csv", n)

    def kill(_proc) -> bool:  # at a random moment of six of the runs at most: the rest go to their end
        if rng.random() >= 0.6:
            return False
        time.sleep(rng.uniform(0.05, 0.8))
        return True

    with SandboxServer(sessions=("s1",), ack_delay=0.02) as sb:
        configure(home, {"s1": sb.url}, sending={"delay": "0-0.02"})
        command = ["send", str(csv), "-m", "Texto A {{nome}}", "-m", "Texto B {{nome}}", "--ab-test", "40%",
                   "--ab-wait", "1s", "--yes", "--json"]
        kills = kill_and_resume(home, command, kill, max_kills=6, label=f"seed {seed}")
        sent = sb.sent()
    assert kills >= 1  # both seeds kill the first run (it lasts past its kill point: the 1 s wait alone)
    chats = Counter(m["chatId"] for m in sent)
    assert len(chats) == n and set(chats.values()) == {1}
    words = Counter(m["text"].split()[1] for m in sent)
    assert words == Counter({"A": n - 3, "B": 3})  # 40% of 15 = 6 tested (3 + 3); the other 9 got A
