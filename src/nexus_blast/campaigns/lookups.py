"""Recipient look-ups: the chatId WhatsApp knows a number by, from the recipients cache or asked
with WAHA `lookup_delay` apart, and the look-up of a lane's next number started while its current
message is being sent (`_look_ahead`): its answer, or its error, is taken by that next message in
turn. Mixed into `Sender`."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from nexus_blast.campaigns.lanes import Lane
from nexus_blast.domain.messages import SkipReason
from nexus_blast.domain.phones import whatsapp_digits
from nexus_blast.store import campaigns as store
from nexus_blast.store import contacts as contacts_store
from nexus_blast.waha.errors import WahaError

RECIPIENT_TTL = timedelta(days=30)


@dataclass
class Lookup:
    """A number looked up with WAHA during this attempt, not stored yet: (phone, on WhatsApp, chat id)."""

    row: tuple[str, bool, str | None]
    stored: bool = False


@dataclass
class Ahead:
    """The look-up of a lane's next number, started while the lane's current message is sent."""

    phone: str
    task: asyncio.Future  # (on WhatsApp, chat id), None when the campaign halted first, or its WahaError


class Lookups:
    """The look-ups of the Sender (uses its lanes, store, clock, pauses and failure handling)."""

    async def _resolve(self, lane: Lane, message: store.Message) -> tuple[str | None, Lookup | None]:
        """The chatId WhatsApp knows the number by (cached), and the look-up to store when it was
        asked now (the caller stores it, with the send's start when there is one); (None, None)
        when the message left the lane."""
        digits = whatsapp_digits(message.phone)
        cached = store.get_recipient(self.db, message.phone)
        fresh = self._fresh(cached)
        lookup = None
        ahead = self.ahead.get(lane.name)
        if ahead is not None and (ahead.phone != message.phone or fresh):
            await self._drop_ahead(lane)  # not this message's number after all (or known meanwhile)
            ahead = None
        if fresh:
            exists, chat_id = cached[0], cached[1]
        else:
            try:
                if ahead is not None:  # asked while the lane's previous message was being sent
                    del self.ahead[lane.name]
                    answer = await ahead.task
                else:
                    answer = await self._ask(lane, digits)
            except WahaError as exc:
                self._not_sent(lane, message, exc, message.attempts)
                return None, None
            if answer is None:  # halted before asking
                lane.queue.appendleft(message.id)
                return None, None
            exists, chat_id = answer
            lane.throttled = 0
            lookup = Lookup((message.phone, exists, chat_id))
        if not exists:
            if lookup is not None:
                store.put_recipient(self.db, *lookup.row)
            if store.transition(self.db, message.id, "pending", "skipped", error=str(SkipReason.NOT_ON_WHATSAPP)):
                self._count("skipped")
            return None, None
        return chat_id or f"{digits}@c.us", lookup

    def _fresh(self, cached: tuple[bool, str | None, str] | None) -> bool:
        """A recipients row (store.get_recipient) young enough to trust."""
        return cached is not None and self.now() - datetime.fromisoformat(cached[2]) < RECIPIENT_TTL

    async def _ask(self, lane: Lane, digits: str) -> tuple[bool, str | None] | None:
        """DIGITS looked up through LANE, `lookup_delay` after its previous look-up; None when the
        campaign halted during that wait."""
        if lane.last_lookup is not None:
            await self._pause(lane.last_lookup + self.config.lookup_delay.draw(self.rng) - time.monotonic())
        if self._halt.is_set():
            return None
        try:
            return await lane.spec.client.check_exists(lane.spec.waha_session, digits)
        finally:
            lane.last_lookup = time.monotonic()

    def _look_ahead(self, lane: Lane) -> None:
        """Start the look-up of LANE's next message now, while the current one is being sent, when
        that message would ask for one: its answer (or its error) is taken in order by `_resolve`,
        so a send and the next look-up overlap instead of waiting on each other. Not for a number
        that opted out, nor when the lane's next send would pass its daily cap."""
        if lane.name in self.ahead or not lane.queue or lane.sent_today + 1 >= lane.spec.daily_cap:
            return
        message = store.get_message(self.db, lane.queue[0])
        if message is None or message.status != "pending" or message.chat_id:
            return
        if self._fresh(store.get_recipient(self.db, message.phone)) or contacts_store.is_opted_out(self.db, message.phone):
            return
        task = asyncio.ensure_future(self._ask(lane, whatsapp_digits(message.phone)))
        self.ahead[lane.name] = Ahead(message.phone, task)

    async def _drop_ahead(self, lane: Lane) -> None:
        """Forget LANE's look-up ahead: one that was answered is stored (WhatsApp was asked), one
        still waiting is cancelled."""
        ahead = self.ahead.pop(lane.name, None)
        if ahead is None:
            return
        if not ahead.task.done():
            ahead.task.cancel()
            await asyncio.gather(ahead.task, return_exceptions=True)
            return
        if not ahead.task.cancelled() and ahead.task.exception() is None and ahead.task.result() is not None:
            store.put_recipient(self.db, ahead.phone, *ahead.task.result())
