"""The sender: one asyncio lane per session, human pacing, recipient look-ups, failover.

Each message: look its number up (cached), wait for the lane's next slot (a delay drawn from the
range, counted from the lane's previous send), optionally show "typing…", mark it `sending`
(committed), send, mark it `sent` (committed). Whatever the failure, the message is in exactly one
state in SQLite, and an unknown outcome is checked with WAHA before any resend. While a message is
being sent, the lane's next number is already looked up (`_look_ahead`); its answer, or its error,
is taken by that next message in turn.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from nexus_blast.campaigns.failover import Failover
from nexus_blast.campaigns.guard import Guard
from nexus_blast.campaigns.lanes import CAPPED, RESTING, TIMELOCKED, UNHEALTHY, UNUSABLE, Board, Lane, LaneSpec
from nexus_blast.campaigns.lookups import Ahead, Lookup, Lookups
from nexus_blast.campaigns.media import Media
from nexus_blast.campaigns.reconcile import sought
from nexus_blast.domain.brake import BrakeRule
from nexus_blast.domain.messages import Part, SkipReason, message_parts, part_in_flight
from nexus_blast.domain.pacing import CountRange, DelayRange, LaneHistory, PacingPolicy, typing_pause
from nexus_blast.domain.window import Window
from nexus_blast.i18n import _, moment
from nexus_blast.store import campaigns as store
from nexus_blast.store.replies import warm_sessions
from nexus_blast.store import leases
from nexus_blast.store import pacing as pacing_store
from nexus_blast.store import contacts as contacts_store
from nexus_blast.store.db import iso
from nexus_blast.waha.errors import WahaError
from nexus_blast.waha.parsing import new_short_id

IDLE_POLL = 0.05


@dataclass
class SenderConfig:
    delay: DelayRange
    lookup_delay: DelayRange = DelayRange(0, 0)
    attempts: int = 4
    backoff_initial: float = 2.0
    backoff_max: float = 60.0
    unhealthy_after: int = 3
    probe_interval: float = 60.0
    typing: bool = False
    typing_cps: float = 25.0
    image: Media | None = None  # the campaign's one media (any kind; the name is from when only images existed)
    image_data: bytearray | None = None  # its base64, read once per run (None: WAHA fetches its URL)
    media_first: bool = False  # a voice note before its text (send --media-first)
    link_preview: bool = True  # `linkPreview` in text sends
    timezone: ZoneInfo = ZoneInfo("America/Sao_Paulo")
    window: Window | None = None
    signal_check: int = 50  # read WhatsApp's signals every this many sends (campaigns/guard.py)
    brake: BrakeRule | None = None  # the brake on failure (None: off)
    guard_rest: DelayRange = DelayRange(300, 900)  # a warned or braked lane rests this long (campaigns/guard.py)
    # An unknown outcome is read back from the chat only this long after its attempt began
    # (waha.timeout + waha.settle): the server may still be working on the abandoned request, and
    # reading too early would resend it.
    settle: float = 60.0
    lease_owner: str | None = None  # sends only while this process holds the campaign's lease
    batch: CountRange | None = None  # sends between two rests (None: no rests)
    rest: DelayRange | None = None

    @property
    def pacing(self) -> PacingPolicy:
        return PacingPolicy(self.delay, self.batch, self.rest)


@dataclass
class Tally:
    """Live progress of a run (the database holds the truth; this feeds the progress bar)."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0

    def settle(self, outcome: str) -> None:
        """One pending message ended as OUTCOME: sent, failed or skipped."""
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.pending -= 1


class Events:
    """What the sender reports while it runs (the CLI draws a progress bar from it)."""

    def progress(self, tally: Tally) -> None:
        pass

    def notice(self, text: str) -> None:
        pass

    def sent_by(self, session: str) -> None:
        """One message went out from SESSION (before the progress that counts it)."""
        pass

    def lane_state(self, session: str, state: str, reason: str) -> None:
        """SESSION's lane went STATE (unhealthy, timelocked, capped, unusable) for REASON."""
        pass


@dataclass
class SenderResult:
    halt: str  # done | interrupted | no_session | capped | resting | status | lease
    detail: str = ""
    until: datetime | None = None  # resting: when the first lane's rest ends
    unknown: list[int] = field(default_factory=list)


