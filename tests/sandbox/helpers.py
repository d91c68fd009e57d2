"""Small helpers shared by the sandbox tests."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float = 20.0) -> bool:
    """Whether PREDICATE became true within TIMEOUT seconds (polled; a generous bound, not a sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False
