"""Replies to campaigns: the listing of `campaign replies`, purging reply texts (`campaign purge`)
and the retention setting (`campaigns.reply_retention_days`), applied by the receiver and run-due/worker."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from nexus_blast.errors import NotFound
from nexus_blast.i18n import _

RETENTION_EVERY = 3600.0  # seconds between two retention passes of a long-running process


def list_replies(db, campaign_id: int) -> list[dict]:
    """`[{"phone", "name", "variant", "replied_at", "reply"}]`, newest first (NotFound for an unknown campaign)."""
    from nexus_blast.store import replies
    from nexus_blast.store.campaigns import get_campaign

    if get_campaign(db, campaign_id) is None:
        raise NotFound(_("unknown campaign {id}").format(id=campaign_id), hint=_("see: blast campaign list"))
    out = []
    for row in replies.replies(db, campaign_id):
        out.append({"phone": row["phone"], "name": contact_name(row["fields"]), "variant": row["variant"],
                    "replied_at": row["replied_at"], "reply": row["reply"]})
    return out


NAME_KEYS = ("nome", "name", "first_name", "primeiro_nome", "nome_completo", "full_name")


def contact_name(fields_json: str | None) -> str:
    """The contact's name from its CSV fields (first of the usual name columns), else ""."""
    try:
        fields = json.loads(fields_json or "{}")
    except ValueError:
        return ""
    if not isinstance(fields, dict):
        return ""
    lowered = {str(k).strip().lower(): v for k, v in fields.items()}
    for key in NAME_KEYS:
        value = lowered.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def purge(db, campaign_id: int) -> int:
    """Delete CAMPAIGN_ID's reply texts; how many were deleted (NotFound for an unknown campaign)."""
    from nexus_blast.store import replies
    from nexus_blast.store.campaigns import get_campaign
    from nexus_blast.store.delivery import transaction

    if get_campaign(db, campaign_id) is None:
        raise NotFound(_("unknown campaign {id}").format(id=campaign_id), hint=_("see: blast campaign list"))
    with transaction(db):
        return replies.purge_campaign(db, campaign_id)


def apply_retention(db, settings, now: datetime) -> int:
    """Delete reply texts older than `campaigns.reply_retention_days` (0 keeps them); how many."""
    from nexus_blast.store import replies
    from nexus_blast.store.db import iso
    from nexus_blast.store.delivery import transaction

    days = settings.campaigns.reply_retention_days
    if not days:
        return 0
    with transaction(db):
        return replies.purge_before(db, iso(now - timedelta(days=days)))
