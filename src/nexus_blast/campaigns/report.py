"""Campaign summaries (`campaign list/show`) and the per-contact report (`campaign report`)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from nexus_blast.domain.cells import escape_cell
from nexus_blast.errors import NotFound
from nexus_blast.i18n import N_, _, number
from nexus_blast.store import campaigns as store

REPORT_COLUMNS = ("phone", "status", "session", "message_id", "sent_at", "delivered_at", "read_at", "error",
                  "replied_at", "reply", "variant", "opted_out_at")
STATUS_NAMES = {
    "completed": N_("completed"), "paused": N_("paused"), "running": N_("running"),
    "failed": N_("failed"), "cancelled": N_("cancelled"), "scheduled": N_("scheduled"),
}


def status_name(status: str) -> str:
    """A campaign status for people (`concluída`); English and --json keep the status value itself."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def get(db, campaign_id: int) -> store.Campaign:
    campaign = store.get_campaign(db, campaign_id)
    if campaign is None:
        raise NotFound(_("no campaign {id}").format(id=campaign_id), hint=_("see: blast campaign list"))
    return campaign


def rate(part: int, sent: int) -> float:
    """PART's share of SENT messages, 0..1 rounded to 4 places, 0.0 while nothing was sent (the
    rule of store.delivery.delivery_summary, applied to counts already read)."""
    return round(part / sent, 4) if sent else 0.0


def summary(campaign: store.Campaign, counts: store.Counts) -> dict[str, Any]:
    """CLI.md's fields (`campaign, status, sent, failed, skipped, pending, name, scheduled_at,
    delivered, read`), the delivered and read rates, plus a few more for people."""
    return {
        "campaign": campaign.id,
        "status": campaign.status,
        "sent": counts.sent,
        "failed": counts.failed,
        "skipped": counts.skipped,
        "pending": counts.unfinished,
        "name": campaign.name,
        "scheduled_at": campaign.scheduled_at,
        "delivered": counts.delivered,
        "read": counts.read,
        "delivered_rate": rate(counts.delivered, counts.sent),
        "read_rate": rate(counts.read, counts.sent),
        "replied": counts.replied,
        "reply_rate": rate(counts.replied, counts.sent),
        "opted_out": counts.opted_out,
        "opted_out_rate": rate(counts.opted_out, counts.sent),
        "reason": campaign.status_reason,
        "sessions": campaign.sessions,
        "delay": f"{campaign.delay_min:g}-{campaign.delay_max:g}",
        "source": campaign.source,
        "image": (campaign.image or {}).get("path") or (campaign.image or {}).get("url"),
        "media": media_of(campaign),
        "created_at": campaign.created_at,
        "started_at": campaign.started_at,
        "finished_at": campaign.finished_at,
    }


def media_of(campaign: store.Campaign) -> dict[str, Any] | None:
    """The media the campaign carried: kind, filename, mimetype, size, sha256, path or url (an old
    campaign's image without `kind` is an image)."""
    from nexus_blast.campaigns.media import Media

    return Media.from_dict(campaign.image).describe() if campaign.image else None


def media_line(media: dict[str, Any] | None) -> str | None:
    """MEDIA in one line for people: `file preços.pdf, 1.2 MiB, sha256 3f2a…`."""
    if not media:
        return None
    from nexus_blast.campaigns.media import kind_name

    size = f", {number(media['size'] / 1048576, 1)} MiB" if media.get("size") else ""
    digest = f", sha256 {media['sha256']}" if media.get("sha256") else ""
    return f"{kind_name(media['kind'])} {media['filename']} ({media['mimetype']}{size}{digest})"


def variant_texts(campaign: store.Campaign) -> list[str]:
    """The campaign's texts when it has several (measured or AI variants), else []."""
    options = campaign.options or {}
    texts = options.get("variants") or (options.get("ai") or {}).get("variants") or []
    return [str(t) for t in texts] if len(texts) > 1 else []


def variant_results(db, campaign: store.Campaign) -> dict[str, Any] | None:
    """Per variant: sent, delivered, read, replied, opted out and their shares of sent, the reply
    rate's Wilson interval; and the leader with its confidence statement. None for one text."""
    from nexus_blast.domain.abtest import Arm, label, verdict, wilson
    from nexus_blast.store.replies import variant_counts

    texts = variant_texts(campaign)
    if not texts:
        return None
    counted = {v.variant: v for v in variant_counts(db, campaign.id)}
    rows, arms = [], []
    for number, text in enumerate(texts):
        c = counted.get(number)
        sent = c.sent if c else 0
        values = {k: getattr(c, k) if c else 0 for k in ("delivered", "read", "replied", "opted_out")}
        low, high = wilson(values["replied"], sent)
        rows.append({"variant": number + 1, "label": label(number), "text": text, "messages": c.messages if c else 0,
                     "sent": sent, **values,
                     "delivered_rate": rate(values["delivered"], sent), "read_rate": rate(values["read"], sent),
                     "reply_rate": rate(values["replied"], sent), "opted_out_rate": rate(values["opted_out"], sent),
                     "reply_rate_95": [round(low, 4), round(high, 4)]})
        arms.append(Arm(number, sent, values["replied"]))
    return {"variants": rows, "leader": verdict(arms).document()}


def summaries(db) -> list[dict[str, Any]]:
    campaigns = store.list_campaigns(db)
    counts = store.counts_by_campaign(db)
    return [summary(c, counts.get(c.id, store.Counts())) for c in campaigns]


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    n = 0
    for row in rows:
        writer.writerow([escape_cell(row.get(col)) for col in REPORT_COLUMNS])
        n += 1
    return n


def write_json(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """A JSON array written row by row (a 100,000-contact report never sits in memory)."""
    out.write("[")
    n = 0
    for row in rows:
        out.write(("," if n else "") + "\n  " + json.dumps({c: row.get(c) for c in REPORT_COLUMNS}, ensure_ascii=False))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n
