"""`blast campaign sync`: receipts and replies by polling WAHA instead of webhooks (sites behind NAT).

For each sent message of the campaign still without a read receipt, ask its session for the chat's
recent messages from us and feed each ack through `apply_ack`, the webhook's own code path; for each
still without a reply, read the contact's messages and feed each through `apply_incoming`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from nexus_blast import clock
from nexus_blast.campaigns.clients import ClientPool
from nexus_blast.domain.receipts import parse_ack
from nexus_blast.i18n import _
from nexus_blast.errors import BlastError, ExitCode, NotFound
from nexus_blast.store import delivery as store
from nexus_blast.store.campaigns import get_campaign
from nexus_blast.store.db import iso, utcnow
from nexus_blast.store.replies import unanswered
from nexus_blast.webhook.apply import apply_ack, apply_incoming, id_candidates
from nexus_blast.webhook.events import Incoming, alt_chat, message_time, serialized_id

SKEW_SECONDS = 120  # WAHA's message timestamps come from the phone's clock
HISTORY_LIMIT = 100


@dataclass
class SyncResult:
    campaign: int
    checked: int = 0  # messages asked about
    updated: int = 0  # messages whose receipt moved forward
    delivered: int = 0
    read: int = 0
    replies: int = 0  # replies newly recorded by this sync
    optouts: int = 0  # opt-out keywords newly found by this sync
    errors: list[dict] = field(default_factory=list)  # [{"session", "message"}]
    exit_code: int = int(ExitCode.OK)

    def document(self) -> dict:
        return {
            "campaign": self.campaign, "checked": self.checked, "updated": self.updated,
            "delivered": self.delivered, "read": self.read, "replies": self.replies, "optouts": self.optouts,
            "errors": self.errors,
        }


async def sync_campaign(db, settings, campaign_id: int) -> SyncResult:
    """Poll every session of CAMPAIGN_ID's unread messages; a session that fails is reported in
    `errors` (and the exit code: 3 unreachable/refused, 2 unknown session) while the others go on."""
    if get_campaign(db, campaign_id) is None:
        raise NotFound(_("unknown campaign {id}").format(id=campaign_id), hint=_("see: blast campaign list"))
    result = SyncResult(campaign_id)
    by_session: dict[str, dict[str, list[store.Unread]]] = defaultdict(lambda: defaultdict(list))
    for unread in store.unread_messages(db, campaign_id):
        by_session[unread.session][unread.chat_id].append(unread)
    waiting: dict[str, dict[str, str]] = defaultdict(dict)  # session → chat → earliest sent_at
    for session, chat_id, _phone, sent_at in unanswered(db, campaign_id):
        earliest = waiting[session].get(chat_id)
        waiting[session][chat_id] = sent_at if earliest is None else min(earliest, sent_at)
    pool = ClientPool(settings)
    try:
        for session in {**by_session, **waiting}:
            try:
                if session in by_session:
                    await _sync_session(db, settings, pool, session, by_session[session], result)
                if session in waiting:
                    await _sync_replies(db, settings, pool, session, waiting[session], result)
            except BlastError as exc:
                result.errors.append({"session": session, "message": exc.message})
                result.exit_code = max(result.exit_code, int(exc.exit_code))
    finally:
        await pool.aclose()
    counts = store.delivery_counts(db, campaign_id)
    result.delivered, result.read = counts["delivered"], counts["read"]
    return result


async def _sync_session(db, settings, pool, session: str, chats: dict[str, list[store.Unread]], result: SyncResult) -> None:
    waha_session = settings.session(session).waha_session or session  # ConfigError when no longer configured
    client = pool.for_session(session)
    for chat_id, unread in chats.items():
        since = min(_unix(u.sent_at) for u in unread) - SKEW_SECONDS
        history = await client.chat_messages(
            waha_session, chat_id, limit=max(HISTORY_LIMIT, 2 * len(unread)), since=max(since, 0), from_me=True
        )
        result.checked += len(unread)
        result.updated += _apply_history(db, session, history, {u.message_id for u in unread})


async def _sync_replies(db, settings, pool, session: str, chats: dict[str, str], result: SyncResult) -> None:
    """Read what the contacts of CHATS (chat → earliest unanswered send) wrote to local SESSION
    since, and apply each message as the webhook would (webhook/apply.py `apply_incoming`)."""
    waha_session = settings.session(session).waha_session or session
    client = pool.for_session(session)
    for chat_id, sent_at in chats.items():
        since = max(_unix(sent_at) - SKEW_SECONDS, 0)
        history = await client.chat_messages(waha_session, chat_id, limit=HISTORY_LIMIT, since=since, from_me=False)
        _apply_incoming_history(db, settings, session, chat_id, history, result)


def _apply_incoming_history(db, settings, session: str, chat_id: str, history: list[dict], result: SyncResult) -> None:
    """Apply HISTORY's messages from the contact, oldest first, in one transaction."""
    now_dt = clock.now()
    now = iso(now_dt)
    items = [i for i in history if isinstance(i, dict) and i.get("fromMe") is False]
    items.sort(key=lambda i: i.get("timestamp") if isinstance(i.get("timestamp"), (int, float)) else 0)
    with store.transaction(db):
        for item in items:
            body = item.get("body")
            sender = item.get("from") if isinstance(item.get("from"), str) and item.get("from") else chat_id
            message = Incoming(sender, body if isinstance(body, str) else "", False,
                               message_time(item.get("timestamp"), now_dt), alt_chat(item))
            outcome = apply_incoming(db, settings, [session], message, message.at or now, now)
            if outcome.status != "applied":
                continue
            if "reply" in outcome.detail and outcome.detail.get("new"):
                result.replies += 1
            elif "optout" in outcome.detail and outcome.detail.get("new"):
                result.optouts += 1


def _apply_history(db, session: str, history: list[dict], ours: set[str]) -> int:
    """Apply the acks HISTORY (of local SESSION's chat) reports for OURS (stored ids), one
    transaction; how many moved forward."""
    now = utcnow()
    updated = 0
    with store.transaction(db):
        for item in history:
            if not isinstance(item, dict):
                continue
            message_id = serialized_id(item.get("id"))
            ack = parse_ack(item.get("ack"))
            if ack is None:
                ack = parse_ack(item.get("ackName"))
            if not message_id or ack is None or ours.isdisjoint(id_candidates(message_id)[0]):
                continue
            if apply_ack(db, [session], message_id, ack, now, now):
                updated += 1
    return updated


def _unix(iso_text: str) -> int:
    try:
        return int(datetime.fromisoformat(iso_text).timestamp())
    except ValueError:
        return 0
