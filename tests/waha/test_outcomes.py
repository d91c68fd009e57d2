"""The outcome table (waha/outcomes.py), tested as a table: every answer a send can get."""

from __future__ import annotations

import pytest

from nexus_blast.waha import errors as e
from nexus_blast.waha.outcomes import Outcome, call_verdict, send_verdict

TABLE = [
    (None, Outcome.SENT, "sent"),  # 2xx JSON
    (e.WahaBadResponse("2xx not JSON"), Outcome.SENT, "sent"),
    (e.WahaUnreachable("refused", sent=False), Outcome.SESSION_DOWN, "down"),
    (e.WahaUnreachable("reset after write / read timeout", sent=True), Outcome.UNKNOWN, "unknown"),
    (e.WahaRateLimited("429", retry_after=1.0), Outcome.NOT_SENT, "transient"),
    (e.WahaServerError("x", detail="Reach out timelock: server returned error 463"), Outcome.NOT_SENT, "timelock"),
    (e.WahaServerError("x", detail="rate-overlimit"), Outcome.NOT_SENT, "throttled"),
    (e.WahaServerError("x", detail="Timed Out"), Outcome.UNKNOWN, "unknown"),
    (e.WahaServerError("502 from a proxy", status_code=502, detail="<html>502 Bad Gateway</html>"), Outcome.UNKNOWN, "unknown"),
    (e.WahaServerError("504", status_code=504, detail="<html>504 Gateway Time-out</html>"), Outcome.UNKNOWN, "unknown"),
    (e.WahaServerError("HTML 500", detail="<html>500 Internal Server Error</html>"), Outcome.UNKNOWN, "unknown"),
    (e.WahaKeyRefused("401"), Outcome.SESSION_DOWN, "down"),
    (e.WahaSessionNotFound("404 / 422 does not exist"), Outcome.SESSION_DOWN, "down"),
    (e.WahaSessionNotWorking("422 expected", status="FAILED"), Outcome.SESSION_DOWN, "down"),
    (e.WahaPlusOnly("422 plus"), Outcome.SESSION_DOWN, "unusable"),
    (e.WahaBadRequest("400/409/413/422"), Outcome.PERMANENT, "permanent"),
    (e.WahaError("408 from a proxy"), Outcome.UNKNOWN, "unknown"),
]


@pytest.mark.parametrize("exc,outcome,kind", TABLE, ids=[str(t[0]) for t in TABLE])
def test_every_send_answer_has_one_outcome(exc, outcome, kind):
    verdict = send_verdict(exc)
    assert (verdict.outcome, verdict.kind) == (outcome, kind)
    assert verdict.may_retry_blindly == (outcome in (Outcome.NOT_SENT, Outcome.SESSION_DOWN, Outcome.PERMANENT))


def test_a_call_that_sends_nothing_never_has_an_unknown_outcome():
    assert call_verdict(e.WahaUnreachable("read timeout", sent=True)).kind == "transient"
    assert call_verdict(e.WahaServerError("502", status_code=502)).kind == "transient"
    assert call_verdict(e.WahaBadResponse("garbled look-up")).kind == "transient"
    assert call_verdict(e.WahaError("418")).kind == "permanent"
