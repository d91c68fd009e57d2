"""Which message variant works (pure): reply rates with Wilson intervals and a two-proportion z-test
between the best variant and the runner-up; "not enough data" below a minimum of sent messages."""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_SENT = 30  # per variant: fewer sent messages and no leader is named
Z95 = 1.959964  # two-sided 95 %
SIGNIFICANCE = 0.05


def label(variant: int) -> str:
    """`A`, `B`, … for variant 0, 1, … (`V27` past the alphabet)."""
    return chr(ord("A") + variant) if 0 <= variant < 26 else f"V{variant + 1}"


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of SUCCESSES out of N (0..1; (0, 0) when N is 0)."""
    if n <= 0:
        return 0.0, 0.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))  # rounding never excludes p


def two_proportion_p(s1: int, n1: int, s2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test of s1/n1 against s2/n2 (1.0 when it
    cannot be computed: no messages, or every / no message answered in both)."""
    if n1 <= 0 or n2 <= 0:
        return 1.0
    pooled = (s1 + s2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 1.0
    z = (s1 / n1 - s2 / n2) / spread
    return math.erfc(abs(z) / math.sqrt(2))


@dataclass(frozen=True)
class Arm:
    variant: int  # 0-based
    sent: int
    replied: int


@dataclass(frozen=True)
class Verdict:
    leader: int | None  # the variant with the best reply rate (None: not enough data, or a tie)
    significant: bool  # its lead over the runner-up is significant at 95 %
    p_value: float | None  # of best vs runner-up (None: not computed)
    statement: str  # for people (wrapped in _() by the caller's layer when shown)

    def document(self) -> dict:
        return {
            "variant": None if self.leader is None else self.leader + 1,
            "label": None if self.leader is None else label(self.leader),
            "significant": self.significant,
            "p_value": None if self.p_value is None else round(self.p_value, 6),
            "statement": self.statement,
        }


def verdict(arms: list[Arm], min_sent: int = MIN_SENT) -> Verdict:
    """The leader among ARMS by reply rate and how sure that is."""
    if len(arms) < 2:
        return Verdict(None, False, None, "one variant: nothing to compare")
    short = [a for a in arms if a.sent < min_sent]
    if short:
        return Verdict(None, False, None, f"not enough data: at least {min_sent} sent per variant needed "
                                          f"({', '.join(f'{label(a.variant)} has {a.sent}' for a in short)})")
    ranked = sorted(arms, key=lambda a: (a.replied / a.sent, -a.variant), reverse=True)
    best, second = ranked[0], ranked[1]
    if best.replied * second.sent == second.replied * best.sent:
        return Verdict(None, False, 1.0, f"no leader: {label(best.variant)} and {label(second.variant)} "
                                         f"have the same reply rate ({best.replied / best.sent:.1%})")
    p = two_proportion_p(best.replied, best.sent, second.replied, second.sent)
    rates = f"{best.replied / best.sent:.1%} vs {second.replied / second.sent:.1%} for {label(second.variant)}"
    if p < SIGNIFICANCE:
        return Verdict(best.variant, True, p, f"{label(best.variant)} leads: reply rate {rates} "
                                              f"(significant at 95%, p = {p:.4f})")
    return Verdict(best.variant, False, p, f"{label(best.variant)} is ahead but not significantly: reply rate {rates} "
                                           f"(p = {p:.2f}; send more or wait for replies)")
