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


def signals_from(me: Any):
    """WhatsApp's signals in a session's `me` (`messageCapping`, `reachoutTimelock`) as
    `domain.signals.Signals`, and what was wrong with them ("" when nothing). A server that does not
    report them gives empty Signals and no problem; garbage is ignored field by field and said."""
    from nexus_blast.domain.signals import CAPPING_STATUSES, Signals
    from nexus_blast.i18n import _, join

    if not isinstance(me, dict):
        return Signals(), ""
    problems: list[str] = []
    fields: dict[str, Any] = {}
    capping = me.get("messageCapping")
    if isinstance(capping, dict) and capping.get("cappingStatus") is not None:
        status = str(capping.get("cappingStatus")).upper()
        if status in CAPPING_STATUSES:
            fields["capping"] = status
            fields["total_quota"] = _count(capping.get("totalQuota"))
            fields["used_quota"] = _count(capping.get("usedQuota"))
            fields["cycle_end"] = _instant(capping.get("cycleEnd"))
        else:
            problems.append(_("messageCapping.cappingStatus {value!r} is unknown").format(value=str(capping.get("cappingStatus"))[:40]))
    elif capping is not None and not isinstance(capping, dict):
        problems.append(_("messageCapping is not an object"))
    timelock = me.get("reachoutTimelock")
    if isinstance(timelock, dict) and "isActive" in timelock:
        if isinstance(timelock["isActive"], bool):
            fields["timelock"] = timelock["isActive"]
            fields["timelock_ends"] = _instant(timelock.get("timeEnforcementEnds"))
        else:
            problems.append(_("reachoutTimelock.isActive is not true or false"))
    elif timelock is not None and not isinstance(timelock, dict):
        problems.append(_("reachoutTimelock is not an object"))
    return Signals(**fields), join("; ", problems)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _instant(value: Any):
    """WAHA's unix seconds (milliseconds and ISO 8601 accepted too) as an aware datetime, or None."""
    from datetime import UTC, datetime

    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and value > 0:
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.isdigit():
            return _instant(int(text))
        try:
            found = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return found if found.tzinfo else found.replace(tzinfo=UTC)
    return None
