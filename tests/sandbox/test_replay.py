"""Contract: the sandbox answers every request of shared/waha/real-2026.2.1 as the real server did.

Core captures replay against `--tier CORE` (session `default` there from boot), the multi-session
fork's against tier PLUS; all NOWEB, offline (no WhatsApp: sessions stay STARTING), in order, each
sequence on a fresh sandbox. A drifting answer fails the test with the step that drifted.
"""

from __future__ import annotations

import copy

import pytest

from tests.sandbox.replay import KEY, captures_root, compare, load, replay

ROOT = captures_root()
WAIT_SCALE = 0.02
pytestmark = pytest.mark.skipif(ROOT is None, reason="shared/waha/real-2026.2.1 not found beside the clone")

CORE = "waha-2026.2.1-core-noweb"
FORK = "fork-multisession-2026.2.1-noweb"


def _sandbox(make_sandbox, tier: str):
    return make_sandbox(tier=tier, engine="NOWEB", version="2026.2.1", api_key=KEY, offline=True, wait_scale=WAIT_SCALE)


@pytest.mark.parametrize("sequence", ["generic", "core-sequence"])
def test_core_captures_replay_identically(make_sandbox, sequence):
    sb = _sandbox(make_sandbox, "CORE")
    assert replay(sb.url, load(ROOT / CORE / sequence), wait_scale=WAIT_SCALE) == []


def test_multisession_fork_captures_replay_identically(make_sandbox):
    sb = _sandbox(make_sandbox, "PLUS")

    def before(step):
        # The real server gave up reconnecting (~2 min offline, STARTING → FAILED) during this step;
        # the sandbox is told so, rather than waiting two minutes.
        if step.name == "47-messages-started":
            sb.set_status("probe1", "FAILED")

    assert replay(sb.url, load(ROOT / FORK / "generic"), wait_scale=WAIT_SCALE, before=before) == []


def test_one_changed_answer_is_reported(make_sandbox):
    steps = load(ROOT / CORE / "core-sequence")
    changed = copy.deepcopy(steps)
    target = next(s for s in changed if s.name == "19-session-start-again")
    target.body["message"] = "Session 'default' started."  # what the old sandbox effectively claimed
    shapes = next(s for s in changed if s.name == "04-session-get-initial")
    shapes.body.pop("presence")
    sb = _sandbox(make_sandbox, "CORE")
    found = replay(sb.url, changed, wait_scale=WAIT_SCALE)
    assert [f.split(":")[0] for f in found] == ["04-session-get-initial", "19-session-start-again"]


def test_compare_reports_status_and_shape():
    step = next(s for s in load(ROOT / CORE / "generic") if s.name == "09-session-get-unknown")
    assert compare(step, step.status, copy.deepcopy(step.body)) is None
    assert "status 404" in compare(step, 404, step.body)
    assert "body" in compare(step, step.status, {"message": "Session not found", "error": "Not Found", "statusCode": 422})
