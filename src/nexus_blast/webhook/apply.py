"""Applying one WAHA event to the database, atomically and at most once.

The receiver (webhook/app.py) and `campaign sync` (webhook/sync.py) both go through `apply_ack`,
so a receipt learned by polling is recorded exactly like one pushed by a webhook.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nexus_blast.domain.messages import SkipReason
from nexus_blast.domain.optout import match_keyword
from nexus_blast.domain.receipts import advance
from nexus_blast.store import delivery as store
from nexus_blast.store.webhook import find_by_message_ids, last_status, save_status
from nexus_blast.webhook.events import Ack, Envelope, Ignored, Incoming
from nexus_blast.webhook.security import Origin

PERSON_DOMAINS = ("c.us", "s.whatsapp.net")


@dataclass(frozen=True)
class Reply:
    """The opt-out confirmation to send once the event is committed."""

    session: str  # local session name
    chat_id: str
    phone: str
    text: str


@dataclass
class Outcome:
    status: str  # applied | duplicate | ignored
    detail: dict = field(default_factory=dict)
    reply: Reply | None = None

    def document(self) -> dict:
        return {"status": self.status, **self.detail}


def apply_event(db, settings, envelope: Envelope, origin: Origin, now: str) -> Outcome:
    """Apply ENVELOPE, sent on behalf of ORIGIN's local sessions, in one transaction; a repeated
    event id changes nothing."""
    if isinstance(envelope.payload, Ignored):
        return Outcome("ignored", {"reason": envelope.payload.reason})
    with store.transaction(db):
        if envelope.event_id and not store.record_event(db, envelope.event_id, envelope.event, envelope.session, now):
            return Outcome("duplicate")
        payload = envelope.payload
        if isinstance(payload, Incoming):  # an opt-out counts everywhere, whichever session heard it
            return _apply_incoming(db, settings, origin.sessions, payload, envelope.at, now)
        if not origin.sessions:
            return Outcome("ignored", {"reason": "no configured session uses this WAHA session"})
        if isinstance(payload, Ack):
            changed = apply_ack(db, list(origin.sessions), payload.message_id, payload.ack, envelope.at, now)
            if changed is None:
                return Outcome("ignored", {"reason": "unknown message id"})
            return Outcome("applied", {"changed": changed})
        return _apply_status(db, origin.sessions, payload.status, envelope.at, now)


# --- acks -------------------------------------------------------------------------------------


def id_candidates(message_id: str) -> tuple[list[str], str | None]:
    """The spellings under which a serialized id may be stored, and (for @lid chats) its bare id.

    `true_5511…@s.whatsapp.net_3EB0` and `true_5511…@c.us_3EB0` name the same message, as do a
    Brazilian mobile's 9-digit and legacy 8-digit ids; an ack whose chat is an @lid id only shares
    the trailing id part (random and long, so unique in practice) with the id we stored."""
    parts = message_id.split("_", 2)
    if len(parts) != 3 or "@" not in parts[1]:
        return [message_id], None
    from_me, chat, bare = parts
    user, _, domain = chat.partition("@")
    if domain == "lid":
        return [message_id], (bare if from_me == "true" and len(bare) >= 8 else None)
    if domain not in PERSON_DOMAINS:
        return [message_id], None
    candidates = [message_id]
    for digits in _br_mobile_spellings(user):
        for dom in PERSON_DOMAINS:
            candidate = f"{from_me}_{digits}@{dom}_{bare}"
            if candidate not in candidates:
                candidates.append(candidate)
    return candidates, None


def _br_mobile_spellings(user: str) -> list[str]:
    """5511987654321 ↔ 551187654321 (WhatsApp may know a Brazilian mobile without its 9th digit)."""
    spellings = [user]
    if user.isdigit() and user.startswith("55"):
        if len(user) == 12 and user[4] in "6789":
            spellings.append(user[:4] + "9" + user[4:])
        elif len(user) == 13 and user[4] == "9":
            spellings.append(user[:4] + user[5:])
    return spellings


def apply_ack(db, sessions: list[str], message_id: str, ack: int, at: str, now: str) -> bool | None:
    """Advance the receipt of the message MESSAGE_ID sent by one of SESSIONS (local names); None
    when none of theirs has that id, else whether anything changed. The caller holds the transaction."""
    candidates, suffix = id_candidates(message_id)
    row = find_by_message_ids(db, sessions, candidates, suffix)
    if row is None:
        return None
    receipt = advance(row.receipt, ack, at)
    if receipt == row.receipt:
        return False
    store.save_receipt(db, row.id, receipt, now)
    return True


# --- session status ---------------------------------------------------------------------------


def _apply_status(db, sessions: tuple[str, ...], status: str, at: str, now: str) -> Outcome:
    """Record STATUS for SESSIONS, except where a newer status was already seen (a late retry) or
    the status is the one already applied (NOWEB repeats STARTING while it reconnects)."""
    healthy = status == "WORKING"
    applied, skipped = [], {}
    for name in sessions:
        last = last_status(db, name)
        if last is not None and at < last.event_at:
            skipped[name] = "older than the last status applied"
            continue
        save_status(db, name, status, at, now)
        if last is not None and last.status == status:
            skipped[name] = "same status as the last applied"
            continue
        _set_health(db, name, status, healthy, now)
        applied.append(name)
    if not applied:
        return Outcome("ignored", {"reason": "; ".join(sorted(set(skipped.values())))})
    return Outcome("applied", {"sessions": applied, "healthy": healthy})


def _set_health(db, session: str, status: str, healthy: bool, now: str) -> None:
    """Record SESSION's WAHA status. A hold with a future `until` (a 463 reach-out timelock leaves
    the session WORKING) survives: WORKING does not lift it, and a failure keeps its end time."""
    from nexus_blast.store.campaigns import get_session_health, set_session_health

    current = get_session_health(db, session)
    held = current is not None and not current["healthy"] and (current["until"] or "") > now
    if held and healthy:
        set_session_health(db, session, status=status, healthy=False, reason=current["reason"], until=current["until"])
    else:
        set_session_health(db, session, status=status, healthy=healthy, reason=status, until=current["until"] if held else None)


# --- incoming messages: opt-out keywords and replies ------------------------------------------------------


def phone_of_chat(chat_id: str) -> str | None:
    """The E.164 of a person's chat id (legacy 8-digit ids get their 9); None for groups and @lid."""
    from nexus_blast.domain.phones import normalize_phone

    user, _, domain = chat_id.partition("@")
    if domain and domain not in PERSON_DOMAINS:
        return None
    digits = user.split(":", 1)[0]  # multi-device ids: 5511…:12@s.whatsapp.net
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        return None
    result = normalize_phone("+" + digits, allow_foreign=True)
    return result.e164 or "+" + digits


