"""`send`'s pre-flight: before a campaign is stored, the chosen sessions are probed (all servers
at once, short timeouts); when none can send now, nothing is stored and each session says why in
one short line."""

from __future__ import annotations

from dataclasses import dataclass

from nexus_blast.domain.health import short
from nexus_blast.i18n import _


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
    from nexus_blast.waha.sessions import probe_all

    views = run_sync(probe_all({n: settings.sessions[n] for n in names}, settings.waha))
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


def _what_to_do(name: str, status: str) -> str:
    if status in ("SCAN_QR_CODE", "STARTING"):
        return _("not paired: blast session pair {name}").format(name=name)
    if status in ("STOPPED", "FAILED"):
        return _("start it: blast session start {name}").format(name=name)
    return _("not WORKING")