class Sender(Guard, Failover, Lookups):
    def __init__(
        self,
        db,
        campaign_id: int,
        lanes: list[LaneSpec],
        config: SenderConfig,
        *,
        rng: random.Random | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        events: Events | None = None,
    ) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.config = config
        self.rng = rng or random.Random()
        self.now = now
        self.events = events or Events()
        self.lanes = [Lane(spec) for spec in lanes]
        self.board = Board(self.lanes, set())
        self.recheck: set[int] = set()  # proven absent once: read back again right before the resend
        self.version_tasks: dict[int, asyncio.Future] = {}  # server version per client (failover.py)
        self.busy = 0
        self.tally = Tally()
        self._halt = asyncio.Event()
        self.ahead: dict[str, Ahead] = {}  # lane name -> its next number's look-up in flight
        self.result = SenderResult("done")
        self._window_closed_until: datetime | None = None

    # --- run ----------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event | None = None, abandon: asyncio.Event | None = None) -> SenderResult:
        """Send until done or halted; after STOP, in-flight sends get a grace period, cut short by
        ABANDON (a second signal: their messages stay `sending`, checked with WAHA on resume)."""
        self._load()
        self._load_guards()
        await asyncio.gather(*(self._probe(lane, first=True) for lane in self.lanes))
        for lane in self.lanes:
            self._apply_limits(lane)
            if not lane.sendable:
                self.board.evacuate(lane)
        self._sync()
        self._check()
        tasks = [asyncio.create_task(self._lane_loop(lane)) for lane in self.lanes]
        watcher = asyncio.create_task(self._watch(stop)) if stop is not None else None
        try:
            await self._halt.wait()
            pending = await self._wind_down(tasks, abandon)
            done = [task for task in tasks if task.done()]
            for task in pending:  # abandon in-flight requests: their messages stay `sending`
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for task in done:
                if task.exception() is not None:
                    raise task.exception()
        finally:
            if watcher is not None:
                watcher.cancel()
            for task in tasks:
                task.cancel()
            for lane in self.lanes:
                await self._drop_ahead(lane)
            self._sync()
        self.result.unknown = [mid for lane in self.lanes for mid in lane.unknown]
        return self.result

    async def _wind_down(self, tasks: list[asyncio.Task], abandon: asyncio.Event | None) -> set[asyncio.Task]:
        """Wait for the lanes to finish their message in flight, up to the grace period or ABANDON."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._grace()
        pending = {task for task in tasks if not task.done()}
        while pending and not (abandon is not None and abandon.is_set()):
            left = deadline - loop.time()
            if left <= 0:
                break
            _, pending = await asyncio.wait(pending, timeout=min(left, IDLE_POLL))
        return pending

    def _grace(self) -> float:
        return 5.0 if self.result.halt == "interrupted" else 60.0

    async def _watch(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._stop_all("interrupted", "interrupted")

    def _stop_all(self, halt: str, detail: str = "") -> None:
        if not self._halt.is_set():
            self.result = SenderResult(halt, detail)
            self._halt.set()

    def _load(self) -> None:
        c = store.counts(self.db, self.campaign_id)
        self.tally = Tally(sent=c.sent, failed=c.failed, skipped=c.skipped, pending=c.pending + c.sending)
        queue = store.pending_queue(self.db, self.campaign_id)
        phones = sorted({phone for _, _, phone in queue})
        previous = store.last_senders(self.db, phones)
        warm = warm_sessions(self.db, phones)  # contacts who wrote to a session have a chat there too
        orphans = []
        for mid, session, phone in queue:
            lane = self.board.by_name.get(session or "")
            if lane is None:
                orphans.append(mid)
                continue
            lane.queue.append(mid)
            if previous.get(phone) == session or session in warm.get(phone, ()):
                self.board.sticky.add(mid)
        self.board.place(orphans)
        local_day = self.now().astimezone(self.config.timezone).date()
        for lane in self.lanes:
            self._roll_day(lane, local_day, force=True)
            rest = pacing_store.get_lane_rest(self.db, self.campaign_id, lane.name)
            lane.history = self.config.pacing.started(
                LaneHistory(None, rest.sent_in_batch, rest.batch_target, rest.rest_until), self.rng
            )
        self.events.progress(self.tally)

    # --- lanes --------------------------------------------------------------------------------

    async def _lane_loop(self, lane: Lane) -> None:
        try:
            await self._lane_steps(lane)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # a bug or a database error: stop every lane, the runner pauses
            self._stop_all("error", f"{type(exc).__name__}: {exc}")
            raise

    async def _lane_steps(self, lane: Lane) -> None:
        while not self._halt.is_set():
            await self._guard(lane)
            if lane.state == UNHEALTHY:
                await self._recover(lane)
            elif lane.state in (CAPPED, UNUSABLE, RESTING) or not lane.queue:
                self._check()
                await self._pause(IDLE_POLL)
            else:
                mid = lane.queue.popleft()
                self.busy += 1
                try:
                    await self._deliver(lane, mid)
                finally:
                    self.busy -= 1
                    self._judge(lane)
                    self._sync()
                    self._check()

    def _check(self) -> None:
        """Finish when nothing is left; pause when work is left that no session can take."""
        self.board.adopt_orphans()
        self._sync()
        if self.busy:
            return
        if not self.board.queued():
            self._stop_all("done")
        elif not self.board.healthy() and not any(lane.queue and lane.sendable for lane in self.lanes):
            states = "; ".join(lane.describe() for lane in self.lanes)
            usable = [lane for lane in self.lanes if lane.state != UNUSABLE]
            capped = bool(usable) and all(lane.state == CAPPED for lane in usable)
            rests = [lane.limits.rest_until for lane in usable if lane.state == RESTING and lane.limits.rest_until]
            if rests and all(lane.state in (CAPPED, RESTING) for lane in usable):  # each rests (or is capped)
                self._stop_all("resting", f"every session rests: {states}")  # the stored pause reason: English
                self.result.until = min(rests)
            else:
                self._stop_all("capped" if capped else "no_session", f"no session can send: {states}")

    def _sync(self) -> None:
        moves = self.board.take_moves()
        if moves:
            store.reassign(self.db, moves)

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the campaign halts."""
        if seconds <= 0:
            return
        try:
            await asyncio.wait_for(self._halt.wait(), seconds)
        except TimeoutError:
            pass

    def _roll_day(self, lane: Lane, local_day, force: bool = False) -> None:
        if force or lane.day != local_day:
            lane.day = local_day
            lane.day_start = iso(datetime.combine(lane.day, datetime.min.time(), tzinfo=self.config.timezone))
            if lane.spec.cap_for is not None:  # warm-up: the cap grows with the days it sent
                lane.spec.daily_cap = lane.spec.cap_for(local_day)
            lane.sent_today = store.sent_since(self.db, lane.name, lane.day_start)

    def _day_start(self, lane: Lane) -> str:
        """Start of LANE's current local day (ISO UTC): the daily cap counts from there."""
        return lane.day_start

    # --- one message --------------------------------------------------------------------------

    async def _deliver(self, lane: Lane, mid: int) -> None:
        message = store.get_message(self.db, mid)
        if message is None or message.status != "pending":
            return
        if not await self._wait_for_window():  # before the look-up: nothing reaches WhatsApp at night
            lane.queue.appendleft(mid)
            return
        status = store.campaign_status(self.db, self.campaign_id)
        if status != "running":
            lane.queue.appendleft(mid)
            self._stop_all("status", f"campaign is now {status}")
            return
        if contacts_store.is_opted_out(self.db, message.phone):  # opted out after the campaign was made
            if store.transition(self.db, mid, "pending", "skipped", error=str(SkipReason.OPTED_OUT)):
                self._count("skipped")
            return
        self._roll_day(lane, self.now().astimezone(self.config.timezone).date())
        if lane.sent_today >= lane.spec.daily_cap:
            lane.queue.appendleft(mid)
            self._set_state(lane, CAPPED, _("daily cap of {cap} reached").format(cap=lane.spec.daily_cap))
            return
        if lane.state == TIMELOCKED and mid not in self.board.sticky:
            self.board.place([mid], exclude=lane)
            return
        due = self._next_slot(lane)
        if message.chat_id:
            chat_id, lookup = message.chat_id, None
        else:
            chat_id, lookup = await self._resolve(lane, message)
            if chat_id is None:
                return
        try:
            await self._attempt(lane, message, chat_id, due, lookup)
        finally:
            if lookup is not None and not lookup.stored:  # not sent after all: the look-up is kept alone
                store.put_recipient(self.db, *lookup.row)

    async def _attempt(self, lane: Lane, message: store.Message, chat_id: str, due: float, lookup: Lookup | None) -> None:
        """MESSAGE's send at DUE (monotonic) through LANE, to CHAT_ID: `pending → sending` committed
        (with LOOKUP, a fresh look-up of its number, in the same transaction), the request, then
        `sending → sent` committed, or what its failure means (failover.py)."""
        mid = message.id
        await self._pause(due - time.monotonic())
        await self._wait_for_window()  # it may have closed during the delay
        if self._halt.is_set():
            lane.queue.appendleft(mid)
            return
        if mid in self.recheck and await self._sent_meanwhile(lane, message):
            return
        if self.config.typing and not await self._type(lane, message, chat_id):
            return
        planned = message.planned_id or (new_short_id() if lane.own_ids else None)
        since = lane.day_start
        if lookup is not None:
            lookup.stored = True
        started = store.start_sending(
            self.db, mid, session=lane.name, cap=lane.spec.daily_cap, since=since, owner=self.config.lease_owner,
            recipient=lookup.row if lookup is not None else None, day_open=lane.day_opened == since,
            chat_id=chat_id, sending_at=iso(self.now()), error="", planned_id=planned,
        )
        lane.day_opened = since  # its counter row exists from now on (rows are never deleted)
        if not started:
            current = store.get_message(self.db, mid)
            status = store.campaign_status(self.db, self.campaign_id)
            if self.config.lease_owner and leases.holder(self.db, self.campaign_id)[0] != self.config.lease_owner:
                lane.queue.appendleft(mid)  # another process took the campaign over: it sends now
                self._stop_all("lease", "lease lost to another process")
            elif current is not None and current.status == "pending" and status != "running":
                lane.queue.appendleft(mid)  # paused or cancelled by another command meanwhile
                self._stop_all("status", f"campaign is now {status}")
            elif current is not None and current.status == "pending":  # another campaign took the last slot
                lane.queue.appendleft(mid)
                lane.sent_today = max(lane.sent_today, lane.spec.daily_cap)
                self._set_state(lane, CAPPED, _("daily cap of {cap} reached").format(cap=lane.spec.daily_cap))
            return
        self._look_ahead(lane)
        try:
            sent, planned = await self._send_step(lane, message, chat_id, planned)
        except WahaError as exc:
            self._paced(lane, sent=False)
            await self._drop_ahead(lane)  # asked on a send that failed: asked again once the lane goes on
            await self._send_failed(lane, message, chat_id, exc)
            return
        self._paced(lane, sent=True)
        ident = sent.serialized_id or (f"true_{chat_id}_{planned}" if planned else await self._id_from_chat(lane, mid))
        store.transition(self.db, mid, "sending", "sent", message_id=ident or None, sent_at=iso(self.now()))
        self._count_sent(lane)

    def _next_slot(self, lane: Lane) -> float:
        """The monotonic instant LANE may send next: what the pacing policy says (delay, rest,
        the lane's constraints), and not before a failure's backoff."""
        now = self.now()
        constraints = (*lane.constraints.values(), lane.limits)  # lane.limits: WhatsApp's signals, the brake (guard.py)
        slot = self.config.pacing.next_slot(lane.history, now, self.rng, constraints)
        if slot.reason != "delay" and slot.reason != "now" and slot.at > now:
            local = slot.at.astimezone(self.config.timezone)
            self.events.notice(_("{lane}: resting until {until} ({why})").format(
                lane=lane.name, until=moment(local, "%Y-%m-%d %H:%M:%S"), why=_("rest") if slot.reason == "rest" else slot.reason))
        return max(lane.not_before, time.monotonic() + (slot.at - now).total_seconds())

    def _paced(self, lane: Lane, sent: bool) -> None:
        """A send was attempted now: the delay counts from here; a send that went out counts in
        the lane's batch (persisted, so a resume keeps the count and any rest it drew)."""
        lane.last_send = time.monotonic()
        now = self.now()
        if not sent:
            h = lane.history
            lane.history = LaneHistory(now, h.sent_in_batch, h.batch_target, h.rest_until)
            return
        lane.history = self.config.pacing.after_send(lane.history, now, self.rng)
        if self.config.pacing.rests:
            h = lane.history
            pacing_store.put_lane_rest(
                self.db, self.campaign_id, lane.name, pacing_store.LaneRest(h.sent_in_batch, h.batch_target, h.rest_until)
            )

    def _media_kind(self, message: store.Message) -> str | None:
        """The campaign's media kind for MESSAGE: none for a confirm-first question (text alone)."""
        media = self.config.image
        return media.kind if media is not None and message.phase != "ask" else None

    def _parts(self, message: store.Message) -> tuple[Part, ...]:
        return message_parts(self._media_kind(message), message.text, self.config.media_first)

    def _sought(self, message: store.Message):
        return sought(message, self._media_kind(message), self.config.media_first)

    async def _send_step(self, lane: Lane, message: store.Message, chat_id: str, planned: str | None):
        """MESSAGE's sends (one, or a voice note's two: the first one's id committed before the
        second goes out); (the answer to the last, its planned id)."""
        parts = self._parts(message)
        if len(parts) > 1 and message.lead_id is None:
            first = await self._send(lane, parts[0], chat_id, message.text, planned)
            lead = first.serialized_id or (f"true_{chat_id}_{planned}" if planned else "sent")
            planned = new_short_id() if lane.own_ids else None
            store.record_lead(self.db, message.id, lead, planned_id=planned, sending_at=iso(self.now()))
        part = part_in_flight(parts, len(parts) > 1)
        return await self._send(lane, part, chat_id, message.text, planned), planned

    async def _send(self, lane: Lane, part: Part, chat_id: str, text: str, planned: str | None):
        client, session = lane.spec.client, lane.spec.waha_session
        media = self.config.image
        if media is None or part is Part.TEXT:
            return await client.send_text(session, chat_id, text, message_id=planned, link_preview=self.config.link_preview)
        return await client.send_media(
            media.kind, session, chat_id, mimetype=media.mimetype, filename=media.filename,
            data_b64=self.config.image_data, url=None if media.sends_data else media.url,
            caption="" if media.kind == "voice" else text, convert=media.convert, message_id=planned,
        )

    async def _id_from_chat(self, lane: Lane, mid: int) -> str | None:
        """A 2xx whose body carried no id (a proxy's page, a truncated 201): the message went out;
        its id (for receipts) is read back from the chat, best effort."""
        try:
            return await self._find(lane, store.get_message(self.db, mid))
        except WahaError:
            return None

    def _count_sent(self, lane: Lane) -> None:
        lane.failures = lane.flaps = 0
        lane.sent_today += 1
        sent_by = getattr(self.events, "sent_by", None)  # duck-typed Events (tests, others) may lack it
        if sent_by is not None:
            sent_by(lane.name)
        lane.sends += 1
        self._count("sent")

    def _count(self, outcome: str) -> None:
        self.tally.settle(outcome)
        self.events.progress(self.tally)

    async def _type(self, lane: Lane, message: store.Message, chat_id: str) -> bool:
        client, session = lane.spec.client, lane.spec.waha_session
        try:
            await client.send_seen(session, chat_id)
            await client.start_typing(session, chat_id)
            await self._pause(typing_pause(message.text, self.config.typing_cps))
            await client.stop_typing(session, chat_id)
        except WahaError as exc:
            self._not_sent(lane, message, exc, message.attempts)
            return False
        if self._halt.is_set():
            lane.queue.appendleft(message.id)
            return False
        return True

    async def _wait_for_window(self) -> bool:
        """Wait until the sending window is open (True), or the campaign halts (False). The first
        lane to find it closed says until when; lanes re-check at least every minute."""
        window = self.config.window
        while window is not None and not self._halt.is_set():
            local = self.now().astimezone(self.config.timezone)
            if window.is_open(local):
                self._window_closed_until = None
                return True
            opens = window.next_open(local)
            if self._window_closed_until != opens:
                self._window_closed_until = opens
                self.events.notice(_("outside the sending window: waiting until {opens} ({zone})").format(
                    opens=moment(opens), zone=self.config.timezone))
            await self._pause(min(60.0, max(0.01, (opens - local).total_seconds())))
        return not self._halt.is_set()
