"""Unknown outcomes: did a message left in `sending` really go out? Ask WAHA, never guess.

A message is `sending` (committed) before its HTTP request and `sent` after the answer. If the
process died in between, or the answer proved nothing (read timeout, reset, any 5xx, see
waha/outcomes.py), WAHA is asked: on servers that took our own id for it (`planned_id`), that
message is read back by id; otherwise (and when the id is not found, to be safe) the chat's recent
messages from us since `sending_at` are matched on the exact text (the caption for images),
ignoring ids already recorded for other messages. Found → `sent` with that id; not found → back to
`pending`, to be sent again.

The decision window: a message is judged only once `waha.timeout + waha.settle` seconds have
passed since its attempt began (`sending_at`): the server may still be working on an abandoned
request until then, and reading the chat too early would resend it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from nexus_blast.domain.messages import Part, message_parts, part_in_flight
from nexus_blast.store import campaigns as store
from nexus_blast.store.db import iso
from nexus_blast.waha.errors import WahaError

CLOCK_SLACK = 120  # seconds: server and client clocks may disagree
HISTORY = 50


@dataclass
class ReconcileResult:
    sent: int = 0
    requeued: int = 0
    unresolved: list[int] = field(default_factory=list)  # still `sending`: WAHA could not be asked


def _when(text: str | None) -> datetime:
    return datetime.fromisoformat(text) if text else datetime.now(UTC)


def _serialized(item: dict) -> str:
    ident = item.get("id")
    if isinstance(ident, dict):
        return str(ident.get("_serialized") or "")
    return str(ident or "")


def _seconds(value) -> float:
    """An item's unix timestamp in seconds (milliseconds tolerated); +inf when absent or unreadable."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("inf")
    return number / 1000 if number > 1e11 else number


@dataclass(frozen=True)
class Sought:
    """What a `sending` message's send in flight looks like in the chat (domain.messages.Part)."""

    body: str
    media: bool | None = None  # None: either (a caption is matched on its text alone)
    first_of_two: bool = False  # the first of a voice note's two sends: found, the second is still due


def sought(message: store.Message, kind: str | None = None, media_first: bool = False) -> Sought:
    """The send MESSAGE has in flight, for a campaign whose media is of KIND (None: text only; a
    confirm-first question is text alone)."""
    parts = message_parts(None if message.phase == "ask" else kind, message.text, media_first)
    if len(parts) == 1:
        return Sought(message.text)
    part = part_in_flight(parts, message.lead_id is not None)
    first = message.lead_id is None
    return Sought(message.text, False, first) if part is Part.TEXT else Sought("", True, first)


def record_found(db, message: store.Message, found: str, what: Sought, now: Callable[[], datetime]) -> str:
    """MESSAGE's send in flight was FOUND in the chat: `sent`, or (the first of two) recorded and
    back to `pending` for the second. Returns the new status."""
    if what.first_of_two:
        store.record_lead(db, message.id, found, planned_id=None, sending_at=iso(now()))
        store.transition(db, message.id, "sending", "pending", error="")
        return "pending"
    store.transition(db, message.id, "sending", "sent", message_id=found, sent_at=iso(now()))
    return "sent"


async def find_sent(
    client, waha_session: str, message: store.Message, known: Callable[[str], bool], what: Sought | None = None
) -> str | None:
    """The serialized id of MESSAGE's send in flight (WHAT, default: its text or caption) in its
    chat, or None when it is not there (WahaError if WAHA cannot be asked)."""
    what = what or Sought(message.text)
    if message.planned_id:
        ident = f"true_{message.chat_id}_{message.planned_id}"
        if await client.get_message(waha_session, message.chat_id, ident) is not None:
            return ident
    since = int(_when(message.sending_at).timestamp()) - CLOCK_SLACK
    items = await client.chat_messages(waha_session, message.chat_id, limit=HISTORY, since=since, from_me=True)
    for item in items:
        if item.get("fromMe") is False:
            continue
        if _seconds(item.get("timestamp")) < since:  # a server may ignore the filter: older is not ours
            continue
        ident = _serialized(item)
        if message.planned_id and ident.endswith("_" + message.planned_id):
            return ident
        body = item.get("body") if item.get("body") is not None else item.get("caption")
        if what.media is not None and "hasMedia" in item and bool(item["hasMedia"]) != what.media:
            continue
        if body is None and what.media:
            body = ""
        if not isinstance(body, str) or _same_text(body) != _same_text(what.body):
            continue
        if ident and not known(ident):
            return ident
    return None


def _same_text(text: str) -> str:
    """The text as WhatsApp may hand it back: line endings and outer blanks are not ours to trust."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def settle_left(message: store.Message, settle_seconds: float, now: Callable[[], datetime]) -> float:
    """Seconds until MESSAGE's last attempt is SETTLE_SECONDS old (0 when it is)."""
    return max(0.0, settle_seconds - (now() - _when(message.sending_at)).total_seconds())


async def settle(message: store.Message, settle_seconds: float, now: Callable[[], datetime]) -> None:
    """Wait until MESSAGE's request can no longer be in flight on the server."""
    left = settle_left(message, settle_seconds, now)
    if left:
        await asyncio.sleep(left)


async def reconcile_message(
    db, client, waha_session: str, message: store.Message, *, now: Callable[[], datetime], what: Sought | None = None
) -> str:
    """Resolve one `sending` message: returns "sent", "pending" or "unresolved" (WahaError kept it)."""
    if not message.chat_id:
        # The request cannot have gone out without a chat id: it never reached WAHA.
        store.transition(db, message.id, "sending", "pending")
        return "pending"
    try:
        found = await find_sent(client, waha_session, message, lambda i: store.message_id_known(db, i), what)
    except WahaError:
        return "unresolved"
    if found:
        return record_found(db, message, found, what or Sought(message.text), now)
    store.transition(db, message.id, "sending", "pending", error="")
    return "pending"


async def reconcile_campaign(
    db,
    campaign_id: int,
    clients: dict[str, tuple[object, str]],
    *,
    settle_seconds: float,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    kind: str | None = None,
    media_first: bool = False,
) -> ReconcileResult:
    """Resolve every `sending` message of the campaign. CLIENTS: local session → (client, WAHA
    session name); a message whose session is not there stays unresolved. KIND and MEDIA_FIRST
    (the campaign's media) say which send a voice note's message has in flight."""
    result = ReconcileResult()
    for message in store.messages_in(db, campaign_id, "sending"):
        target = clients.get(message.session or "")
        if target is None:
            result.unresolved.append(message.id)
            continue
        await settle(message, settle_seconds, now)
        outcome = await reconcile_message(db, target[0], target[1], message, now=now, what=sought(message, kind, media_first))
        if outcome == "sent":
            result.sent += 1
        elif outcome == "pending":
            result.requeued += 1
        else:
            result.unresolved.append(message.id)
    return result
