"""Lane guards: WhatsApp's signals about a number (capping, reach-out timelock) and the brake on
failure, read here, judged by the pure policies (domain/signals.py, domain/brake.py) and applied to
the lanes as one `LaneLimits` each: a state (resting, timelocked, healthy) and a delay factor.
Mixed into `Sender`; every change is stored (store/signals.py) and said once, with its reason."""

from __future__ import annotations

import time
from datetime import datetime

from nexus_blast.campaigns.lanes import HEALTHY, RESTING, TIMELOCKED, Lane, state_name
from nexus_blast.domain.brake import BrakeRule, brake_limits, brake_reason
from nexus_blast.domain.signals import BRAKE, LaneLimits, limits_from
from nexus_blast.i18n import _, english, first_line, ngettext
from nexus_blast.store import campaigns as store
from nexus_blast.store import signals as signals_store
from nexus_blast.store.db import iso
from nexus_blast.waha.errors import WahaError
from nexus_blast.waha.parsing import signals_from

GUARDED_STATES = (HEALTHY, RESTING, TIMELOCKED)
# A step that ended in an accepted send is judged only this long after the lane's last judgement:
# a success adds no failure, and silence takes brake_ack_after to show. Any other step (a failure,
# a skip) is judged at once. At real delays every step is judged; at delay 0 this spares the
# look-back (two queries) on most of hundreds of sends a second.
JUDGE_EVERY = 0.5


