"""Replaying what a real WAHA server was asked (shared/waha/real-2026.2.1) against the sandbox.

Each capture is one request and the real answer; `replay` sends the same requests, in order, to a
sandbox started in the same state, and `compare` says where an answer differs in status or body
(after `normalise`: generated names, timestamps and the reported tier, which differ by nature).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import httpx

KEY = "replay-key-3b9d"
RELEASE = "real-2026.2.1"
GENERATED = re.compile(r"session_[0-9a-z]{26}")
GENERATED_B64 = re.compile(r"\(base64: c2Vzc2lvbl8[A-Za-z0-9+/=]*\)")  # base64 of "session_…"
VOLATILE = {"timestamp", "tier"}  # the fork build reports tier CORE although it runs many sessions


def captures_root(start: Path | None = None) -> Path | None:
    """shared/waha/real-2026.2.1 beside the clone (CI) or beside one of its parents (a worktree)."""
    here = (start or Path(__file__)).resolve()
    repo = here.parents[2]
    for folder in (repo, *repo.parents):
        candidate = folder.parent / "shared" / "waha" / RELEASE
        if candidate.is_dir():
            return candidate
    return None


@dataclass
class Step:
    name: str  # file stem, e.g. "09-qr-raw-stopped"
    request: dict
    status: int | None  # None: the real server never answered (the client timed out)
    body: Any
    elapsed: float


def load(folder: Path) -> list[Step]:
    """Every capture of FOLDER in order; a step the server never answered takes the request of
    its namesake in the STOPPED state (capture.py records no request for a timeout)."""
    records = [(f.stem, json.loads(f.read_text())) for f in sorted(folder.glob("*.json"))]
    by_step = {r["step"]: r for _, r in records if "request" in r}
    steps = []
    for stem, record in records:
        if "request" in record:
            steps.append(Step(stem, record["request"], record["status"], record["body"], record["elapsed_s"]))
            continue
        twin = by_step[record["step"].replace("-started", "-stopped")]
        steps.append(Step(stem, twin["request"], None, None, record["elapsed_s"]))
    return steps


def normalise(value: Any, key: str = "") -> Any:
    if key in VOLATILE and value is not None:
        return f"<{key}>"
    if isinstance(value, dict):
        return {k: normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str):
        return GENERATED_B64.sub("(base64: <generated>)", GENERATED.sub("session_<ulid>", value))
    return value


def compare(step: Step, status: int | None, body: Any) -> str | None:
    """How the sandbox's answer differs from the captured one (None: it does not)."""
    if status != step.status:
        return f"{step.name}: status {status}, real server {step.status}"
    if normalise(body) != normalise(step.body):
        return f"{step.name}: body {json.dumps(body)[:300]}, real server {json.dumps(step.body)[:300]}"
    return None


def _send(client: httpx.Client, step: Step, timeout: float) -> tuple[int | None, Any, float]:
    request = step.request
    headers = {"none": {}, "wrong": {"X-Api-Key": "wrong-key"}, "good": {"X-Api-Key": KEY}}[request["key"]]
    params = {k: (KEY if v == "<API_KEY>" else v) for k, v in (request.get("params") or {}).items()}
    body, extra = request.get("body"), {}
    if isinstance(body, str):  # sent as raw bytes (e.g. malformed JSON)
        extra = {"content": body.encode(), "headers": {**headers, "Content-Type": "application/json"}}
    elif body is not None:
        extra = {"json": body}
    started = time.monotonic()
    try:
        response = client.request(request["method"], request["path"], params=params or None,
                                  **({"headers": headers} | extra), timeout=timeout)
    except httpx.TimeoutException:
        return None, None, time.monotonic() - started
    answer = response.json() if response.content else None
    return response.status_code, answer, time.monotonic() - started


def replay(base_url: str, steps: list[Step], *, wait_scale: float, before: Callable[[Step], None] = lambda s: None,
           hang_timeout: float = 1.0) -> list[str]:
    """Send STEPS to BASE_URL in order; the differences found (status, body, and WAHA's waits:
    a step the real server took ≥ 2.5 s over must take at least half that, scaled, here too)."""
    found = []
    with httpx.Client(base_url=base_url) as client:
        for step in steps:
            before(step)
            timeout = hang_timeout if step.status is None else 30.0
            status, body, elapsed = _send(client, step, timeout)
            difference = compare(step, status, body)
            if difference is None and step.status is not None and step.elapsed >= 2.5 and elapsed < step.elapsed * wait_scale * 0.5:
                difference = f"{step.name}: answered in {elapsed:.3f}s, the real server waited {step.elapsed:g}s"
            if difference:
                found.append(difference)
    return found
