"""Planning with several message variants (send --ai-brief): even, order-only rotation."""

from __future__ import annotations

import random
from collections import Counter

from nexus_blast.campaigns.planner import PlanOptions, PlanSummary, plan_messages
from nexus_blast.contacts.validation import Checked
from nexus_blast.domain.templates import parse_template


def contact(row: int, reason: str | None = None, kind: str = "mobile") -> Checked:
    phone = f"+55119810{row:05d}"
    return Checked(row, {"nome": f"N{row}"}, phone, phone, kind, False, reason)


def test_variants_rotate_over_pending_messages_only():
    templates = [parse_template(t).bind(["nome", "telefone"]) for t in ("A {{nome}}", "B {{nome}}", "C {{nome}}")]
    rows = [contact(1), contact(2, reason="opted_out"), contact(3), contact(4, kind="landline"), contact(5), contact(6), contact(7)]
    summary = PlanSummary()
    messages = list(plan_messages(
        rows, templates, PlanOptions(["s"], {}, preview=10), last_senders=lambda p: {}, rng=random.Random(), summary=summary,
    ))
    # Skipped contacts (opted out, landline) take no variant, so the rotation stays even.
    assert [(m.row, m.text) for m in messages if m.status == "pending"] == [
        (1, "A N1"), (3, "B N3"), (5, "C N5"), (6, "A N6"), (7, "B N7"),
    ]
    assert summary.per_variant == Counter({1: 2, 2: 2, 3: 1})
    assert [(p.row, p.variant) for p in summary.preview] == [(1, 1), (3, 2), (5, 3), (6, 1), (7, 2)]


def test_one_template_is_variant_1():
    summary = PlanSummary()
    bound = parse_template("Oi {{nome}}").bind(["nome"])
    list(plan_messages([contact(1), contact(2)], bound, PlanOptions(["s"], {}), last_senders=lambda p: {}, rng=random.Random(), summary=summary))
    assert summary.per_variant == Counter({1: 2}) and {p.variant for p in summary.preview} == {1}
