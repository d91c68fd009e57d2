"""A contact's phone among its candidates: cells split into numbers, the first valid mobile wins."""

from __future__ import annotations

import pytest

from nexus_blast.domain.candidates import choose_phone, split_numbers


@pytest.mark.parametrize(
    ("cell", "numbers"),
    [
        ("+55 21 99876-5432 ::: +55 21 98888-7777", ["+55 21 99876-5432", "+55 21 98888-7777"]),
        ("(11) 98765-4321 / (11) 3333-4444", ["(11) 98765-4321", "(11) 3333-4444"]),
        ("11987654321; 21998765432", ["11987654321", "21998765432"]),
        ("11987654321\n21998765432", ["11987654321", "21998765432"]),
        ("11 98765-4321, 21 99876-5432", ["11 98765-4321", "21 99876-5432"]),
        ("5,51199E+12", ["5,51199E+12"]),  # a comma inside one number stays
        ("11987654321,0", ["11987654321,0"]),
        ("(11) 98765-4321", ["(11) 98765-4321"]),
    ],
)
def test_split_numbers(cell, numbers):
    assert split_numbers(cell) == numbers


def test_first_valid_mobile_among_every_candidate_wins():
    choice = choose_phone([("Celular", ""), ("Telefone", "(21) 3456-7890 / (21) 99876-1111")])
    assert (choice.result.e164, choice.result.kind, choice.source, choice.raw) == (
        "+5521998761111", "mobile", "Telefone", "(21) 99876-1111",
    )
    assert choice.others == ("+552134567890",)


def test_a_landline_only_when_there_is_no_mobile():
    choice = choose_phone([("a", "n/a"), ("b", "(31) 3333-2222"), ("c", "")])
    assert (choice.result.kind, choice.source) == ("landline", "b")
    mobile_later = choose_phone([("a", "(31) 3333-2222"), ("b", "(31) 99123-4567")])
    assert (mobile_later.result.kind, mobile_later.source) == ("mobile", "b")


def test_no_valid_candidate_gives_the_first_real_reason():
    assert choose_phone([("a", ""), ("b", "n/a"), ("c", "190")]).result.reason == "not_a_number"
    empty = choose_phone([("a", ""), ("b", "  ")])
    assert (empty.result.reason, empty.source) == ("empty", "a")
    assert choose_phone([("a", "5,51199E+12")]).result.reason == "scientific_notation"


def test_options_reach_every_candidate():
    choice = choose_phone([("a", "98765-4321 ; +1 650 253 0000")], default_ddd="11")
    assert choice.result.e164 == "+5511987654321"
    foreign = choose_phone([("a", "+1 650 253 0000")], allow_foreign=True)
    assert foreign.result.kind == "foreign"
