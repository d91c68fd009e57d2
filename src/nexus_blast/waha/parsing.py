"""Reading WAHA responses: the serialized message id from any engine's send answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SentMessage:
    """An accepted send: `serialized_id` is `true_<chatId>_<id>`, what `message.ack` events carry."""

    serialized_id: str
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def short_id(self) -> str:
        """The engine's own id (the part after the chat id)."""
        return self.serialized_id.rsplit("_", 1)[-1] if self.serialized_id else ""


def to_c_us(jid: str) -> str:
    """`5511…@s.whatsapp.net` (NOWEB/GOWS) → `5511…@c.us` (what acks and chat ids use); device suffix dropped."""
    if not jid:
        return jid
    user, _, server = jid.partition("@")
    user = user.split(":", 1)[0]
    if server in ("s.whatsapp.net", "c.us", ""):
        return f"{user}@c.us"
    return f"{user}@{server}"


def _compose(from_me: Any, chat_id: str, short_id: str) -> str:
    return f"{'true' if from_me in (True, None) else 'false'}_{to_c_us(chat_id)}_{short_id}"


def serialized_id_from(response: Any, chat_id: str) -> str:
    """The serialized id of a send response of WEBJS, NOWEB or GOWS; ValueError when none is there.

    WEBJS: `{"id": {"_serialized": "true_…@c.us_3EB0…", "remote", "id", "fromMe"}, …}`
    NOWEB: `{"key": {"remoteJid": "…@s.whatsapp.net", "fromMe": true, "id": "3EB0…"}, …}`
    GOWS:  `{"id": "true_<chatId>_<ID>", "_data": {…}}`
    """
    if not isinstance(response, dict):
        raise ValueError("send response is not a JSON object")
    ident = response.get("id")
    if isinstance(ident, dict):  # WEBJS
        if isinstance(ident.get("_serialized"), str) and ident["_serialized"]:
            return ident["_serialized"]
        if ident.get("id"):
            return _compose(ident.get("fromMe"), ident.get("remote") or chat_id, str(ident["id"]))
    key = response.get("key")
    if isinstance(key, dict) and key.get("id"):  # NOWEB
        return _compose(key.get("fromMe"), key.get("remoteJid") or chat_id, str(key["id"]))
    if isinstance(ident, str) and ident:  # GOWS (or an engine that returns the bare id)
        if ident.startswith(("true_", "false_")):
            return ident
        return _compose(True, chat_id, ident)
    raise ValueError("send response carries no message id")


# Servers from this release accept a pre-generated `id` in send bodies and serve
# GET /api/{session}/chats/{chatId}/messages/{messageId} (see README, "Crash safety").
OWN_IDS_SINCE = (2026, 4, 3)


def version_tuple(text: str) -> tuple[int, ...]:
    """`2026.4.3` (or `2026.4.3-plus`, `v2026.4.3`) → (2026, 4, 3); () when unreadable."""
    parts = []
    for piece in str(text or "").lstrip("vV").split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def accepts_own_ids(version: Any) -> bool:
    """Does a server whose /api/server/version answered VERSION take our own message ids?"""
    text = version.get("version") if isinstance(version, dict) else None
    found = version_tuple(text or "")
    return len(found) >= 2 and found >= OWN_IDS_SINCE


# `convert: true` in /api/sendVoice and /api/sendVideo (the server makes Opus/MP4 of the file)
# came with this release (WAHA changelog 2025.6.2, issue #724).
CONVERT_SINCE = (2025, 6, 2)


def supports_convert(version: Any) -> bool | None:
    """Does a server whose /api/server/version answered VERSION take `convert: true`? None when
    the version cannot be read."""
    text = version.get("version") if isinstance(version, dict) else None
    found = version_tuple(text or "")
    if len(found) < 2:
        return None
    return found >= CONVERT_SINCE


def new_short_id() -> str:
    """A message id in WhatsApp Web's own form (`3EB0` + 18 hex digits), unique across processes."""
    import secrets

    return "3EB0" + secrets.token_hex(9).upper()
