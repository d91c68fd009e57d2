"""SeenNumbers answers as a set of ints would, at every stage (set, slots, spilled buckets)."""

from __future__ import annotations

import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_blast.domain.seen import SeenNumbers

# A few close numbers (repeats, shared slots and buckets) and any other 64-bit ones but the lowest.
NUMBERS = st.integers(min_value=0, max_value=40) | st.integers(min_value=5_511_900_000_000, max_value=5_511_900_000_060) | st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)
OPS = st.lists(st.tuples(st.sampled_from(["first", "add", "in"]), NUMBERS), max_size=300)
SIZES = st.sampled_from([(4, 7, 3), (0, 1, 1), (16, 31, 5), (1 << 16, 2_097_143, 16_381)])


@settings(max_examples=300, deadline=None)
@given(ops=OPS, sizes=SIZES)
def test_behaves_like_a_set(ops, sizes):
    small, slots, buckets = sizes
    seen, model = SeenNumbers(small=small, slots=slots, buckets=buckets), set()
    for op, number in ops:
        if op == "first":
            assert seen.first(number) == (number not in model)
            model.add(number)
        elif op == "add":
            seen.add(number)
            model.add(number)
        else:
            assert (number in seen) == (number in model)
        assert len(seen) == len(model)
    assert all(number in seen for number in model)
    assert "5511900000000" not in seen and 1.5 not in seen


def test_starts_from_numbers_given():
    seen = SeenNumbers([5511987654321, 5511987654321, 5521999990000], small=1, slots=3, buckets=2)
    assert len(seen) == 2 and 5521999990000 in seen and not seen.first(5511987654321)


def test_past_its_slots_a_number_costs_bytes_not_an_object():
    """With the slots full, 100k more numbers take ~10 bytes each (a set: ~60 with the int objects)."""
    seen = SeenNumbers(small=100, slots=1009, buckets=31)
    tracemalloc.start()
    try:
        for i in range(100_000):
            assert seen.first(5_500_000_000_000 + i * 7919)
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(seen) == 100_000 and 5_500_000_000_000 + 7919 in seen
    assert current < 100_000 * 12
