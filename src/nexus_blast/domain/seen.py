"""The numbers already seen in a file, kept compact: duplicate detection over millions of rows (pure)."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable

# Up to SMALL numbers a plain set is the smallest and fastest (~5 MiB at its limit; most files).
SMALL = 1 << 16
# Then a table of 8-byte slots (16 MiB, whatever the file), a number in slot number % SLOTS or the
# next one: at a million numbers ~90% of them are there, found with one cache miss as in a set. A
# prime, so numbers sharing their last digits (…0000) still spread over the slots.
SLOTS = 2_097_143
EMPTY = -(1 << 63)  # the one 64-bit value that cannot be a number
# The rest spill into sorted array('q') buckets (number % BUCKETS): ~10 bytes a number, a bisect
# of a few steps; past ~2 million numbers most of them land there.
BUCKETS = 16_381


class SeenNumbers:
    """A set of ints that fit a signed 64-bit word but its lowest (E.164 numbers as ints) with `in`,
    `add` and `first`, whose memory stays ~flat in the count: 16 MiB up to ~2 million numbers, then
    ~10 bytes a number (a set takes ~65 a number: an int object and a hash-table slot)."""

    __slots__ = ("_small", "_limit", "_slots", "_width", "_buckets", "_spilled")

    def __init__(self, numbers: Iterable[int] = (), *, small: int = SMALL, slots: int = SLOTS, buckets: int = BUCKETS) -> None:
        """SMALL, SLOTS and BUCKETS are the sizes above (smaller ones let tests reach every stage)."""
        self._small: set[int] | None = set()
        self._limit = small
        self._slots: array | None = None
        self._width = slots
        self._buckets: list[array | tuple] = [()] * buckets  # () until a number falls in it
        self._spilled = 0
        for number in numbers:
            self.first(number)

    def first(self, number: int) -> bool:
        """Add NUMBER; True when it was not there yet (one look-up where `in` then `add` take two)."""
        slots = self._slots
        if slots is None:
            small = self._small
            if number in small:
                return False
            small.add(number)
            if len(small) > self._limit:
                self._grow()
            return True
        at = number % self._width
        held = slots[at]
        if held == EMPTY:
            slots[at] = number
            return True
        if held == number:
            return False
        at += 1
        held = slots[at]
        if held == EMPTY:
            slots[at] = number
            return True
        if held == number:
            return False
        return self._spill(number)

    def add(self, number: int) -> None:
        self.first(number)

    def __contains__(self, number: object) -> bool:
        if not isinstance(number, int):
            return False
        slots = self._slots
        if slots is None:
            return number in self._small
        at = number % self._width
        for held in (slots[at], slots[at + 1]):
            if held == number:
                return True
            if held == EMPTY:  # slots fill and never empty: had NUMBER come, it would be here
                return False
        bucket = self._buckets[number % len(self._buckets)]
        i = bisect_right(bucket, number)
        return bool(i) and bucket[i - 1] == number

    def __len__(self) -> int:
        if self._slots is None:
            return len(self._small)
        return len(self._slots) - self._slots.count(EMPTY) + self._spilled

    def _grow(self) -> None:
        """From the set to the table (once): the set's numbers move in."""
        small, self._small = self._small, None
        self._slots = array("q", (EMPTY,)) * (self._width + 1)  # + 1: the last slot's next one
        for number in small:
            self.first(number)

    def _spill(self, number: int) -> bool:
        """`first` for a number whose two slots hold others."""
        buckets = self._buckets
        at = number % len(buckets)
        bucket = buckets[at]
        i = bisect_right(bucket, number)
        if i and bucket[i - 1] == number:
            return False
        if bucket:
            bucket.insert(i, number)
        else:
            buckets[at] = array("q", (number,))
        self._spilled += 1
        return True
