"""WAHA's error answers read: the server's own words in a body, and the typed error (waha/errors.py)
an HTTP status and body mean. Pure: the client hands the answer in."""

from __future__ import annotations

from typing import Any

from nexus_blast.i18n import _
from nexus_blast.waha.errors import (
    WahaBadRequest,
    WahaError,
    WahaKeyRefused,
    WahaPlusOnly,
    WahaRateLimited,
    WahaServerError,
    WahaSessionNotFound,
    WahaSessionNotWorking,
    seconds,
    where,
)


def message_of(body: Any) -> str:
    """WAHA's human message in an error body (NestJS shapes, engine 500s, plain text)."""
    if isinstance(body, dict):
        exception = body.get("exception")
        if isinstance(exception, dict) and exception.get("message"):
            return str(exception["message"])
        for key in ("message", "error"):
            value = body.get(key)
            if isinstance(value, list):
                return "; ".join(str(v) for v in value)
            if value:
                return str(value)
        return ""
    return str(body or "")[:300]


def error_for(code: int, body: Any, message: str, retry_after: float | None, *, method: str, path: str,
              server: str, session: str | None) -> WahaError:
    """The typed error of a WAHA answer with status CODE (not 2xx): BODY as it came (JSON or text),
    MESSAGE the server's own words from it (message_of), already scrubbed of the key; RETRY_AFTER
    its Retry-After in seconds, if any."""
    label = where(server, session)
    kw = {"server": server, "session": session}
    if code in (401, 403):
        return WahaKeyRefused(
            _("{where}: API key refused (HTTP {code})").format(where=label, code=code),
            hint=_("check the session's api_key or api_key_env"), **kw
        )
    if code == 404:
        if session:
            return WahaSessionNotFound(
                _("{where}: session not found or not started on the server").format(where=label),
                hint=_("create or start it: blast session start NAME"), **kw,
            )
        return WahaError(_("{where}: {method} {path} not found (HTTP 404): is this a WAHA server?").format(
            where=label, method=method, path=path), **kw)
    if code == 429:
        limited = (_("{where}: rate limited (HTTP 429, retry after {seconds}s)") if retry_after is not None
                   else _("{where}: rate limited (HTTP 429)"))
        return WahaRateLimited(limited.format(where=label, seconds=seconds(retry_after or 0)), retry_after=retry_after, **kw)
    if code == 422 and isinstance(body, dict) and str(body.get("error", "")).endswith("does not exist"):
        # WAHA 2025+: a session the server does not have (deleted, never created) on sends,
        # check-exists, auth/qr and chat messages: the session is gone, not the request bad.
        return WahaSessionNotFound(
            _("{where}: session does not exist on the server").format(where=label),
            hint=_("create it again: blast session start NAME"), **kw,
        )
    if code == 422 and "plus version" in message.lower():
        return WahaPlusOnly(_("{where}: {message}").format(where=label, message=message),
                            hint=_("this server is WAHA Core: use a Plus or 2026.6+ server"), **kw)
    if code == 422 and isinstance(body, dict) and "expected" in body:
        status = str(body.get("status") or "")
        expected = "/".join(str(e) for e in body.get("expected") or ["WORKING"])
        return WahaSessionNotWorking(
            (_("{where}: session is {status}, expected {expected}") if status
             else _("{where}: session is in another status, expected {expected}")).format(where=label, status=status, expected=expected),
            status=status, hint=_("pair or start it: blast session pair NAME"), **kw,
        )
    if code in (400, 409, 413, 422):
        return WahaBadRequest(_("{where}: {method} {path} refused (HTTP {code}): {message}").format(
            where=label, method=method, path=path, code=code, message=message), **kw)
    if code >= 500:
        return WahaServerError(_("{where}: server error (HTTP {code}): {message}").format(where=label, code=code, message=message),
                               status_code=code, detail=message, **kw)
    return WahaError(_("{where}: {method} {path} failed (HTTP {code}): {message}").format(
        where=label, method=method, path=path, code=code, message=message), **kw)
