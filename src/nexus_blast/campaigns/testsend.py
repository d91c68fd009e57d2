"""`send --test-to`: the first contacts' rendered messages (with the campaign's image) sent now to
the operator's own phones, through the session the plan gave each contact.

A test message is no campaign message: it is stored nowhere (no `messages` row, so no receipt,
reply or report counts it) and takes no slot of a session's daily cap (the counter only moves with
campaign messages). What bounds it instead is MAX_TEST_PHONES per command: a test send is a handful
of messages to the operator's own phones, not a way around the caps.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from nexus_blast.errors import DependencyError, InputError
from nexus_blast.i18n import _

MAX_TEST_PHONES = 5


@dataclass(frozen=True)
class TestSent:
    """One test message that went out: to PHONE (E.164) via SESSION, the message of contact ROW."""

    phone: str
    session: str
    message_id: str | None
    row: int | None
    text: str
    phase: str = "offer"  # "ask": a confirm-first question (sent before its offer)

    def document(self) -> dict:
        doc = {"phone": self.phone, "session": self.session, "message_id": self.message_id, "row": self.row}
        return doc | ({"phase": self.phase} if self.phase == "ask" else {})


def parse_test_phones(text: str, optouts: set[str] | None = None) -> list[str]:
    """The E.164 numbers of `--test-to PHONE[,PHONE]`; InputError naming the first bad one (before
    anything is stored or sent)."""
    from nexus_blast.domain.phones import normalize_phone

    raw = [part.strip() for part in text.split(",") if part.strip()]
    if not raw:
        raise InputError(_("--test-to: give at least one phone number"), hint="--test-to +5511987654321")
    if len(raw) > MAX_TEST_PHONES:
        raise InputError(_("--test-to: at most {n} phone numbers").format(n=MAX_TEST_PHONES))
    phones: list[str] = []
    for spelling in raw:
        result = normalize_phone(spelling, allow_foreign=True)
        if not result.valid or not result.e164:
            raise InputError(_("--test-to: {phone!r} is not a valid phone number ({reason})").format(phone=spelling, reason=result.reason))
        if result.kind == "landline":
            raise InputError(_("--test-to: {phone!r} is a landline (no WhatsApp)").format(phone=spelling))
        if optouts and result.e164 in optouts:
            raise InputError(_("--test-to: {phone} is on the opt-out list").format(phone=result.e164))
        if result.e164 not in phones:
            phones.append(result.e164)
    return phones


def send_tests(settings, prepared, phones: list[str], media_first: bool = False) -> list[TestSent]:
    """Send test phone i the message of the i-th contact of PREPARED (cycling when there are fewer
    contacts than phones), with the campaign's image; the list of what went out, in order.
    InputError when a test phone is not on WhatsApp; WahaError (exit 3) when a session fails."""
    items = list(prepared.summary.preview)
    if not items:
        raise InputError(_("--test-to: the campaign has no message to send (every contact is skipped)"))
    pairs = [(phone, items[i % len(items)]) for i, phone in enumerate(phones)]
    if prepared.image is not None:
        from nexus_blast.campaigns.clients import core_sessions

        core = core_sessions(settings, sorted({item.session for _, item in pairs}))
        if core:
            raise DependencyError(
                _("session(s) {names} run on WAHA Core, which cannot send images").format(names=", ".join(core)),
                hint=_("use a WAHA Plus (or 2026.6+) server, or send without --image"),
            )
    return asyncio.run(_send_all(settings, prepared.image, pairs, media_first))


async def _send_all(settings, image, pairs, media_first: bool = False) -> list[TestSent]:
    from nexus_blast.campaigns.clients import ClientPool
    from nexus_blast.campaigns.media import load_data

    data = load_data(image) if image is not None else None
    # A send is never retried blindly (it may have arrived): the client's retry policy says so.
    pool = ClientPool(settings)
    try:
        sent: list[TestSent] = []
        for phone, item in pairs:
            sent += await _send_one(settings, pool, phone, item, image, data, media_first)
        return sent
    finally:
        await pool.aclose()


async def _send_one(settings, pool, phone: str, item, image, data, media_first: bool = False) -> list[TestSent]:
    """The contact's message to PHONE; a confirm-first campaign's question (text alone) first."""
    from nexus_blast.domain.phones import whatsapp_digits

    client = pool.for_session(item.session)
    waha_session = settings.sessions[item.session].waha_session or item.session
    digits = whatsapp_digits(phone)
    exists, chat_id = await client.check_exists(waha_session, digits)
    if not exists:
        raise InputError(_("--test-to: {phone} is not on WhatsApp (asked session {session})").format(phone=phone, session=item.session))
    chat_id = chat_id or f"{digits}@c.us"
    out = []
    if item.question is not None:
        asked = await client.send_text(waha_session, chat_id, item.question)
        out.append(TestSent(phone, item.session, asked.serialized_id, item.row, item.question, "ask"))
    from nexus_blast.domain.messages import Part, message_parts

    for part in message_parts(image.kind if image is not None else None, item.text, media_first):
        if part is Part.TEXT:
            sent = await client.send_text(waha_session, chat_id, item.text)
        else:  # the campaign's media: its caption is the text, but a voice note has none (sent apart)
            sent = await client.send_media(
                image.kind, waha_session, chat_id, mimetype=image.mimetype, filename=image.filename,
                data_b64=data, url=None if image.sends_data else image.url,
                caption="" if image.kind == "voice" else item.text, convert=image.convert,
            )
        out.append(TestSent(phone, item.session, sent.serialized_id, item.row, item.text))
    return out
