"""The outcome table: what an answer to a send means for its message, in one place.

Every answer a send can get maps to one of five outcomes:

| answer                                                        | outcome      | kind        |
|---------------------------------------------------------------|--------------|-------------|
| 2xx (JSON with an id, JSON without one, not JSON, empty)      | sent         | sent        |
| 429 (a proxy's rate limit, answered before forwarding)        | not sent     | transient   |
| 500 "… error 463" from WAHA (WhatsApp's reach-out timelock)   | not sent     | timelock    |
| 500 "rate-overlimit" from WAHA (look-up throttle)             | not sent     | throttled   |
| connect error (refused, DNS, connect timeout, pool timeout)   | session down | down        |
| 401/403 (key refused), 404 (no session), 422 not WORKING /    | session down | down        |
|   `Session "X" does not exist`                                |              |             |
| 422 "Plus version" (a Core server)                            | session down | unusable    |
| 400, 409, 413, other 422 (WAHA refused the request itself)    | permanent    | permanent   |
| any other 5xx (WAHA or a proxy: 502, 504, HTML 500, Timed Out)| unknown      | unknown     |
| reset or truncated answer after the request was written       | unknown      | unknown     |
| read timeout                                                  | unknown      | unknown     |
| any other 4xx (408, 499, …: the request may have been passed) | unknown      | unknown     |

Only *not sent*, *session down* and *permanent* prove the request never reached WhatsApp, so only
those may be retried (the client retries connect errors and 429 itself) or moved to another
session without looking. An *unknown* outcome is
settled and checked in the chat; it is sent again only when proven absent (campaigns/reconcile.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nexus_blast.waha.errors import (
    WahaBadRequest,
    WahaBadResponse,
    WahaError,
    WahaKeyRefused,
    WahaPlusOnly,
    WahaRateLimited,
    WahaServerError,
    WahaSessionNotFound,
    WahaSessionNotWorking,
    WahaUnreachable,
)


class Outcome(StrEnum):
    SENT = "sent"
    NOT_SENT = "not sent"
    UNKNOWN = "unknown"
    SESSION_DOWN = "session down"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class Verdict:
    """An outcome and the finer kind the sender paces by (timelock, throttled, unusable, …)."""

    outcome: Outcome
    kind: str

    @property
    def may_retry_blindly(self) -> bool:
        """True when the request surely never reached WhatsApp (resending cannot duplicate)."""
        return self.outcome in (Outcome.NOT_SENT, Outcome.SESSION_DOWN, Outcome.PERMANENT)


SENT = Verdict(Outcome.SENT, "sent")
UNKNOWN = Verdict(Outcome.UNKNOWN, "unknown")


def send_verdict(exc: WahaError | None) -> Verdict:
    """The verdict on a send that raised EXC (None: it answered 2xx)."""
    if exc is None or isinstance(exc, WahaBadResponse):
        return SENT  # a 2xx whatever its body: the message went out
    if isinstance(exc, WahaUnreachable):
        return UNKNOWN if exc.sent else Verdict(Outcome.SESSION_DOWN, "down")
    if isinstance(exc, WahaRateLimited):
        return Verdict(Outcome.NOT_SENT, "transient")
    if isinstance(exc, WahaServerError):
        if exc.is_timelock:
            return Verdict(Outcome.NOT_SENT, "timelock")
        if exc.is_rate_overlimit:
            return Verdict(Outcome.NOT_SENT, "throttled")
        return UNKNOWN
    if isinstance(exc, WahaPlusOnly):
        return Verdict(Outcome.SESSION_DOWN, "unusable")
    if isinstance(exc, (WahaSessionNotWorking, WahaSessionNotFound, WahaKeyRefused)):
        return Verdict(Outcome.SESSION_DOWN, "down")
    if isinstance(exc, WahaBadRequest):
        return Verdict(Outcome.PERMANENT, "permanent")
    return UNKNOWN  # another 4xx, or an answer we cannot place: never resend it blindly


def call_verdict(exc: WahaError) -> Verdict:
    """The verdict on a call that sends nothing (look-up, typing): an unknown outcome there is a
    transient failure, since nothing could have reached the contact."""
    verdict = send_verdict(exc)
    if verdict.outcome is Outcome.UNKNOWN:
        if isinstance(exc, (WahaServerError, WahaUnreachable)):
            return Verdict(Outcome.NOT_SENT, "transient")
        return Verdict(Outcome.PERMANENT, "permanent")
    if verdict.outcome is Outcome.SENT:
        return Verdict(Outcome.NOT_SENT, "transient")  # a garbled look-up answer: ask again
    return verdict
