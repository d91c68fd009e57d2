"""What `session list/show` and `campaign show` say about WhatsApp's signals and the brake: the
live reading when the server gave one, else the last stored (store/signals.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nexus_blast.store import signals as signals_store


def session_fields(db, name: str, live_me: Any, now: datetime, stored: dict | None = None) -> dict:
    """`capping`, `timelock` (null: never reported) and `brake` (null: never braked) of session NAME."""
    from nexus_blast.waha.parsing import signals_from

    if stored is None:
        stored = signals_store.states(db).get(name) or {}
    live, _problem = signals_from(live_me)
    saved = stored.get("signals") or {}
    doc = live.as_json() if live.reported else {"capping": saved.get("capping"), "timelock": saved.get("timelock")}
    brake = None
    if stored.get("braked_at"):
        until = stored.get("brake_until")
        brake = {
            "reason": stored.get("brake_reason") or "", "at": stored.get("braked_at"), "until": until,
            "active": bool(until) and datetime.fromisoformat(until) > now,
        }
    return doc | {"brake": brake}


def note(fields: dict) -> str:
    """One line for the `note` column: what limits the session now ("" when nothing)."""
    from nexus_blast.i18n import _

    parts = []
    capping = fields.get("capping") or {}
    if capping.get("status") not in (None, "NONE"):
        parts.append(_("capping {status}").format(status=capping["status"]))
    timelock = fields.get("timelock") or {}
    if timelock.get("active"):
        parts.append(_("timelock until {ends}").format(ends=_when(timelock["ends"])) if timelock.get("ends") else _("timelock"))
    brake = fields.get("brake") or {}
    if brake.get("active"):
        parts.append(_("brake until {until}").format(until=_when(brake["until"])))
    return "; ".join(parts)


def _when(text: str) -> str:
    """A stored ISO instant for the note: as stored in English, `07/12/2026 12:00 UTC` in pt-BR."""
    from nexus_blast.i18n import ENGLISH, Message, format_datetime, language

    if language() == ENGLISH:
        return text
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return text
    zone = moment.tzname() or ""
    return Message(format_datetime(moment) + (f" {zone}" if zone else ""), text)


def campaign_events(db, campaign_id: int) -> list[dict]:
    """Every lane change (capping, timelock, brake, lifted, unreadable signals) seen by its runs."""
    return [e.as_json() for e in signals_store.events_since(db, 0, campaign_id=campaign_id)]


def signal_risks_of(settings, db, sessions: list[str], now: datetime) -> list:
    """The risk check's "a session reporting capping or timelock" (domain/signals.py): each
    session's signals read live (all at once), its last stored reading when its server cannot be
    asked; a server that reports none adds nothing."""
    import asyncio

    from nexus_blast.campaigns.clients import ClientPool
    from nexus_blast.domain.signals import signal_risks
    from nexus_blast.waha.errors import WahaError
    from nexus_blast.waha.parsing import signals_from

    async def read(pool, name):
        try:
            info = await pool.for_session(name).get_session(settings.sessions[name].waha_session or name)
        except WahaError:
            return None
        return signals_from((info or {}).get("me") if isinstance(info, dict) else None)[0]

    async def read_all():
        pool = ClientPool(settings, retries=0)
        try:
            return await asyncio.gather(*(read(pool, name) for name in sessions))
        finally:
            await pool.aclose()

    live = asyncio.run(read_all()) if sessions else []
    stored = signals_store.states(db)
    risks = []
    for name, signals in zip(sessions, live):
        if signals is None or not signals.reported:
            signals = _stored_signals(stored.get(name) or {})
        risks += signal_risks(name, signals, now)
    return risks


def _stored_signals(state: dict):
    from nexus_blast.domain.signals import Signals
    from nexus_blast.waha.parsing import _instant

    saved = state.get("signals") or {}
    capping, timelock = saved.get("capping") or {}, saved.get("timelock") or {}
    return Signals(
        capping=capping.get("status"), total_quota=capping.get("total_quota"), used_quota=capping.get("used_quota"),
        cycle_end=_instant(capping.get("cycle_end")), timelock=timelock.get("active"),
        timelock_ends=_instant(timelock.get("ends")),
    )
