"""`send --ab-test N% --ab-wait DURATION` within one campaign: the first N % of its messages go out
split across the variants; the rest are held. Once those are sent the campaign waits (paused, due
at the end of the wait: run-due/worker continue it); then the leader is named and the held messages
get its text and are sent. Each step is one transaction, so a crash or kill at any point resumes
where it was and no message is sent twice (held messages are never in the sender's queue).

State in campaigns.options["ab"]: {"share", "wait", "state": testing | waiting | decided,
"decide_at", "leader", "statement", "verdict": {"code", "params"}} (the statement in English, for
--json; the verdict as domain/abtest.py says it, for people: older campaigns have no "verdict").
"""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta

from nexus_blast.errors import InputError

TESTING, WAITING, DECIDED = "testing", "waiting", "decided"


def parse_share(text: str) -> float:
    """`20%` or `20` → 0.2; InputError unless 1..99 %."""
    raw = str(text).strip().removesuffix("%").strip()
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"--ab-test {text!r}: give a percentage such as 20%") from None
    if not 1 <= value <= 99:
        raise InputError(f"--ab-test {text!r}: the test share must lie between 1% and 99%")
    return value / 100


def parse_wait(text: str) -> float:
    from nexus_blast.domain.replies import parse_duration

    try:
        return parse_duration(text, minimum=1, maximum=30 * 86400)
    except ValueError as exc:
        raise InputError(f"--ab-wait: {exc}") from None


def test_count(pending: int, share: float, variants: int) -> int:
    """How many pending messages the test phase sends: SHARE of them, at least one per variant."""
    return min(pending, max(variants, math.ceil(pending * share)))


def options_for(share: float, wait: float) -> dict:
    return {"ab": {"share": share, "wait": wait, "state": TESTING, "decide_at": None, "leader": None, "statement": ""}}


def hold_rest(db, campaign_id: int, pending: int, share: float, variants: int) -> int:
    """Hold back the messages after the test phase (right after the campaign is stored)."""
    from nexus_blast.store.delivery import transaction
    from nexus_blast.store.replies import hold_after

    with transaction(db):
        return hold_after(db, campaign_id, test_count(pending, share, variants))


def before_run(db, campaign_id: int, now: datetime) -> tuple[str, str] | None:
    """Before the sender starts: `(reason, due ISO)` when the campaign must keep waiting for replies;
    when the wait is over, name the leader and release the held messages with its text (once)."""
    from nexus_blast.store.db import iso

    ab = _ab(db, campaign_id)
    if ab is None or ab["state"] != WAITING:
        return None
    if iso(now) < ab["decide_at"]:
        return _waiting_reason(ab), ab["decide_at"]
    decide(db, campaign_id, now)
    return None


def after_sending(db, campaign_id: int, now: datetime) -> tuple[str, str] | None:
    """After the sender sent all it could: when that ends the test phase, start the wait and say
    until when (`(reason, due ISO)`); None when this campaign has no test phase in progress."""
    from nexus_blast.store.db import iso
    from nexus_blast.store.delivery import transaction
    from nexus_blast.store.replies import set_ab, unfinished_tests

    with transaction(db):
        ab = _ab(db, campaign_id)
        if ab is None or ab["state"] == DECIDED:
            return None
        if ab["state"] == TESTING:
            if unfinished_tests(db, campaign_id):
                return None
            ab = ab | {"state": WAITING, "decide_at": iso(now + timedelta(seconds=float(ab["wait"])))}
            set_ab(db, campaign_id, ab)
    return _waiting_reason(ab), ab["decide_at"]


def decide(db, campaign_id: int, now: datetime, rng: random.Random | None = None) -> int:
    """Name the leader (the best reply rate; the first variant on a tie) and give every held
    message its text, in one transaction; the leader (0-based)."""
    from nexus_blast.campaigns.report import variant_texts
    from nexus_blast.domain.abtest import Arm, label, verdict
    from nexus_blast.domain.templates import TemplateError, parse_template
    from nexus_blast.store.campaigns import get_campaign
    from nexus_blast.store.db import iso
    from nexus_blast.store.delivery import transaction
    from nexus_blast.store.replies import held_messages, release_held, set_ab, variant_counts

    rng = rng or random.Random()
    with transaction(db):
        ab = _ab(db, campaign_id)
        if ab is None or ab["state"] == DECIDED:
            return int((ab or {}).get("leader") or 0)
        texts = variant_texts(get_campaign(db, campaign_id))
        counted = {v.variant: v for v in variant_counts(db, campaign_id)}
        arms = [Arm(n, counted[n].sent if n in counted else 0, counted[n].replied if n in counted else 0) for n in range(len(texts))]
        result = verdict(arms)
        leader = result.leader
        if leader is None:  # not enough data or a tie: the best rate so far, the first on a tie
            leader = max(arms, key=lambda a: ((a.replied / a.sent) if a.sent else 0.0, -a.variant)).variant
        template = parse_template(texts[leader])
        changes, bound = [], None
        for mid, row, fields_json in held_messages(db, campaign_id):
            fields = json.loads(fields_json or "{}")
            if bound is None:
                bound = template.bind(list(fields))
            try:
                changes.append((mid, bound.render(fields, rng, row=row), leader))
            except TemplateError:
                continue  # a required value this row lacks: it keeps the text it was checked with
        release_held(db, changes, iso(now))
        # rows that could not take the leader's text are sent with the one they were planned with
        db.conn.execute("UPDATE messages SET held = 0 WHERE campaign_id = ? AND held = 1", (campaign_id,))
        # the English statement for --json; the verdict's code and params for people (said in their language)
        set_ab(db, campaign_id, ab | {"state": DECIDED, "leader": leader, "decided_at": iso(now),
                                      "statement": f"rest sent with {label(leader)}: {result.statement}",
                                      "verdict": {"code": result.code, "params": result.params}})
    return leader


def _ab(db, campaign_id: int) -> dict | None:
    from nexus_blast.store.campaigns import get_campaign

    campaign = get_campaign(db, campaign_id)
    ab = (campaign.options or {}).get("ab") if campaign else None
    return ab if isinstance(ab, dict) else None


def _waiting_reason(ab: dict) -> str:
    return (f"A/B test: waiting for replies until {ab['decide_at']}; then run-due/worker send the rest "
            "with the leader")
