"""`send`'s pre-flight: before a campaign is stored, the chosen sessions are probed (all servers
at once, short timeouts); when none can send now, nothing is stored and each session says why in
one short line."""

from __future__ import annotations

from dataclasses import dataclass

from nexus_blast.domain.health import short
from nexus_blast.i18n import _


# WAHA waits up to 10 s for a STARTING session before it answers a send (CONTRACT.md): so does the
# pre-flight, before it calls the session unable to send.
STARTING_WAIT, STARTING_POLL = 10.0, 0.25


@dataclass(frozen=True)
class Readiness:
    session: str
    status: str  # WAHA status, or UNREACHABLE / UNAUTHORIZED / MISSING / CONFIG / ERROR
    reason: str

    @property
    def can_send(self) -> bool:
        return self.status == "WORKING"

    def line(self) -> str:
        """`s1: UNREACHABLE (cannot connect …)`, at most one short line."""
        return f"{self.session}: {self.status}" + (f" ({short(self.reason, 100)})" if self.reason else "")


def check_sessions(settings, names: list[str], db=None) -> list[Readiness]:
    """Probe NAMES; with DB, a session found WORKING has its outdated health note cleared."""
    from nexus_blast.waha.client import run_sync

    views = run_sync(_probe_settled({n: settings.sessions[n] for n in names}, settings.waha))
    out = []
    for view in views:
        reason = view.error
        if not reason and view.status != "WORKING":
            reason = _what_to_do(view.name, view.status)
        out.append(Readiness(view.name, view.status, reason))
        if db is not None and view.status == "WORKING":
            from nexus_blast.store.sessions import clear_health

            clear_health(db, view.name)
    return out


async def _probe_settled(configs: dict, waha_settings, wait: float | None = None) -> list:
    """Every session probed; one found STARTING (WAHA restarts a session to apply a new config,
    and while it reconnects) is probed again every STARTING_POLL seconds until it leaves that
    status or STARTING_WAIT seconds have passed, as WAHA itself waits for it on a send."""
    import asyncio
    import time

    from nexus_blast.waha.sessions import probe_all

    views = await probe_all(configs, waha_settings)
    deadline = time.monotonic() + (STARTING_WAIT if wait is None else wait)
    while time.monotonic() < deadline:
        starting = {v.name for v in views if v.status == "STARTING"}
        if not starting:
            break
        await asyncio.sleep(min(STARTING_POLL, max(0.0, deadline - time.monotonic())))
        again = {v.name: v for v in await probe_all({n: configs[n] for n in starting}, waha_settings)}
        views = [again.get(v.name, v) for v in views]
    return views


def _what_to_do(name: str, status: str) -> str:
    if status in ("SCAN_QR_CODE", "STARTING"):
        return _("not paired: blast session pair {name}").format(name=name)
    if status in ("STOPPED", "FAILED"):
        return _("start it: blast session start {name}").format(name=name)
    return _("not WORKING")
