"""Webhook authenticity: which HMAC keys an event must be signed with, and the check itself.

- An event whose WAHA session matches configured sessions needs a valid `X-Webhook-Hmac` when any of
  them has `webhook_hmac_key` (same-named sessions on several servers: any of their keys is accepted).
- An event naming a session no configured session uses needs a signature by ANY configured key when
  at least one key is configured (fail closed: an unknown name must not bypass the check); with no
  keys configured anywhere, events are accepted unsigned (bind the receiver to loopback or a VPN).
"""

from __future__ import annotations

import hashlib
import hmac


def required_keys(settings, waha_session: str) -> list[str]:
    """The keys one of which must have signed an event of WAHA_SESSION; empty: no signature needed."""
    configured = [
        (cfg.waha_session or name, cfg.webhook_hmac_key) for name, cfg in settings.sessions.items() if cfg.webhook_hmac_key
    ]
    known = any((cfg.waha_session or name) == waha_session for name, cfg in settings.sessions.items())
    if known:
        return [key for wname, key in configured if wname == waha_session]
    return [key for _, key in configured]


def signature(body: bytes, key: str) -> str:
    """Hex HMAC-SHA512 of the raw body, as WAHA computes X-Webhook-Hmac."""
    return hmac.new(key.encode("utf-8"), body, hashlib.sha512).hexdigest()


def verified(body: bytes, header: str | None, keys: list[str]) -> bool:
    """True when no key is required, or HEADER is the signature of BODY by one of KEYS."""
    if not keys:
        return True
    given = (header or "").strip().lower()
    if not given:
        return False
    # compare_digest on every key (no early exit): timing says nothing about which key matched.
    matches = [hmac.compare_digest(given.encode("ascii", "replace"), signature(body, key).encode()) for key in keys]
    return any(matches)
