"""Measured variants through the real entry point: `-m` / `--message-file` twice, the split stored
per message, per-variant results and the leader in `campaign show`; the done-when A/B run."""

from __future__ import annotations

import sqlite3

import pytest

from nexus_blast.config import Settings
from nexus_blast.serving import ThreadedServer
from nexus_blast.store.db import open_database
from nexus_blast.waha.client import WahaClient, run_sync
from nexus_blast.webhook.app import create_app
from tests.campaigns.helpers import configure, write_contacts
from tests.waiting import wait_until


def rows(home, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(home / "blast.db") as conn:
        return conn.execute(sql, args).fetchall()


def test_two_messages_are_split_evenly_and_stored(blast, sandbox, blast_home, tmp_path):
    configure(blast_home, {"s1": sandbox.url})
    result = blast("send", write_contacts(tmp_path / "c.csv", 10), "-m", "A: oi {{nome}}", "-m", "B: olá {{nome}}",
                   "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    cid = result.json()["campaign"]
    stored = rows(blast_home, "SELECT variant, text FROM messages ORDER BY seq")
    assert sorted(v for v, _ in stored) == [0] * 5 + [1] * 5
    assert all(text.startswith("AB"[v]) for v, text in stored)
    shown = blast("campaign", "show", str(cid), "--json").json()
    assert [(v["label"], v["sent"], v["text"]) for v in shown["variants"]] == [
        ("A", 5, "A: oi {{nome}}"), ("B", 5, "B: olá {{nome}}")]
    assert shown["leader"]["variant"] is None and shown["leader"]["statement"].startswith("not enough data")
    human = blast("campaign", "show", str(cid))
    assert "A: oi {{nome}}" in human.stdout and "leader: not enough data" in human.stderr


def test_message_files_twice_and_a_missing_placeholder_names_the_file(blast, blast_home, tmp_path):
    configure(blast_home, {"s1": "http://127.0.0.1:9"})
    contacts = write_contacts(tmp_path / "c.csv", 4)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Oi {{nome}}!\n", encoding="utf-8")
    b.write_text("Olá {{nome}}, seu cupom: {{cupom}}\n", encoding="utf-8")
    bad = blast("send", contacts, "--message-file", a, "--message-file", b, "--yes")
    assert bad.exit_code == 2
    assert str(b) in bad.stderr and "{{cupom}}" in bad.stderr and len(bad.stderr.strip().splitlines()) <= 2
    assert rows(blast_home, "SELECT count(*) FROM campaigns") == [(0,)]
    b.write_text("Olá {{nome}}!\n", encoding="utf-8")
    plan = blast("send", contacts, "--message-file", a, "--message-file", b, "--dry-run", "--json")
    assert plan.exit_code == 0, plan.stderr
    assert sorted(p["variant"] for p in plan.json()["preview"]) == [1, 1, 2, 2]


def test_one_message_keeps_variant_0_and_no_variant_results(blast, sandbox, blast_home, tmp_path):
    configure(blast_home, {"s1": sandbox.url})
    result = blast("send", write_contacts(tmp_path / "c.csv", 3), "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 0 and "variants" not in result.json()
    assert rows(blast_home, "SELECT DISTINCT variant FROM messages") == [(0,)]
    assert "variants" not in blast("campaign", "show", str(result.json()["campaign"]), "--json").json()


@pytest.fixture
def receiver(blast_home):
    """The webhook receiver on blast_home's database (what `blast webhook serve` runs)."""
    db = open_database(blast_home / "blast.db")
    servers = []

    def start(settings: Settings) -> str:
        server = ThreadedServer(create_app(db, settings)).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()
    db.conn.close()


def test_ab_campaign_counts_replies_by_variant_and_names_the_leader(blast, make_sandbox, blast_home, tmp_path, receiver):
    """Done when: 200 contacts, two variants, the sandbox answers 30 % of A and 5 % of B through
    real `message` webhooks: `campaign show --json` has the right counts and names A the leader."""
    sandbox = make_sandbox(sessions=("s1",))
    configure(blast_home, {"s1": sandbox.url}, sending={"delay": "0-0"})
    hook = receiver(Settings(sessions={"s1": {"url": sandbox.url}}))

    async def point_webhooks():
        async with WahaClient(sandbox.url) as waha:
            await waha.update_session("s1", {"webhooks": [{"url": f"{hook}/webhook", "events": ["message", "message.ack"]}]})

    run_sync(point_webhooks())
    sandbox.replies({"contains": "Variante A", "share": 0.3, "text": "Quero! Quanto custa?", "delay": 0.05},
                    {"contains": "Variante B", "share": 0.05, "text": "Tenho interesse", "delay": 0.05},
                    {"contains": "Variante", "share": 0.0, "text": "never"})
    result = blast("send", write_contacts(tmp_path / "c.csv", 200), "-m", "Variante A: oi {{nome}}, temos horário!",
                   "-m", "Variante B: {{nome}}, confira a oferta", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    cid = result.json()["campaign"]
    wait_until(lambda: rows(blast_home, "SELECT count(*) FROM messages WHERE replied_at IS NOT NULL")[0][0] == 35,
               timeout=60, what="35 replies recorded by the receiver")
    shown = blast("campaign", "show", str(cid), "--json").json()
    assert (shown["sent"], shown["replied"], shown["reply_rate"], shown["opted_out"]) == (200, 35, 0.175, 0)
    a, b = shown["variants"]
    assert (a["label"], a["sent"], a["replied"], a["reply_rate"]) == ("A", 100, 30, 0.3)
    assert (b["label"], b["sent"], b["replied"], b["reply_rate"]) == ("B", 100, 5, 0.05)
    assert a["reply_rate_95"][0] > b["reply_rate_95"][1]  # the 95% ranges do not overlap
    leader = shown["leader"]
    assert (leader["label"], leader["variant"], leader["significant"]) == ("A", 1, True)
    assert leader["p_value"] < 0.001
    replies = blast("campaign", "replies", str(cid), "--json").json()
    assert len(replies) == 35 and {r["reply"] for r in replies} == {"Quero! Quanto custa?", "Tenho interesse"}
