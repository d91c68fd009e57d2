"""Planning: skip reasons, rejected rows, sticky and weighted session assignment, atomic creation."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from nexus_blast.campaigns.planner import PlanOptions, PlanSummary, SessionBalancer, plan_messages
from nexus_blast.contacts.validation import Checked
from nexus_blast.domain.templates import TemplateError, parse_template
from nexus_blast.store import campaigns as store
from nexus_blast.store.db import open_database


def checked(row, phone, reason=None, kind="mobile", **fields):
    return Checked(row, {"nome": f"N{row}", **fields}, phone, phone if reason not in ("empty", "too_short") else None, kind, False, reason)


def plan(rows, sessions=("a", "b"), weights=None, last=None, **opts):
    summary = PlanSummary()
    bound = parse_template("Oi {{nome}}").bind(["nome", "telefone"])
    out = list(
        plan_messages(
            rows, bound, PlanOptions(list(sessions), weights or {}, **opts),
            last_senders=lambda phones: {p: s for p, s in (last or {}).items() if p in phones},
            rng=random.Random(1), summary=summary,
        )
    )
    return out, summary


def test_reasons_become_skips_or_rejections():
    rows = [
        checked(1, "+5511981000001"),
        checked(2, "+5511981000002", reason="opted_out"),
        checked(3, "+5511981000002", reason="opted_out"),  # same opted-out number twice: a duplicate
        checked(4, "", reason="empty"),
        checked(5, "+5511981000001", reason="duplicate"),
        checked(6, "+551133334444", kind="landline"),
    ]
    messages, summary = plan(rows)
    assert [(m.seq, m.row, m.status, m.error) for m in messages] == [
        (1, 1, "pending", ""), (2, 2, "skipped", "opted_out"), (3, 6, "skipped", "landline"),
    ]
    assert summary.rejected == Counter({"empty": 1, "duplicate": 2})
    assert (summary.pending, summary.skipped_total, summary.rows) == (1, 2, 6)
    messages, summary = plan(rows, include_landlines=True)
    assert messages[-1].status == "pending" and messages[-1].text == "Oi N6"


def test_weights_spread_contacts():
    rows = [checked(i, f"+55119810{i:05d}") for i in range(1, 301)]
    _, summary = plan(rows, sessions=("a", "b", "c"), weights={"a": 2, "b": 1, "c": 1})
    assert summary.per_session == Counter({"a": 150, "b": 75, "c": 75})


def test_sticky_sender_wins_while_listed():
    rows = [checked(i, f"+55119810{i:05d}") for i in range(1, 11)]
    last = {"+5511981000001": "b", "+5511981000002": "gone"}
    messages, summary = plan(rows, last=last)
    assert messages[0].session == "b" and summary.sticky == 1
    assert Counter(m.session for m in messages) == {"a": 5, "b": 5}  # the sticky one counts in the balance


def test_balancer_prefers_least_loaded_by_weight():
    b = SessionBalancer(["x", "y"], {"x": 1, "y": 3})
    assert Counter(b.pick() for _ in range(8)) == {"x": 2, "y": 6}


def test_preview_keeps_only_the_first_n():
    rows = [checked(i, f"+55119810{i:05d}") for i in range(1, 50)]
    _, summary = plan(rows, preview=3)
    assert [p.row for p in summary.preview] == [1, 2, 3]


def test_template_error_on_a_late_row_leaves_no_campaign(tmp_path):
    db = open_database(tmp_path / "b.db")
    rows = [checked(i, f"+55119810{i:05d}") for i in range(1, 1200)] + [Checked(1200, {"nome": ""}, "x", "+5511981099999", "mobile", False, None)]
    summary = PlanSummary()
    bound = parse_template("Oi {{nome}}").bind(["nome"])
    messages = plan_messages(rows, bound, PlanOptions(["a"], {}), last_senders=lambda p: {}, rng=random.Random(), summary=summary)
    with pytest.raises(TemplateError, match="row 1200"):
        store.create_campaign(db, name="x", template="Oi {{nome}}", sessions=["a"], delay=(0, 0), messages=messages)
    assert db.conn.execute("SELECT count(*) FROM campaigns").fetchone()[0] == 0
    assert db.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
