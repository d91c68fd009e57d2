"""Webhook authenticity: which local sessions an event speaks for, proven by its HMAC signature.

An envelope names a WAHA session (`default`, `loja1`), not a server, and several servers may use
the same name. The receiver therefore decides which *local* sessions an event counts for:

- The candidates are the configured sessions with that WAHA name; a `?session=LOCAL` on the webhook
  URL (the URL WAHA posts to) narrows them to that one local session — it can only narrow, never add.
- A valid `X-Webhook-Hmac` by a candidate's `webhook_hmac_key` proves the sender holds that key:
  the event counts for exactly the candidates whose key signed it (give each server its own key and
  same-named sessions on two servers stay apart).
- Unsigned events count for the candidates without a key, and only while no session has a key at
  all, or `webhook.allow_unsigned = true`. A header that is present but matches no key is refused.
- An event naming a session that no configured session uses counts for no session (its acks and
  statuses change nothing); it is still authenticated — signed by any configured key, or unsigned
  under the rule above — because an opt-out keyword in it is honoured everywhere.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from nexus_blast.i18n import _


class Refused(Exception):
    """The event is not authentic enough to act on (answered 401); the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Origin:
    """Who an accepted event speaks for."""

    sessions: tuple[str, ...]  # local session names, sorted; empty: no configured session
    signed: bool


def candidates(settings, waha_session: str, only: str | None = None) -> list[str]:
    """The configured local sessions named WAHA_SESSION on their server (ONLY: just that one)."""
    names = sorted(name for name, cfg in settings.sessions.items() if (cfg.waha_session or name) == waha_session)
    if only is None:
        return names
    if only not in names:
        raise Refused(_("?session={only} is not a configured session using WAHA session {waha!r}").format(only=only, waha=waha_session))
    return [only]


def unsigned_allowed(settings) -> bool:
    """Events without a signature are acceptable (for sessions without a key)."""
    return settings.webhook.allow_unsigned or not any(cfg.webhook_hmac_key for cfg in settings.sessions.values())


def unsigned_sessions(settings) -> list[str]:
    """The local sessions whose events this receiver accepts unsigned (for `webhook serve`'s warning)."""
    if not unsigned_allowed(settings):
        return []
    return sorted(name for name, cfg in settings.sessions.items() if not cfg.webhook_hmac_key)


def authenticate(settings, waha_session: str, body: bytes, header: str | None, only: str | None = None) -> Origin:
    """The Origin of an event of WAHA_SESSION with BODY and X-Webhook-Hmac HEADER; Refused otherwise."""
    names = candidates(settings, waha_session, only)
    given = (header or "").strip().lower()
    if given:
        keys = {name: settings.sessions[name].webhook_hmac_key for name in names}
        if not names:  # unknown session: any configured key proves it comes from one of our servers
            keys = {name: cfg.webhook_hmac_key for name, cfg in settings.sessions.items()}
        signers = _signers(body, given, {name: key for name, key in keys.items() if key})
        if not signers:
            raise Refused(_("wrong X-Webhook-Hmac"))
        return Origin(tuple(n for n in names if n in signers), True)
    if not unsigned_allowed(settings):
        raise Refused(_("missing X-Webhook-Hmac"))
    unkeyed = tuple(n for n in names if not settings.sessions[n].webhook_hmac_key)
    if names and not unkeyed:
        raise Refused(_("missing X-Webhook-Hmac"))
    return Origin(unkeyed, False)


def signature(body: bytes, key: str) -> str:
    """Hex HMAC-SHA512 of the raw body, as WAHA computes X-Webhook-Hmac."""
    return hmac.new(key.encode("utf-8"), body, hashlib.sha512).hexdigest()


def _signers(body: bytes, given: str, keys: dict[str, str]) -> set[str]:
    """The names whose key produced GIVEN. compare_digest on every key (no early exit): timing
    says nothing about which key matched."""
    raw = given.encode("ascii", "replace")
    return {name for name, key in keys.items() if hmac.compare_digest(raw, signature(body, key).encode())}
