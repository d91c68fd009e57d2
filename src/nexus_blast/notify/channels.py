"""Where notifications go: the operator's WhatsApp (through a WORKING session, as one plain text:
no look-up cache, no campaign row, no daily-cap slot) and a signed JSON POST (X-Webhook-Hmac: the
hex HMAC-SHA512 of the raw body, as WAHA signs its webhooks)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from nexus_blast.i18n import _, first_line, join

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
POST_TIMEOUT = 10.0


@dataclass
class Delivery:
    """How one channel fared: OK, or ERROR (one line); DETAIL says where it went (session, status)."""

    channel: str  # whatsapp | url
    ok: bool
    detail: str = ""
    error: str = ""

    def as_dict(self) -> dict:
        return {"channel": self.channel, "ok": self.ok, "detail": self.detail, "error": self.error}


def operator_phone(value: str) -> str:
    """VALUE (E.164 or a Brazilian spelling: "(11) 98765-4321", "+55 11 98765-4321") as E.164;
    ValueError saying why not."""
    from nexus_blast.domain.phones import normalize_phone

    result = normalize_phone(value, allow_foreign=True)
    if not result.valid or not result.e164:
        raise ValueError(_("{value!r} is not a phone number WhatsApp can reach ({reason}); e.g. +5511987654321").format(
            value=value, reason=result.reason))
    return result.e164


def check_notify_url(value: str) -> None:
    """ValueError unless VALUE is an https URL (plain http only on this machine: 127.0.0.1, localhost)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise ValueError(_("{value!r} is not a valid URL ({reason})").format(value=value, reason=exc)) from None
    scheme = parts.scheme.lower()
    if not parts.hostname or scheme not in ("http", "https"):
        raise ValueError(_("{value!r} is not an https URL with a host").format(value=value))
    if scheme == "http" and parts.hostname not in LOOPBACK:
        raise ValueError(_("{value!r}: use https (plain http only on loopback: 127.0.0.1, localhost)").format(value=value))


def signature(body: bytes, key: str) -> str:
    from nexus_blast.webhook.security import signature as waha_signature

    return waha_signature(body, key)


def post_json(url: str, document: dict, hmac_key: str = "", timeout: float = POST_TIMEOUT) -> Delivery:
    """POST DOCUMENT to URL, signed with HMAC_KEY when given; any 2xx is delivered."""
    import httpx

    from nexus_blast.masking import mask_url

    body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "nexus-blast-notify"}
    if hmac_key:
        headers |= {"X-Webhook-Hmac": signature(body, hmac_key), "X-Webhook-Hmac-Algorithm": "sha512"}
    where = mask_url(url)
    try:
        # retries: connection failures only (httpx's transport), never a second POST after an answer
        with httpx.Client(timeout=timeout, transport=httpx.HTTPTransport(retries=2), follow_redirects=False) as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Delivery("url", False, where, f"{where}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "))
    if not 200 <= response.status_code < 300:
        return Delivery("url", False, where, _("{url} answered HTTP {status}").format(url=where, status=response.status_code))
    return Delivery("url", True, f"{where} (HTTP {response.status_code})")


async def send_whatsapp(settings, phone_e164: str, text: str) -> Delivery:
    """TEXT to PHONE_E164 from the first configured session that is WORKING (in config order)."""
    from nexus_blast.domain.phones import whatsapp_digits
    from nexus_blast.errors import ConfigError
    from nexus_blast.waha.errors import WahaError
    from nexus_blast.waha.sessions import client_for, waha_name

    if not settings.sessions:
        return Delivery("whatsapp", False, phone_e164, _("no session is configured to send the notification from"))
    tried = []
    for name, cfg in settings.sessions.items():
        try:
            async with client_for(name, cfg, settings.waha) as waha:
                wname = waha_name(name, cfg)
                status = str((await waha.get_session(wname) or {}).get("status") or "")
                if status != "WORKING":
                    tried.append(f"{name}: {status or 'unknown'}")
                    continue
                exists, chat_id = await waha.check_exists(wname, whatsapp_digits(phone_e164))
                if not exists:
                    return Delivery("whatsapp", False, phone_e164, _("{phone} is not on WhatsApp (asked through session {name})").format(
                        phone=phone_e164, name=name))
                await waha.send_text(wname, chat_id or f"{whatsapp_digits(phone_e164)}@c.us", text)
                return Delivery("whatsapp", True, _("{phone} via session {name}").format(phone=phone_e164, name=name))
        except (WahaError, ConfigError) as exc:
            tried.append(join(": ", [name, first_line(exc.message, 120)]))
    return Delivery("whatsapp", False, phone_e164, _("no WORKING session to send it from ({tried})").format(tried=join("; ", tried)))
