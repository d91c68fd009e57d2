"""Waiting on observable events (a row, a request, a line), never on a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 30.0, what: str = "the condition") -> T:
    """PREDICATE's first truthy value, polled every 10 ms; AssertionError after TIMEOUT seconds.

    The bound is generous on purpose: it only limits how long a broken test hangs, it never decides
    a passing one (the suite runs on busy 2-core machines)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.01)


class StreamLines:
    """Collects a child process's text stream line by line in a thread, so a test can wait for a line."""

    def __init__(self, stream) -> None:
        import threading

        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        return wait_until(lambda: next((line for line in list(self.lines) if text in line), None), timeout, repr(text))

    def text(self, timeout: float = 30.0) -> str:
        """Everything, once the stream has ended."""
        self._thread.join(timeout)
        return "".join(self.lines)
