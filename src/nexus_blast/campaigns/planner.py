"""Contacts → messages: every message rendered and checked, a session assigned, nothing sent.

The planner streams: rows go through in chunks (one sticky-sender query per chunk), so a 100,000-row
file never sits in memory; what it keeps is a summary and the first few messages for a preview.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from nexus_blast.contacts.validation import Checked
from nexus_blast.domain.messages import SkipReason
from nexus_blast.domain.pacing import typing_pause
from nexus_blast.domain.templates import BoundTemplate
from nexus_blast.store.campaigns import NewMessage

CHUNK = 500


@dataclass(frozen=True)
class PreviewItem:
    row: int | None
    phone: str
    session: str
    text: str
    variant: int = 1  # which message variant (1-based) when there are several
    question: str | None = None  # confirm-first: the question sent before TEXT


@dataclass
class PlanSummary:
    """What a plan would store, counted while streaming."""

    rows: int = 0
    pending: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    rejected: Counter = field(default_factory=Counter)  # validation reason -> count
    per_session: Counter = field(default_factory=Counter)
    per_variant: Counter = field(default_factory=Counter)  # variant (1-based) -> pending messages
    warm: Counter = field(default_factory=Counter)  # session -> pending messages to contacts who wrote to it
    cold: Counter = field(default_factory=Counter)  # session -> the other pending messages
    sticky: int = 0
    typing_seconds: Counter = field(default_factory=Counter)  # session -> summed typing pauses
    preview: list[PreviewItem] = field(default_factory=list)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


@dataclass(frozen=True)
class PlanOptions:
    sessions: list[str]
    weights: dict[str, float]
    include_landlines: bool = False
    preview: int = 5
    typing_cps: float | None = None  # set when typing pacing is on (for the estimate)
    variant_seed: int = 0  # seeds the assignment of contacts to variants (when there are several)


class SessionBalancer:
    """Weighted spreading: each new contact goes to the session with the lowest load/weight."""

    def __init__(self, sessions: list[str], weights: dict[str, float]) -> None:
        self.sessions = list(sessions)
        self.weights = {s: max(weights.get(s, 1.0), 1e-9) for s in sessions}
        self.load: Counter = Counter()

    def pick(self) -> str:
        session = min(self.sessions, key=lambda s: ((self.load[s] + 1) / self.weights[s], self.sessions.index(s)))
        self.load[session] += 1
        return session

    def take(self, session: str) -> None:
        self.load[session] += 1


def plan_messages(
    rows: Iterable[Checked],
    template: BoundTemplate | Sequence[BoundTemplate],
    options: PlanOptions,
    *,
    last_senders: Callable[[list[str]], dict[str, str]],
    rng: random.Random,
    summary: PlanSummary,
    warm_sessions: Callable[[list[str]], dict[str, list[str]]] | None = None,
    question: BoundTemplate | None = None,
) -> Iterator[NewMessage]:
    """Yield one NewMessage per contact worth a row (pending, or skipped with a reason); rejected
    rows (bad or duplicate numbers) only count in SUMMARY. Raises TemplateError at the first
    contact whose message cannot be rendered.

    Several TEMPLATEs (measured or AI variants) are assigned evenly and at random: every k pending
    messages in a row get the k variants in an order shuffled by OPTIONS.variant_seed, so the counts
    differ by at most one and the same seed and input give the same assignment (stored per message).

    With QUESTION (confirm-first), each pending message is stored in its `ask` phase: the rendered
    question as its text and the rendered message as its offer."""
    templates = (template,) if isinstance(template, BoundTemplate) else tuple(template)
    if not templates:
        raise ValueError("plan_messages needs at least one template")
    balancer = SessionBalancer(options.sessions, options.weights)
    assign = VariantAssigner(len(templates), options.variant_seed)
    allowed = set(options.sessions)
    seen_optouts: set[str] = set()
    seq = 0
    chunk: list[Checked] = []

    def flush() -> Iterator[NewMessage]:
        nonlocal seq
        phones = [c.e164 for c in chunk if c.reason is None and c.e164]
        previous = last_senders(phones) if phones else {}
        warm = warm_sessions(phones) if phones and warm_sessions is not None else {}
        for checked in chunk:
            message = _plan_one(checked, previous, allowed, balancer, templates, options, rng, summary, seen_optouts, assign,
                                warm.get(checked.e164, []))
            if message is not None and question is not None and message.get("status") is None:
                asked = question.render(checked.fields, rng, row=checked.row)
                message |= {"text": asked, "offer": message["text"], "phase": "ask"}
                if summary.preview and summary.preview[-1].phone == checked.e164 and summary.preview[-1].question is None:
                    summary.preview[-1] = replace(summary.preview[-1], question=asked)
            if message is None:
                continue
            seq += 1
            yield NewMessage(seq=seq, **message)
        chunk.clear()

    for checked in rows:
        summary.rows += 1
        chunk.append(checked)
        if len(chunk) >= CHUNK:
            yield from flush()
    yield from flush()


class VariantAssigner:
    """Even, seeded-random assignment to K variants: each block of K draws is a permutation."""

    def __init__(self, k: int, seed: int) -> None:
        self.k = k
        self.rng = random.Random(seed)
        self.block: list[int] = []

    def next(self) -> int:
        if self.k == 1:
            return 0
        if not self.block:
            self.block = list(range(self.k))
            self.rng.shuffle(self.block)
        return self.block.pop()


def _plan_one(checked, previous, allowed, balancer, templates, options, rng, summary, seen_optouts, assign,
              warm_for: list[str] = ()) -> dict | None:
    reason = checked.reason
    if reason == "opted_out":
        if checked.e164 in seen_optouts:
            summary.rejected["duplicate"] += 1
            return None
        seen_optouts.add(checked.e164)
        return _skipped(checked, SkipReason.OPTED_OUT, summary)
    if reason is not None or not checked.e164:
        summary.rejected[reason or "invalid_number"] += 1
        return None
    if checked.kind == "landline" and not options.include_landlines:
        return _skipped(checked, SkipReason.LANDLINE, summary)
    variant = assign.next()
    text = templates[variant].render(checked.fields, rng, row=checked.row)
    warm_here = [s for s in warm_for if s in allowed]
    sticky = warm_here[0] if warm_here else previous.get(checked.e164)
    if sticky in allowed:
        balancer.take(sticky)
        session = sticky
        summary.sticky += 1
    else:
        session = balancer.pick()
    summary.pending += 1
    summary.per_session[session] += 1
    summary.per_variant[variant + 1] += 1
    (summary.warm if session in warm_for else summary.cold)[session] += 1
    if options.typing_cps:
        summary.typing_seconds[session] += typing_pause(text, options.typing_cps)
    if len(summary.preview) < options.preview:
        summary.preview.append(PreviewItem(checked.row, checked.e164, session, text, variant + 1))
    return {"row": checked.row, "phone": checked.e164, "text": text, "fields": checked.fields, "session": session,
            "variant": variant}


def _skipped(checked: Checked, reason: SkipReason, summary: PlanSummary) -> dict:
    summary.skipped[str(reason)] += 1
    return {
        "row": checked.row, "phone": checked.e164, "text": "", "fields": checked.fields,
        "status": "skipped", "error": str(reason),
    }
