"""The receipt state machine: acks only move a message forward."""

from __future__ import annotations

import itertools

import pytest

from nexus_blast.domain.receipts import ACK_ERROR, Receipt, advance, parse_ack

START = Receipt(ack=None, delivered_at=None, read_at=None)


def run(acks):
    state = START
    for i, ack in enumerate(acks):
        state = advance(state, ack, f"t{i}")
    return state


def test_in_order():
    assert run([1, 2, 3]) == Receipt(3, "t1", "t2", "")


def test_read_first_sets_delivered_too():
    assert run([3]) == Receipt(3, "t0", "t0", "")


def test_repeats_change_nothing():
    once = run([1, 2])
    assert advance(once, 2, "later") == once
    assert advance(once, 1, "later") == once


def test_error_before_delivery_then_delivered():
    assert run([1, -1]) == Receipt(-1, None, None, ACK_ERROR)
    assert run([1, -1, 1]) == Receipt(-1, None, None, ACK_ERROR)
    assert run([1, -1, 2]) == Receipt(2, "t2", None, "")


def test_error_after_delivery_is_stale():
    assert run([2, -1]) == Receipt(2, "t0", None, "")


def test_other_errors_are_kept():
    state = Receipt(1, None, None, "reconciled")
    assert advance(state, 2, "t").error == "reconciled"


@pytest.mark.parametrize("acks", list(itertools.permutations([1, 2, 3])) + list(itertools.permutations([-1, 2, 3, 4])))
def test_any_order_ends_delivered_and_read(acks):
    final = run(acks)
    assert final.ack == max(acks)
    assert final.delivered_at is not None and final.read_at is not None
    assert final.error == ""


def test_parse_ack():
    assert parse_ack(3) == 3
    assert parse_ack("READ") == 3
    assert parse_ack("device") == 2
    assert parse_ack("-1") == -1
    assert parse_ack(True) is None
    assert parse_ack(7) is None
    assert parse_ack(None) is None
    assert parse_ack(2.0) is None
