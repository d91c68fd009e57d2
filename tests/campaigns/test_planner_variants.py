"""Planning with several message variants (-m twice, --ai-brief): even, seeded-random assignment."""

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
        rows, templates, PlanOptions(["s"], {}, preview=10, variant_seed=7), last_senders=lambda p: {}, rng=random.Random(), summary=summary,
    ))
    pending = [m for m in messages if m.status == "pending"]
    # Skipped contacts (opted out, landline) take no variant, so the split stays even.
    assert [m.row for m in pending] == [1, 3, 5, 6, 7]
    assert all(m.text == f"{'ABC'[m.variant]} N{m.row}" for m in pending)
    assert sorted(m.variant for m in pending[:3]) == [0, 1, 2]  # each block of 3 is a permutation
    assert sorted(summary.per_variant.values()) == [1, 2, 2]
    assert [(p.row, p.variant) for p in summary.preview] == [(m.row, m.variant + 1) for m in pending]
    again = list(plan_messages(
        rows, templates, PlanOptions(["s"], {}, preview=10, variant_seed=7), last_senders=lambda p: {}, rng=random.Random(), summary=PlanSummary(),
    ))
    assert [m.variant for m in again] == [m.variant for m in messages]  # same seed, same assignment


def test_assignment_is_even_and_random_for_many_contacts():
    templates = [parse_template(t).bind(["nome"]) for t in ("A", "B")]
    rows = [contact(i) for i in range(1, 201)]
    orders = set()
    for seed in (1, 2):
        summary = PlanSummary()
        messages = list(plan_messages(rows, templates, PlanOptions(["s"], {}, variant_seed=seed), last_senders=lambda p: {},
                                      rng=random.Random(), summary=summary))
        assert summary.per_variant == Counter({1: 100, 2: 100})
        orders.add(tuple(m.variant for m in messages))
    assert len(orders) == 2


def test_one_template_is_variant_1():
    summary = PlanSummary()
    bound = parse_template("Oi {{nome}}").bind(["nome"])
    list(plan_messages([contact(1), contact(2)], bound, PlanOptions(["s"], {}), last_senders=lambda p: {}, rng=random.Random(), summary=summary))
    assert summary.per_variant == Counter({1: 2}) and {p.variant for p in summary.preview} == {1}
