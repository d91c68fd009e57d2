"""The risk check (pure): facts in, risks out."""

from __future__ import annotations

from nexus_blast.domain.risks import CampaignFacts, Risk, assess, has_high

CAREFUL = CampaignFacts(
    delay_low=30, rests=True, contacts=100, without_chat=10, identical=False,
    texts=("Olá {{nome}}, veja https://loja.com.br/oferta",), has_optout=True, sunday=False, late=False,
)


def codes(risks) -> set[str]:
    return {r.code for r in risks}


def test_a_careful_campaign_has_no_risk():
    assert assess(CAREFUL) == []


def test_a_crafted_campaign_has_every_risk_and_high_first():
    facts = CampaignFacts(
        delay_low=2, rests=False, contacts=200, without_chat=200, identical=True,
        texts=("Compre já http://bit.ly/x http://loja.com",), has_optout=False, sunday=True, late=True,
        warmup=("s1",), days_needed=4,
    )
    risks = assess(facts, [Risk("capping", "high", "s1 reports SECOND_WARNING")])
    assert codes(risks) == {
        "delay_short", "no_rests", "warmup_days", "no_chat", "identical_text", "short_link", "http_link",
        "no_optout", "sunday", "late_hours", "capping",
    }
    own = risks[:-1]
    assert [r.level for r in own] == sorted((r.level for r in own), key=lambda level: level != "high")
    assert {r.code for r in risks if r.level == "high"} == {"delay_short", "no_chat", "capping"}
    assert risks[-1].code == "capping" and has_high(risks)
    assert "4 days" in next(r.message for r in risks if r.code == "warmup_days")


def test_levels_follow_how_bad_it_is():
    from dataclasses import replace

    assert [r.level for r in assess(replace(CAREFUL, delay_low=10))] == ["warn"]
    assert [r.level for r in assess(replace(CAREFUL, without_chat=60))] == ["warn"]
    assert assess(replace(CAREFUL, warmup=("s1",), days_needed=1)) == []  # a ramp that fits today
