"""Failover: what a WAHA error means for the message and for its session (retry with backoff,
move the session's contacts elsewhere, park a timelocked session, reconcile an unknown outcome),
and the health probes that bring a session back. Mixed into `Sender`."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from nexus_blast.campaigns.lanes import HEALTHY, TIMELOCKED, UNHEALTHY, UNUSABLE, Lane, state_name
from nexus_blast.campaigns.reconcile import find_sent, record_found, settle_left
from nexus_blast.i18n import N_, _, english, first_line, join, ngettext
from nexus_blast.store import campaigns as store
from nexus_blast.store.db import iso
from nexus_blast.waha.errors import WahaError, WahaRateLimited
from nexus_blast.waha.outcomes import Outcome, call_verdict, send_verdict
from nexus_blast.waha.parsing import accepts_own_ids, supports_convert

# Lane reasons: stored in English (session health), said in the user's language (translated where set).
CORE_IMAGES = N_("this WAHA server is Core: media (images, documents, video, voice) need WAHA Plus (or 2026.6+)")
NO_CONVERT = N_("this WAHA server is older than 2025.6.2: it cannot convert the voice note to OGG/Opus")


def classify(exc: WahaError) -> str:
    """The kind of a failed send (waha/outcomes.py decides): unknown | timelock | down | unusable |
    permanent | throttled | transient."""
    return send_verdict(exc).kind


class Failover:
    """Failure handling and health probes of the Sender (uses its lanes, board, store and events)."""

    async def _send_failed(self, lane: Lane, message: store.Message, chat_id: str, exc: WahaError) -> None:
        verdict = send_verdict(exc)
        attempts = message.attempts + 1
        kind = verdict.kind
        if verdict.outcome is Outcome.UNKNOWN:
            decided = await self._decide(lane, message.id)
            if decided is not False:  # sent, or left `sending` until WAHA can be asked
                return
            kind = "transient"  # proven absent: retried with backoff, checked again first
        if kind == "permanent":
            store.transition(self.db, message.id, "sending", "failed", error=_short(exc))
            self._count("failed")
            return
        store.transition(self.db, message.id, "sending", "pending")
        self._not_sent(lane, message, exc, attempts, kind=kind)

    async def _decide(self, lane: Lane, mid: int) -> bool | None:
        """Settle, then ask WAHA whether `sending` message MID went out: True (now `sent`), False
        (proven absent, now `pending`: it is read back again before its resend), None (still
        `sending`: the campaign halted or WAHA could not be asked; the lane's recovery or the next
        run decides it)."""
        message = store.get_message(self.db, mid)
        await self._pause(settle_left(message, self.config.settle, self.now))
        if self._halt.is_set():
            lane.unknown.append(mid)  # stays `sending`: the resume reconciles it
            return None
        try:
            found = await self._find(lane, message)
        except WahaError as probe_exc:
            lane.unknown.append(mid)  # stays `sending` until WAHA can be asked
            self._set_state(lane, UNHEALTHY, _short(probe_exc))
            return None
        if found:
            if record_found(self.db, message, found, self._sought(message), self.now) == "pending":
                lane.queue.appendleft(mid)  # the first of a voice note's two sends: the second is due
            else:
                self._count_sent(lane)
            return True
        store.transition(self.db, mid, "sending", "pending")
        self.recheck.add(mid)
        return False

    async def _sent_meanwhile(self, lane: Lane, message: store.Message) -> bool:
        """Before resending a message once proven absent, read the chat again: a server that
        finished the earlier attempt late shows it now (then it is `sent`, not resent)."""
        self.recheck.discard(message.id)
        try:
            found = await self._find(lane, message)
        except WahaError as exc:
            lane.queue.appendleft(message.id)
            self.recheck.add(message.id)
            self._set_state(lane, UNHEALTHY, _short(exc))
            return True
        if found and self._sought(message).first_of_two:  # its first send went out late: only the second is due
            store.set_lead(self.db, message.id, found)
            lane.queue.appendleft(message.id)  # taken again with its lead recorded
            return True
        if found and store.transition(self.db, message.id, "pending", "sent", message_id=found, sent_at=iso(self.now())):
            self._count_sent(lane)
            return True
        return False

    async def _find(self, lane: Lane, message: store.Message) -> str | None:
        """MESSAGE's id in the chat of the session its last attempt went through (it may have been
        moved to LANE since), or None."""
        where = self.board.by_name.get(message.session or "", lane)
        return await find_sent(
            where.spec.client, where.spec.waha_session, message, lambda i: store.message_id_known(self.db, i), self._sought(message)
        )

    def _not_sent(self, lane: Lane, message: store.Message, exc: WahaError, attempts: int, kind: str | None = None) -> None:
        """MESSAGE is `pending` and did not go out because of EXC: retry, move, or fail it."""
        kind = kind or call_verdict(exc).kind
        if kind == "permanent":
            if store.transition(self.db, message.id, "pending", "failed", error=_short(exc)):
                self._count("failed")
            return
        if kind == "timelock":
            self.board.sticky.discard(message.id)
            lane.queue.appendleft(message.id)
            self._set_state(lane, TIMELOCKED, _("WhatsApp reach-out timelock (error 463): no new contacts for now"))
            lane.signal_due = True  # its signals say until when (campaigns/guard.py)
            return
        lane.queue.appendleft(message.id)
        if kind == "down":
            self._set_state(lane, UNHEALTHY, _short(exc))
            return
        if kind == "unusable":
            self._set_state(lane, UNUSABLE, _(CORE_IMAGES))
            return
        if kind == "throttled":
            lane.throttled += 1
            lane.not_before = time.monotonic() + self._backoff(lane.throttled)
            if lane.throttled > self.config.attempts:
                self._set_state(lane, UNHEALTHY, _("WhatsApp is throttling number look-ups (rate-overlimit)"))
            return
        lane.failures += 1
        if attempts >= self.config.attempts:
            lane.queue.popleft()
            if store.transition(self.db, message.id, "pending", "failed", error=_short(exc)):
                self._count("failed")
        retry_after = exc.retry_after if isinstance(exc, WahaRateLimited) and exc.retry_after else 0.0
        lane.not_before = time.monotonic() + max(retry_after, self._backoff(lane.failures))
        if lane.failures >= self.config.unhealthy_after:
            self._set_state(lane, UNHEALTHY, _("{n} failures in a row, last: {error}").format(n=lane.failures, error=_short(exc)))

    def _backoff(self, n: int) -> float:
        ceiling = min(self.config.backoff_max, self.config.backoff_initial * 2 ** max(0, n - 1))
        return self.rng.uniform(ceiling / 2, ceiling)

    def _set_state(self, lane: Lane, state: str, reason: str) -> None:
        lane.state, lane.reason = state, reason
        # A session that answers WORKING but keeps failing would flap: each relapse doubles the wait.
        interval = self.config.probe_interval * 2 ** min(lane.flaps, 5)
        lane.flaps += state == UNHEALTHY
        lane.probe_at = time.monotonic() + interval
        until = iso(self.now() + timedelta(seconds=interval)) if state == UNHEALTHY else None
        store.set_session_health(self.db, lane.name, status=state.upper(), healthy=False, reason=english(reason), until=until)
        moved = self.board.evacuate(lane, keep_sticky=state == TIMELOCKED)
        line = _("session {name} {state}: {reason}").format(name=lane.name, state=state_name(state), reason=reason)
        if moved:
            line = join("", (line, ngettext("; {n} contact moved to other sessions", "; {n} contacts moved to other sessions", moved).format(n=moved)))
        self.events.notice(line)
        on_lane = getattr(self.events, "lane_state", None)  # the foreground progress reporter has none
        if on_lane is not None:
            on_lane(lane.name, state, reason)
        self._sync()

    # --- health -------------------------------------------------------------------------------

    async def _probe(self, lane: Lane, first: bool = False) -> bool:
        """Is the session WORKING? Sets the lane's state either way (first: only on failure)."""
        version = self._server_version(lane) if first else None  # asked meanwhile, once per server
        try:
            info = await lane.spec.client.get_session(lane.spec.waha_session)
        except WahaError as exc:
            if first:
                self._set_state(lane, UNHEALTHY, _short(exc))
            return False
        status = str((info or {}).get("status") or "")
        if status != "WORKING":
            if first:
                self._set_state(lane, UNHEALTHY, _("session is {status}, not WORKING").format(status=status or "unknown"))
            return False
        if version is not None:
            try:
                version = await version
            except WahaError:
                version = {}
            lane.own_ids = accepts_own_ids(version)
            if self.config.image is not None and str((version or {}).get("tier") or "").upper() == "CORE":
                self._set_state(lane, UNUSABLE, _(CORE_IMAGES))
                return False
            if self.config.image is not None and self.config.image.convert and supports_convert(version) is False:
                self._set_state(lane, UNUSABLE, _(NO_CONVERT))
                return False
        self._take_signals(lane, (info or {}).get("me"))
        if first:  # an older note (cannot connect, not WORKING) no longer holds
            store.set_session_health(self.db, lane.name, status="WORKING", healthy=True)
        return True

    def _server_version(self, lane: Lane) -> asyncio.Future:
        """`/api/server/version` of LANE's server as a shared task (sessions on one server ask once)."""
        tasks, client = self.version_tasks, lane.spec.client
        if id(client) not in tasks:
            task = asyncio.ensure_future(client.server_version())
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # read even if never awaited
            tasks[id(client)] = task
        return tasks[id(client)]

    async def _recover(self, lane: Lane) -> None:
        await self._pause(lane.probe_at - time.monotonic())
        if self._halt.is_set():
            return
        if not await self._probe(lane):
            lane.probe_at = time.monotonic() + self.config.probe_interval
            return
        for mid in list(lane.unknown):
            message = store.get_message(self.db, mid)
            try:
                found = await self._find(lane, message)
            except WahaError:
                lane.probe_at = time.monotonic() + self.config.probe_interval
                return
            lane.unknown.remove(mid)
            if found:
                if record_found(self.db, message, found, self._sought(message), self.now) == "pending":
                    lane.queue.append(mid)
                else:
                    self._count_sent(lane)
            else:
                store.transition(self.db, mid, "sending", "pending")
                self.recheck.add(mid)
                lane.queue.append(mid)
        lane.state, lane.reason, lane.failures = HEALTHY, "", 0
        store.set_session_health(self.db, lane.name, status="WORKING", healthy=True)
        taken = self.board.adopt_orphans() + self.board.rebalance_into(lane)
        line = _("session {name} is healthy again").format(name=lane.name)
        if taken:
            line = join("", (line, ngettext("; it takes {n} contact", "; it takes {n} contacts", taken).format(n=taken)))
        self.events.notice(line)
        self._sync()


def _short(exc: BaseException) -> str:
    """EXC's first line (its English kept when it is a translated Message), or its type's name."""
    text = getattr(exc, "message", None) or str(exc)  # BlastError.message: the Message itself
    return first_line(text, 300) if text else type(exc).__name__
