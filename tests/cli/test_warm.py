"""Warm contacts (they wrote to a session): routed to that session, counted in the dry-run plan,
sent first with --warm-first, and sendable by a session under a reach-out timelock."""

from __future__ import annotations

import random

from nexus_blast.campaigns.planner import PlanOptions, PlanSummary, plan_messages
from nexus_blast.contacts.validation import Checked
from nexus_blast.domain.templates import parse_template
from nexus_blast.store.db import open_database
from nexus_blast.store.replies import mark_warm
from tests.campaigns.helpers import configure, e164, write_contacts


def warm(home, phone: str, session: str) -> None:
    db = open_database(home / "blast.db")
    try:
        mark_warm(db, phone, [session], "2026-12-01T10:00:00.000+00:00")
    finally:
        db.conn.close()


def test_planner_sends_a_warm_contact_through_the_session_it_wrote_to():
    rows = [Checked(i, {"nome": "x"}, f"+5511981{i:06d}", f"+5511981{i:06d}", "mobile", False, None) for i in range(1, 5)]
    summary = PlanSummary()
    messages = list(plan_messages(
        rows, parse_template("Oi").bind(["nome"]), PlanOptions(["s1", "s2"], {}),
        last_senders=lambda p: {"+5511981000002": "s1"}, rng=random.Random(), summary=summary,
        warm_sessions=lambda p: {"+5511981000002": ["s2"], "+5511981000003": ["gone", "s2"]},
    ))
    by_phone = {m.phone: m.session for m in messages}
    assert by_phone["+5511981000002"] == "s2" and by_phone["+5511981000003"] == "s2"  # warm beats the last sender
    assert summary.warm == {"s2": 2} and sum(summary.cold.values()) == 2


def test_dry_run_counts_warm_and_cold_per_session(blast, blast_home, tmp_path):
    configure(blast_home, {"s1": "http://127.0.0.1:9", "s2": "http://127.0.0.1:9"})
    contacts = write_contacts(tmp_path / "c.csv", 6)
    blast("contacts", "lists")  # creates the database
    warm(blast_home, e164(4), "s2")
    warm(blast_home, e164(5), "s2")
    plan = blast("send", contacts, "-m", "Oi {{nome}}", "--dry-run", "--json")
    assert plan.exit_code == 0, plan.stderr
    doc = plan.json()
    assert doc["warm"] == {"s1": 0, "s2": 2} and doc["cold"]["s1"] + doc["cold"]["s2"] == 4
    human = blast("send", contacts, "-m", "Oi {{nome}}", "--dry-run")
    assert "s2 2 warm" in human.stderr


def test_warm_first_sends_warm_contacts_before_cold_ones(blast, sandbox, blast_home, tmp_path):
    configure(blast_home, {"s1": sandbox.url})
    blast("contacts", "lists")
    warm(blast_home, e164(7), "s1")
    warm(blast_home, e164(3), "s1")
    result = blast("send", write_contacts(tmp_path / "c.csv", 8), "-m", "Oi {{nome}}", "--warm-first", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    order = ["+" + m["chatId"].split("@")[0] for m in sandbox.sent()]
    assert order[:2] == [e164(3), e164(7)] and len(order) == 8


def test_timelocked_session_still_reaches_warm_contacts(blast, make_sandbox, blast_home, tmp_path):
    sandbox = make_sandbox(sessions=("s1",))
    configure(blast_home, {"s1": sandbox.url})
    sandbox.incoming("s1", e164(2).lstrip("+") + "@c.us", "oi, vocês abrem sábado?")  # the sandbox knows that chat now
    blast("contacts", "lists")
    warm(blast_home, e164(2), "s1")
    sandbox.faults(session="s1", timelock_after=0)  # the first send puts the number under a reach-out timelock
    result = blast("send", write_contacts(tmp_path / "c.csv", 3), "-m", "Oi {{nome}}", "--yes", "--json")
    sent = ["+" + m["chatId"].split("@")[0] for m in sandbox.sent()]
    assert sent == [e164(0), e164(2)], result.stdout + result.stderr  # the cold e164(1) waits for the lock to end
