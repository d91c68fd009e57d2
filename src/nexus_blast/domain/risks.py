"""Ban risks of a campaign, said before it sends: pure facts in, a list of `Risk` out."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Level = Literal["warn", "high"]


@dataclass(frozen=True)
class Risk:
    """One risk: a stable `code` for scripts (`--json`), its `level`, and a human `message`."""

    code: str
    level: Level
    message: str

    def as_json(self) -> dict:
        return asdict(self)
