"""Lanes (one per session) and the work they hold: who sends which message, failover moves,
rebalancing when a session comes back. No network here; the sender drives it."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nexus_blast.domain.pacing import LaneConstraints, LaneHistory
from nexus_blast.domain.signals import LaneLimits
from nexus_blast.i18n import N_, english

HEALTHY = "healthy"
UNHEALTHY = "unhealthy"  # probed again after retry.probe_interval
TIMELOCKED = "timelocked"  # WhatsApp's 463: only contacts it already talked to
CAPPED = "capped"  # daily cap reached
UNUSABLE = "unusable"  # cannot do this campaign at all (Core server and an image)
RESTING = "resting"  # WhatsApp's SECOND_WARNING or the failure brake: sends nothing until its rest ends
STATE_NAMES = {
    HEALTHY: N_("healthy"), UNHEALTHY: N_("unhealthy"), TIMELOCKED: N_("timelocked"),
    CAPPED: N_("capped"), UNUSABLE: N_("unusable"), RESTING: N_("resting"),
}


def state_name(state: str) -> str:
    """A lane state for people (`resting`, `em pausa`), English as the state itself."""
    from nexus_blast.i18n import _

    return _(STATE_NAMES[state]) if state in STATE_NAMES else state


@dataclass
class LaneSpec:
    """One session as the sender sees it."""

    name: str  # local session name
    waha_session: str
    client: Any  # WahaClient
    weight: float = 1.0
    daily_cap: int = 1000
    cap_for: Any = None  # Callable[[date], int]: the effective cap on a local day (warm-up), if any


@dataclass
class Lane:
    spec: LaneSpec
    queue: deque = field(default_factory=deque)  # message ids, campaign order
    state: str = HEALTHY
    reason: str = ""
    failures: int = 0  # consecutive transient failures
    throttled: int = 0  # consecutive rate-overlimit answers to look-ups
    last_send: float | None = None  # monotonic
    last_lookup: float | None = None
    not_before: float = 0.0  # backoff after a failure
    probe_at: float = 0.0
    flaps: int = 0  # times it went unhealthy since its last successful send (probes back off)
    sent_today: int = 0
    day: date | None = None
    day_start: str = ""  # start of `day` (ISO UTC): the daily cap counts from there
    day_opened: str | None = None  # the day_start whose counter row it opened (store.open_day)
    unknown: list[int] = field(default_factory=list)  # left `sending`: WAHA could not be asked
    # Guards (campaigns/guard.py): WhatsApp's signals and the failure brake, and what they impose.
    limits: LaneLimits = field(default_factory=LaneLimits)  # in force now (delays × delay_multiplier)
    signal_limits: LaneLimits = field(default_factory=LaneLimits)
    brake: LaneLimits = field(default_factory=LaneLimits)
    braked_at: str | None = None  # sends begun before this do not count for the brake
    judged_at: float = float("-inf")  # monotonic time of its last brake judgement (guard.py `_judge`)
    judged_sends: int = 0  # `sends` then
    guarded: bool = False  # its RESTING/TIMELOCKED state was set by the guards (they lift it)
    sends: int = 0  # accepted sends this run
    signals_at: int = 0  # `sends` at the last reading of its signals
    signal_due: bool = False  # read them before its next send (a 463 came)
    reports: bool = False  # its server reports the signals (read periodically only then)
    problem_said: bool = False  # a bad signal reading was logged (once per run)
    own_ids: bool = False  # its server takes our pre-generated message ids (waha/parsing.py)
    history: LaneHistory = field(default_factory=LaneHistory)  # what the pacing policy knows of it
    constraints: dict[str, LaneConstraints] = field(default_factory=dict)  # by source (signals, brake)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def sendable(self) -> bool:
        return self.state in (HEALTHY, TIMELOCKED)

    def describe(self) -> str:
        """`s1: capped (daily cap of 20 reached)`, in English (it becomes the stored pause reason)."""
        return f"{self.name}: {self.state}" + (f" ({english(self.reason)})" if self.reason else "")


class Board:
    """Every lane's queue plus the orphans no lane can take right now."""

    def __init__(self, lanes: list[Lane], sticky: set[int]) -> None:
        self.lanes = lanes
        self.by_name = {lane.name: lane for lane in lanes}
        self.sticky = sticky  # message ids whose phone already talks to their lane's session
        self.orphans: deque = deque()
        self.moves: list[tuple[int, str]] = []  # (message id, session) not yet written to the store

    def queued(self) -> int:
        return sum(len(lane.queue) for lane in self.lanes) + len(self.orphans)

    def healthy(self, exclude: Lane | None = None) -> list[Lane]:
        return [lane for lane in self.lanes if lane.state == HEALTHY and lane is not exclude]

    def place(self, ids: list[int], exclude: Lane | None = None) -> int:
        """Give IDS to healthy lanes by weight (least loaded first); the rest become orphans.
        Returns how many found a lane."""
        targets = self.healthy(exclude)
        if not targets:
            self.orphans.extend(ids)
            return 0
        for mid in ids:
            lane = min(targets, key=lambda t: (len(t.queue) + 1) / t.spec.weight)
            lane.queue.append(mid)
            self.sticky.discard(mid)
            self.moves.append((mid, lane.name))
        return len(ids)

    def evacuate(self, lane: Lane, keep_sticky: bool = False) -> int:
        """Move LANE's queue elsewhere (a timelocked lane keeps the contacts it already talked to)."""
        keep: deque = deque()
        leaving: list[int] = []
        for mid in lane.queue:
            (keep if keep_sticky and mid in self.sticky else leaving).append(mid)
        lane.queue = keep
        return self.place(sorted(leaving), exclude=lane)

    def adopt_orphans(self) -> int:
        if not self.orphans or not self.healthy():
            return 0
        ids = sorted(self.orphans)
        self.orphans.clear()
        return self.place(ids)

    def rebalance_into(self, lane: Lane) -> int:
        """A lane that came back takes its weighted share of the others' non-sticky tails."""
        donors = [d for d in self.healthy(exclude=lane) if d.queue]
        total = sum(len(d.queue) for d in donors) + len(lane.queue)
        weights = sum(d.spec.weight for d in donors) + lane.spec.weight
        share = int(total * lane.spec.weight / weights) if weights else 0
        taken: list[int] = []
        for donor in sorted(donors, key=lambda d: -len(d.queue)):
            donor_share = total * donor.spec.weight / weights
            while len(lane.queue) + len(taken) < share and len(donor.queue) > donor_share:
                if donor.queue[-1] in self.sticky:
                    break
                taken.append(donor.queue.pop())
        for mid in sorted(taken):
            lane.queue.append(mid)
            self.moves.append((mid, lane.name))
        return len(taken)

    def take_moves(self) -> list[tuple[int, str]]:
        moves, self.moves = self.moves, []
        return moves
