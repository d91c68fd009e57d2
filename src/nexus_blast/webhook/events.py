"""WAHA webhook envelopes → typed events (../shared/waha/CONTRACT.md, "Webhooks"); pure parsing.

Anything that is not a JSON object with the fields an event needs raises BadEvent (HTTP 400).
Event types `blast` does not use parse to `Ignored` and are acknowledged with 200.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nexus_blast.domain.receipts import parse_ack
from nexus_blast.errors import InputError
from nexus_blast.i18n import _

MAX_ID_CHARS = 512


class BadEvent(InputError):
    """A webhook body that is not a usable WAHA event (answered with 400)."""


@dataclass(frozen=True)
class Ack:
    message_id: str  # serialized id true_<chat>_<id>
    ack: int


@dataclass(frozen=True)
class SessionStatus:
    status: str


@dataclass(frozen=True)
class Incoming:
    """A message someone sent to one of our sessions."""

    chat_id: str  # the sender's chat (`from`)
    body: str
    from_me: bool
    at: str = ""  # ISO UTC time the message carries (its `timestamp`), "" when missing or implausible
    alt_chat_id: str = ""  # the phone chat WAHA gives beside an @lid `from` (`_data.key.remoteJidAlt`)


@dataclass(frozen=True)
class Ignored:
    reason: str


Payload = Ack | SessionStatus | Incoming | Ignored


@dataclass(frozen=True)
class Envelope:
    event_id: str | None  # envelope `id`, else X-Webhook-Request-Id: the idempotency key
    event: str
    session: str  # WAHA session name
    at: str  # ISO UTC time of the event (envelope timestamp when plausible, else receipt time)
    payload: Payload


def decode_json(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or BadEvent."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BadEvent(_("body is not JSON ({reason})").format(reason=type(exc).__name__)) from None
    if not isinstance(doc, dict):
        raise BadEvent(_("body is not a JSON object"))
    return doc


def session_of(doc: dict[str, Any]) -> str:
    """The envelope's WAHA session name (needed before anything else, to choose the HMAC key)."""
    return _text(doc, "session", required=True)


def parse_envelope(doc: dict[str, Any], *, request_id: str | None, now: datetime, max_age: float | None = None) -> Envelope:
    """DOC (a decoded body) as an Envelope; BadEvent names the missing or wrong field.

    An envelope without its own `id` has nothing to refuse a replay by (X-Webhook-Request-Id is
    outside the signed body): with MAX_AGE (seconds), its `timestamp` must lie within that of NOW."""
    event = _text(doc, "event", required=True)
    session = session_of(doc)
    envelope_id = _text(doc, "id")
    event_id = envelope_id or (request_id or "").strip() or None
    if event_id is not None and len(event_id) > MAX_ID_CHARS:
        raise BadEvent(_("id is too long"))
    stamped = _timestamp(doc.get("timestamp"))
    if max_age is not None and not envelope_id:
        if stamped is None:
            raise BadEvent(_("event has neither id nor timestamp: refused (a replay cannot be told apart)"))
        if abs((now - stamped).total_seconds()) > max_age:
            raise BadEvent(_("event without id stamped {stamped}, outside webhook.max_age ({seconds}s) of now: refused as a "
                             "possible replay").format(stamped=f"{stamped:%Y-%m-%dT%H:%M:%SZ}", seconds=f"{max_age:g}"))
    return Envelope(event_id, event, session, _event_time(stamped, now), _payload(event, doc, now))


def _payload(event: str, doc: dict[str, Any], now: datetime) -> Payload:
    if event not in ("message.ack", "session.status", "message"):
        return Ignored(f"event {event!r} not used")
    payload = doc.get("payload")
    if not isinstance(payload, dict):
        raise BadEvent(_("payload is missing or not an object"))
    if event == "message.ack":
        message_id = serialized_id(payload.get("id"))
        if not message_id:
            raise BadEvent(_("{field} is missing").format(field="payload.id"))
        ack = parse_ack(payload.get("ack"))
        if ack is None:
            ack = parse_ack(payload.get("ackName"))
        if ack is None:
            raise BadEvent(_("payload.ack is missing or not an ack (-1..4)"))
        return Ack(message_id, ack)
    if event == "session.status":
        return SessionStatus(_text(payload, "status", required=True, where="payload.").upper())
    body = payload.get("body")
    if body is not None and not isinstance(body, str):
        raise BadEvent(_("{field} is not text").format(field="payload.body"))
    from_me = payload.get("fromMe", False)
    if not isinstance(from_me, bool):
        raise BadEvent(_("{field} is not a boolean").format(field="payload.fromMe"))
    return Incoming(_text(payload, "from", required=True, where="payload."), body or "", from_me,
                    message_time(payload.get("timestamp"), now), alt_chat(payload))


def message_time(value: object, now: datetime) -> str:
    """A message's `timestamp` (Unix seconds, as WAHA gives it) as ISO UTC; "" when missing or not
    plausible (before 2015 or more than 5 minutes ahead of NOW)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    try:
        moment = datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return ""
    if not _EARLIEST <= moment <= now + timedelta(minutes=5):
        return ""
    return moment.isoformat(timespec="milliseconds")


def alt_chat(payload: dict[str, Any]) -> str:
    """The sender's phone chat id when `from` is an @lid id: engines put it in `_data.key`
    (`remoteJidAlt`, `senderPn`) or `_data.Info.SenderAlt`; "" when none is given."""
    data = payload.get("_data")
    if not isinstance(data, dict):
        return ""
    places = [data.get("key"), data.get("Info")]
    for place in places:
        if not isinstance(place, dict):
            continue
        for key in ("remoteJidAlt", "senderPn", "SenderAlt"):
            value = place.get(key)
            if isinstance(value, str) and "@" in value and len(value) <= MAX_ID_CHARS and not value.endswith("@lid"):
                return value.strip()
    return ""


def serialized_id(value: object) -> str | None:
    """A message id as WAHA serializes it: a string, or an object carrying `_serialized`."""
    if isinstance(value, dict):
        value = value.get("_serialized")
    if isinstance(value, str) and 0 < len(value.strip()) <= MAX_ID_CHARS:
        return value.strip()
    return None


def _text(doc: dict[str, Any], key: str, *, required: bool = False, where: str = "") -> str:
    value = doc.get(key)
    if value is None or value == "":
        if required:
            raise BadEvent(_("{field} is missing").format(field=where + key))
        return ""
    if not isinstance(value, str) or not value.strip():
        raise BadEvent(_("{field} is not text").format(field=where + key))
    if len(value) > MAX_ID_CHARS:
        raise BadEvent(_("{field} is too long").format(field=where + key))
    return value.strip()


_EARLIEST = datetime(2015, 1, 1, tzinfo=UTC)


def _timestamp(value: object) -> datetime | None:
    """An envelope timestamp (Unix milliseconds) as a time, None when missing or not a number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _event_time(stamped: datetime | None, now: datetime) -> str:
    """The event's time: its timestamp when plausible, else 'now'."""
    moment = stamped if stamped is not None and _EARLIEST <= stamped <= now + timedelta(minutes=5) else now
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")
