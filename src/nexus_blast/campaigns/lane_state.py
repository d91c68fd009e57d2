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
    parts = []
    capping = fields.get("capping") or {}
    if capping.get("status") not in (None, "NONE"):
        parts.append(f"capping {capping['status']}")
    timelock = fields.get("timelock") or {}
    if timelock.get("active"):
        parts.append("timelock" + (f" until {timelock['ends']}" if timelock.get("ends") else ""))
    brake = fields.get("brake") or {}
    if brake.get("active"):
        parts.append(f"brake until {brake['until']}")
    return "; ".join(parts)


def campaign_events(db, campaign_id: int) -> list[dict]:
    """Every lane change (capping, timelock, brake, lifted, unreadable signals) seen by its runs."""
    return [e.as_json() for e in signals_store.events_since(db, 0, campaign_id=campaign_id)]
