"""Tests on a pseudo-terminal: what a `blast` process wrote to it, read as it comes."""

from __future__ import annotations

import os
import threading


class PtyReader:
    """Collects everything written to the pty whose MASTER end it reads (a daemon thread)."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.chunks: list[bytes] = []
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.chunks.append(data)

    def seen(self) -> bytes:
        return b"".join(self.chunks)

    def close(self) -> str:
        """Stop reading (the process has exited); everything it wrote, decoded."""
        self._thread.join(10)
        os.close(self.master)
        return self.seen().decode("utf-8", "replace")