def _apply_incoming(db, settings, names: tuple[str, ...], message: Incoming, at: str, now: str) -> Outcome:
    outcome = apply_incoming(db, settings, names, message, message.at or at, now)
    if outcome.detail.get("optout"):
        text = settings.webhook.optout_reply.strip()
        phone = outcome.detail["optout"]
        if text and names:
            from nexus_blast.store.campaigns import last_senders

            last = last_senders(db, [phone]).get(phone)
            session = last if last in names else names[0]
            if store.claim_reply(db, phone, session, now):
                outcome.reply = Reply(session, message.chat_id, phone, text)
    return outcome


def apply_incoming(db, settings, sessions, message: Incoming, at: str, now: str) -> Outcome:
    """Apply a message a contact wrote to local SESSIONS at AT (ISO UTC): an opt-out keyword opts
    the sender out everywhere; anything else is the reply to the most recent campaign message one of
    SESSIONS sent them within `campaigns.reply_window` (first reply only). The sender becomes warm
    for SESSIONS. Groups, broadcasts, status updates, own messages and numbers no campaign wrote to
    are ignored (the reason says which). The caller holds the transaction; `campaign sync` comes here
    too, so a repeated message changes nothing whichever way it arrives."""
    from nexus_blast.domain.replies import LID, PERSON, chat_kind, excerpt, reply_span
    from nexus_blast.store import replies

    if message.from_me:
        return Outcome("ignored", {"reason": "own message"})
    kind = chat_kind(message.chat_id)
    if kind not in (PERSON, LID):
        return Outcome("ignored", {"reason": f"{kind} message"})
    phone = phone_of_chat(message.chat_id) if kind == PERSON else None
    if phone is None and message.alt_chat_id and chat_kind(message.alt_chat_id) == PERSON:
        phone = phone_of_chat(message.alt_chat_id)
    since, until = reply_span(at, settings.campaigns.reply_window_seconds)
    target = replies.reply_target(db, sessions, phone_spellings(phone), message.chat_id if kind == LID else None, since, until)
    if phone is None and target is not None:
        phone = target.phone  # an @lid chat blast sent to: the message says whose it is
    if phone is None:
        return Outcome("ignored", {"reason": "sender is not a phone chat"})
    replies.mark_warm(db, phone, sessions, at)
    word = match_keyword(message.body, settings.webhook.optout_keywords)
    if word is not None:
        from nexus_blast.store.contacts import add_optout

        added = add_optout(db, phone, f"keyword:{word}")
        skipped = store.skip_pending(db, phone, SkipReason.OPTED_OUT, now)
        detail = {"optout": phone, "new": added, "skipped": skipped}
        if target is not None:
            replies.record_optout(db, target.id, at)
            detail["campaign"] = target.campaign_id
        return Outcome("applied", detail)
    if target is None:
        return Outcome("ignored", {"reason": "no campaign message to this number within campaigns.reply_window"})
    new = replies.record_reply(db, target.id, at, excerpt(message.body))
    return Outcome("applied", {"reply": phone, "campaign": target.campaign_id, "new": new})


def phone_spellings(phone: str | None) -> list[str]:
    """PHONE (E.164) and, for a Brazilian mobile, its spelling with / without the 9th digit."""
    if not phone:
        return []
    return ["+" + digits for digits in _br_mobile_spellings(phone.lstrip("+"))]
