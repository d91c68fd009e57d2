"""Which message variant works (pure): reply rates with Wilson intervals and a two-proportion z-test
between the best variant and the runner-up; "not enough data" below a minimum of sent messages."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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


# What a verdict says, as a code and its parameters (`Verdict.code`, `Verdict.params`): the CLI says
# it in the user's language; `statement` is the English sentence, kept as it is for --json.
ONE_VARIANT = "one_variant"  # {}
NOT_ENOUGH_DATA = "not_enough_data"  # {"min_sent", "short": [[label, sent], …]}
TIE = "tie"  # {"best", "second", "rate"}
SIGNIFICANT = "significant"  # {"best", "second", "rate", "second_rate", "p"}
NOT_SIGNIFICANT = "not_significant"  # the same


@dataclass(frozen=True)
class Verdict:
    leader: int | None  # the variant with the best reply rate (None: not enough data, or a tie)
    significant: bool  # its lead over the runner-up is significant at 95 %
    p_value: float | None  # of best vs runner-up (None: not computed)
    statement: str  # in English, for --json (people read `code` + `params`, said by the CLI)
    code: str = ""  # ONE_VARIANT, NOT_ENOUGH_DATA, TIE, SIGNIFICANT, NOT_SIGNIFICANT
    params: dict = field(default_factory=dict, compare=False)  # JSON values: rates 0..1, labels

    def document(self) -> dict:
        return {
            "variant": None if self.leader is None else self.leader + 1,
            "label": None if self.leader is None else label(self.leader),
            "significant": self.significant,
            "p_value": None if self.p_value is None else round(self.p_value, 6),
            "statement": self.statement,
        }


def english_statement(code: str, params: dict) -> str:
    """The English sentence of a verdict's CODE and PARAMS (as `--json` has always said it)."""
    if code == ONE_VARIANT:
        return "one variant: nothing to compare"
    if code == NOT_ENOUGH_DATA:
        short = ", ".join(f"{name} has {sent}" for name, sent in params["short"])
        return f"not enough data: at least {params['min_sent']} sent per variant needed ({short})"
    if code == TIE:
        return f"no leader: {params['best']} and {params['second']} have the same reply rate ({params['rate']:.1%})"
    rates = f"{params['rate']:.1%} vs {params['second_rate']:.1%} for {params['second']}"
    if code == SIGNIFICANT:
        return f"{params['best']} leads: reply rate {rates} (significant at 95%, p = {params['p']:.4f})"
    if code == NOT_SIGNIFICANT:
        return (f"{params['best']} is ahead but not significantly: reply rate {rates} "
                f"(p = {params['p']:.2f}; send more or wait for replies)")
    raise ValueError(f"unknown verdict code {code!r}")


def _verdict(leader: int | None, significant: bool, p_value: float | None, code: str, **params) -> Verdict:
    return Verdict(leader, significant, p_value, english_statement(code, params), code, params)


def verdict(arms: list[Arm], min_sent: int = MIN_SENT) -> Verdict:
    """The leader among ARMS by reply rate and how sure that is."""
    if len(arms) < 2:
        return _verdict(None, False, None, ONE_VARIANT)
    short = [a for a in arms if a.sent < min_sent]
    if short:
        return _verdict(None, False, None, NOT_ENOUGH_DATA, min_sent=min_sent,
                        short=[[label(a.variant), a.sent] for a in short])
    ranked = sorted(arms, key=lambda a: (a.replied / a.sent, -a.variant), reverse=True)
    best, second = ranked[0], ranked[1]
    if best.replied * second.sent == second.replied * best.sent:
        return _verdict(None, False, 1.0, TIE, best=label(best.variant), second=label(second.variant),
                        rate=best.replied / best.sent)
    p = two_proportion_p(best.replied, best.sent, second.replied, second.sent)
    code = SIGNIFICANT if p < SIGNIFICANCE else NOT_SIGNIFICANT
    return _verdict(best.variant, p < SIGNIFICANCE, p, code, best=label(best.variant), second=label(second.variant),
                    rate=best.replied / best.sent, second_rate=second.replied / second.sent, p=p)