class Guard:
    """Signal readings and brake checks of the Sender (uses its lanes, board, store and events)."""

    def _load_guards(self) -> None:
        """Brakes stored by an earlier run that still hold; this run's sends start the window."""
        self._run_started = iso(self.now())
        states = signals_store.states(self.db)
        now = self.now()
        for lane in self.lanes:
            state = states.get(lane.name) or {}
            lane.braked_at = self._run_started
            until = _parse(state.get("brake_until"))
            if until is not None and until > now:
                lane.brake = LaneLimits(rest_until=until, code=BRAKE, reason=state.get("brake_reason") or "")

    def _effective(self, lane: Lane) -> LaneLimits:
        return lane.signal_limits.merge(lane.brake).current(self.now())

    async def _guard(self, lane: Lane) -> None:
        """Before a lane's next step: read its signals when due, then apply its limits."""
        check = self.config.signal_check
        due = lane.signal_due or (lane.reports and check > 0 and lane.sends - lane.signals_at >= check)
        if lane.state == RESTING and not self._effective(lane).resting(self.now()):
            due = True  # a rest ended: read again before sending
        if due and lane.state in GUARDED_STATES:
            await self._read_signals(lane)
        self._apply_limits(lane)

    async def _read_signals(self, lane: Lane) -> None:
        lane.signal_due, lane.signals_at = False, lane.sends
        try:
            info = await lane.spec.client.get_session(lane.spec.waha_session)
        except WahaError as exc:
            self._signal_problem(lane, _("signal check failed: {error}").format(error=first_line(exc.message or str(exc), 200)))
            return
        self._take_signals(lane, (info or {}).get("me") if isinstance(info, dict) else None)

    def _take_signals(self, lane: Lane, me) -> None:
        """The signals in a session's `me` (from a probe or a check) become the lane's limits."""
        lane.signals_at = lane.sends
        signals, problem = signals_from(me)
        now = self.now()
        if problem:
            self._signal_problem(lane, problem)
        lane.reports = signals.reported
        limits = limits_from(signals, now, self._rest_seconds()) if signals.reported else LaneLimits()
        previous = lane.signal_limits.current(now)
        if limits.code == previous.code and previous.resting(now):
            limits = previous  # the same warning again: its rest is not drawn anew
        lane.signal_limits = limits
        if signals.reported or problem:
            until = limits.rest_until or limits.new_chats_from
            signals_store.save_signals(
                self.db, lane.name, signals=signals.as_json(), code=limits.code, reason=english(limits.reason),
                until=iso(until) if until else None, checked_at=iso(now), problem=english(problem),
            )
        changed = limits.code != previous.code
        if changed:
            self._lane_event(lane, limits.code or "cleared", limits.reason or _("WhatsApp's signals lifted"),
                             limits.rest_until or limits.new_chats_from)
        state = (lane.state, lane.reason)
        self._apply_limits(lane)
        if changed and (lane.state, lane.reason) == state:  # no state change said it (FIRST_WARNING, lifted)
            self.events.notice(_("session {name}: {reason}").format(
                name=lane.name, reason=limits.reason or _("WhatsApp's signals lifted")))

    def _signal_problem(self, lane: Lane, problem: str) -> None:
        """A bad or failed reading: the lane goes on as it was; said once per run."""
        signals_store.save_problem(self.db, lane.name, english(problem), iso(self.now()))
        if not lane.problem_said:
            lane.problem_said = True
            self._lane_event(lane, "signal_problem", problem, None)
            self.events.notice(_("session {name}: WhatsApp's signals unreadable ({problem}); it goes on without them").format(
                name=lane.name, problem=problem))

    def _judge(self, lane: Lane) -> None:
        """After a lane's attempt: brake it when too many of its recent sends went wrong."""
        rule: BrakeRule | None = self.config.brake
        if rule is None or rule.window <= 0 or lane.state == RESTING or lane.brake.resting(self.now()):
            return
        sent, lane.judged_sends = lane.sends > lane.judged_sends, lane.sends
        if sent and lane.failures == 0 and time.monotonic() - lane.judged_at < JUDGE_EVERY:
            return
        lane.judged_at = time.monotonic()
        records = signals_store.recent_sends(self.db, lane.name, since=lane.braked_at, limit=rule.window)
        now = self.now()
        reason = brake_reason(records, rule, now)
        if reason is None:
            return
        lane.brake = brake_limits(reason, now, self._rest_seconds())
        lane.braked_at = iso(now)
        signals_store.save_brake(self.db, lane.name, reason=english(reason), braked_at=lane.braked_at, until=iso(lane.brake.rest_until))
        self._lane_event(lane, BRAKE, reason, lane.brake.rest_until)
        self._apply_limits(lane)

    def _apply_limits(self, lane: Lane) -> None:
        """Put LANE in the state its limits call for (only from states the guards may change; a
        timelock a 463 proved stays until a reading gives it an end)."""
        now = self.now()
        limits = self._effective(lane)
        lane.limits = limits
        if lane.state not in GUARDED_STATES:
            return
        want = RESTING if limits.resting(now) else TIMELOCKED if limits.existing_only(now) else HEALTHY
        if lane.state == TIMELOCKED and not lane.guarded:
            if want == HEALTHY:
                return  # the 463 stands
            lane.guarded = True
        if want == lane.state and (want == HEALTHY or lane.reason == limits.reason):
            return
        if want == HEALTHY:
            if not lane.guarded:
                return
            self._lift(lane)
            return
        until = limits.rest_until if want == RESTING else limits.new_chats_from
        self._set_state(lane, want, limits.reason)
        lane.guarded = True
        store.set_session_health(self.db, lane.name, status=want.upper(), healthy=False, reason=english(limits.reason),
                                 until=iso(until) if until else None)

    def _lift(self, lane: Lane) -> None:
        was = lane.state
        lane.state, lane.reason, lane.guarded = HEALTHY, "", False
        store.set_session_health(self.db, lane.name, status="WORKING", healthy=True)
        taken = self.board.adopt_orphans() + self.board.rebalance_into(lane)
        self.events.notice(ngettext("session {name} is no longer {state}; it takes {n} contact",
                                    "session {name} is no longer {state}; it takes {n} contacts", taken).format(
            name=lane.name, state=state_name(was), n=taken))
        self._sync()

    def _lane_event(self, lane: Lane, kind: str, reason: str, until: datetime | None) -> None:
        signals_store.add_event(self.db, lane.name, kind, reason=english(reason), until=iso(until) if until else None,
                                campaign_id=self.campaign_id, at=iso(self.now()))
        on_lane = getattr(self.events, "lane_state", None)  # run-due/worker: the operator's notifications
        if kind == BRAKE and on_lane is not None:
            on_lane(lane.name, "braked", reason)

    def _rest_seconds(self) -> float:
        return self.config.guard_rest.draw(self.rng)


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
