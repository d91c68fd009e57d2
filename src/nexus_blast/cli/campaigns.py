"""`blast campaign list/show/pause/resume/cancel/report` (and the registration of `blast send`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from nexus_blast.cli import complete
from nexus_blast.cli.output import confirm, confirm_overwrite, decimal_mark, info, print_json, table
from nexus_blast.cli.send import print_outcome, run_foreground, send, status_text
from nexus_blast.cli.state import current
from nexus_blast.errors import InputError
from nexus_blast.i18n import N_, _, format_datetime, ngettext, os_reason

campaign_app = typer.Typer(help=N_("Campaigns: list, show, pause, resume, cancel, report."), no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout."))]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask for confirmation."))]
# SQLite integers are 64-bit: a larger id is refused by the parser, not by a traceback.
IdArg = Annotated[int, typer.Argument(metavar="ID", min=1, max=2**63 - 1, help=N_("Campaign id (see: blast campaign list)."), show_default=False, autocompletion=complete.campaign_ids)]


UtcOpt = Annotated[bool, typer.Option("--utc", help=N_("Times in UTC instead of general.timezone."))]


@campaign_app.command("list")
def list_(json: JsonOpt = False, utc: UtcOpt = False) -> None:
    """Every campaign: progress, schedule, next send."""
    from nexus_blast.campaigns.report import summaries

    state = current()
    docs = summaries(state.db())
    if json:
        print_json([{k: d[k] for k in _LIST_FIELDS} for d in docs])
        return
    if not docs:
        info(_("no campaigns yet (start one with: blast send FILE --message TEXT)"))
        return
    nexts = _next_sends(state.settings(), state.db())
    # Narrow enough for 80 columns (rates only); `campaign show ID` and --json have every count.
    settings = state.settings()
    table(None, [N_("id"), N_("name"), N_("status"), N_("progress"), N_("delivered · read"), N_("scheduled"), N_("next send")],
          [[d["campaign"], d["name"], status_text(d["status"]), _progress(d), _rates(d),
            _local(settings, d["scheduled_at"], utc), _local(settings, nexts.get(d["campaign"]), utc)] for d in docs])


_LIST_FIELDS = (
    "campaign", "status", "sent", "failed", "skipped", "pending", "name", "scheduled_at", "delivered", "read",
    "delivered_rate", "read_rate", "replied", "reply_rate", "opted_out", "opted_out_rate",
)


def _rates(doc: dict) -> str:
    """`94% · 50%`: delivered and read shares of the sent messages (`-` before the first send)."""
    if not doc["sent"]:
        return "-"
    return f"{100 * doc['delivered'] // doc['sent']}% · {100 * doc['read'] // doc['sent']}%"


def _share(doc: dict, key: str) -> str:
    """`17 (94%)`: the count and its share of the sent messages (rounded down: 100% means all)."""
    count = doc[key]
    return f"{count} ({100 * count // doc['sent']}%)" if doc["sent"] else str(count)


def _progress(doc: dict) -> str:
    """`30/40 75%` (sent, failed and skipped are done), `, 2 failed` when some failed."""
    done = doc["sent"] + doc["failed"] + doc["skipped"]
    total = done + doc["pending"]
    text = f"{done}/{total} {100 * done // total if total else 100}%"
    return _("{progress}, {n} failed").format(progress=text, n=doc["failed"]) if doc["failed"] else text


def _next_sends(settings, db) -> dict[int, str]:
    from nexus_blast import clock

    from nexus_blast.campaigns.timing import next_send_at
    from nexus_blast.store import campaigns as store
    from nexus_blast.store.db import iso

    now = clock.now()
    out = {}
    for campaign in store.list_campaigns(db):
        moment = next_send_at(settings, campaign, now)
        if moment is not None:
            out[campaign.id] = iso(moment)
    return out


def _zone(settings, utc: bool):
    from datetime import UTC

    from nexus_blast.campaigns.timing import timezone

    return UTC if utc else timezone(settings)


def _local(settings, stamp: str | None, utc: bool = False) -> str:
    """An ISO UTC timestamp in general.timezone (or UTC), short: `21:53` today, `26/11 09:00` this
    year, else `26/11/2027 09:00`."""
    if not stamp:
        return ""
    from datetime import datetime

    from nexus_blast import clock

    tz = _zone(settings, utc)
    moment, today = datetime.fromisoformat(stamp).astimezone(tz), clock.now().astimezone(tz).date()
    if moment.date() == today:
        return f"{moment:%H:%M}"
    return f"{moment:%d/%m %H:%M}" if moment.year == today.year else f"{moment:%d/%m/%Y %H:%M}"


def _when(settings, stamp: str, utc: bool) -> str:
    """A whole timestamp for `show`: `2026-12-07 09:00:00 -03` (or `… UTC`; pt-BR `07/12/2026 …`)."""
    from datetime import datetime

    moment = datetime.fromisoformat(stamp).astimezone(_zone(settings, utc))
    return f"{format_datetime(moment, seconds=True)} {moment.tzname()}"


def _at(moment) -> str:
    """A time a person gave (--at, --resume-at), as said back: `2026-12-07 09:00 -03` (pt-BR
    `07/12/2026 09:00 -03`, remembering the English for an error's --json)."""
    from nexus_blast.i18n import Message

    english = f"{moment:%Y-%m-%d %H:%M %Z}"
    said = f"{format_datetime(moment)} {moment:%Z}"
    return english if said == english else Message(said, english)


# Translators: the rows of `blast campaign show` (English: the --json field names themselves).
_FIELDS = {
    "campaign": N_("campaign"), "status": N_("status"), "sent": N_("sent"), "failed": N_("failed"),
    "skipped": N_("skipped"), "pending": N_("pending"), "name": N_("name"), "scheduled_at": N_("scheduled_at"),
    "delivered": N_("delivered"), "read": N_("read"), "replied": N_("replied"), "opted_out": N_("opted_out"),
    "reason": N_("reason"), "sessions": N_("sessions"), "delay": N_("delay"), "source": N_("source"),
    "image": N_("image"), "media": N_("media"), "created_at": N_("created_at"), "started_at": N_("started_at"),
    "finished_at": N_("finished_at"), "next_send_at": N_("next_send_at"), "resume_on_due": N_("resume_on_due"),
    "ignore_window": N_("ignore_window"), "lease_owner": N_("lease_owner"), "lease_expires_at": N_("lease_expires_at"),
    "ab_test": N_("ab_test"),
    "confirm_first.question": N_("confirm_first.question"), "confirm_first.window_seconds": N_("confirm_first.window_seconds"),
    "confirm_first.asked": N_("confirm_first.asked"), "confirm_first.awaiting": N_("confirm_first.awaiting"),
    "confirm_first.confirmed": N_("confirm_first.confirmed"), "confirm_first.no_confirmation": N_("confirm_first.no_confirmation"),
    "confirm_first.opted_out": N_("confirm_first.opted_out"), "confirm_first.offers_sent": N_("confirm_first.offers_sent"),
    "confirm_first.next_close_at": N_("confirm_first.next_close_at"),
}
# Translators: the state of a campaign's A/B test (send --ab-test), in `blast campaign show`.
_AB_STATES = {"testing": N_("testing"), "waiting": N_("waiting"), "decided": N_("decided")}


def _cell(value):
    """A value of `campaign show` for people (a flag: True/False in English, sim/não in pt-BR)."""
    if isinstance(value, bool):
        return _("True") if value else _("False")
    return value


def _verdict_text(code: str, params: dict, english: str) -> str:
    """An A/B verdict (domain/abtest.py's CODE and PARAMS) in the user's language; ENGLISH (the
    stored statement) when there is no code (a campaign decided before codes were stored)."""
    from nexus_blast.domain import abtest
    from nexus_blast.i18n import format_number

    def pct(rate: float) -> str:
        return format_number(100 * rate, 1) + "%"

    try:
        if code == abtest.ONE_VARIANT:
            return _("one variant: nothing to compare")
        if code == abtest.NOT_ENOUGH_DATA:
            short = ", ".join(_("{label} has {sent}").format(label=name, sent=sent) for name, sent in params["short"])
            return _("not enough data: at least {n} sent per variant needed ({short})").format(n=params["min_sent"], short=short)
        if code == abtest.TIE:
            return _("no leader: {best} and {second} have the same reply rate ({rate})").format(
                best=params["best"], second=params["second"], rate=pct(params["rate"]))
        if code == abtest.SIGNIFICANT:
            return _("{best} leads: reply rate {rate} vs {second_rate} for {second} (significant at 95%, p = {p})").format(
                best=params["best"], second=params["second"], rate=pct(params["rate"]), second_rate=pct(params["second_rate"]),
                p=format_number(params["p"], 4))
        if code == abtest.NOT_SIGNIFICANT:
            return _("{best} is ahead but not significantly: reply rate {rate} vs {second_rate} for {second} "
                     "(p = {p}; send more or wait for replies)").format(
                best=params["best"], second=params["second"], rate=pct(params["rate"]), second_rate=pct(params["second_rate"]),
                p=format_number(params["p"], 2))
    except (KeyError, TypeError, ValueError):  # stored by another version: its English says it
        pass
    return english


def _decided_text(ab: dict) -> str:
    """A decided A/B test's stored statement, in the user's language when its verdict was stored."""
    from nexus_blast.domain.abtest import label

    stored = ab.get("verdict")
    english = ab.get("statement", "")
    if not isinstance(stored, dict) or ab.get("leader") is None:
        return english
    said = _verdict_text(stored.get("code", ""), stored.get("params") or {}, "")
    return _("rest sent with {label}: {statement}").format(label=label(int(ab["leader"])), statement=said) if said else english


def _say_media(campaign) -> None:
    """The report's media, on stderr (its rows are one per contact)."""
    from nexus_blast.campaigns.report import media_line, media_of

    line = media_line(media_of(campaign))
    if line:
        info(_("campaign {id} carried {media}").format(id=campaign.id, media=line))


@campaign_app.command("show")
def show(campaign_id: IdArg, json: JsonOpt = False, utc: UtcOpt = False) -> None:
    """One campaign: status, counts, sessions, times.

    With its reason, scheduled and next send time."""
    from nexus_blast.campaigns.report import get, summary
    from nexus_blast.store import campaigns as store

    state = current()
    db = state.db()
    campaign = get(db, campaign_id)
    doc = summary(campaign, store.counts(db, campaign_id))
    doc["next_send_at"] = _next_sends(state.settings(), db).get(campaign_id)
    doc["resume_on_due"] = campaign.resume_on_due
    doc["ignore_window"] = bool(campaign.options.get("ignore_window"))
    from nexus_blast.campaigns.confirm import summary as confirm_summary

    confirming = confirm_summary(db, campaign)
    if confirming is not None:
        doc["confirm_first"] = confirming
    if campaign.lease_owner:
        doc["lease_owner"], doc["lease_expires_at"] = campaign.lease_owner, campaign.lease_expires_at
    from nexus_blast.campaigns.lane_state import campaign_events

    doc["lane_events"] = campaign_events(db, campaign_id)  # capping, timelock, brake: with their reasons
    from nexus_blast.campaigns.report import variant_results

    measured = variant_results(db, campaign)
    if measured is not None:
        doc |= measured
    ab = (campaign.options or {}).get("ab")
    if isinstance(ab, dict):  # send --ab-test: testing | waiting (until decide_at) | decided (leader)
        doc["ab_test"] = {"share": ab.get("share"), "wait_seconds": ab.get("wait"), "state": ab.get("state"),
                          "decide_at": ab.get("decide_at"),
                          "leader": None if ab.get("leader") is None else int(ab["leader"]) + 1,
                          "statement": ab.get("statement", "")}
    if json:
        print_json(doc)
        return
    events = doc.pop("lane_events")
    from nexus_blast.campaigns.report import media_line

    variants, leader = doc.pop("variants", None), doc.pop("leader", None)
    ab_test = doc.pop("ab_test", None)
    if ab_test:
        ab_state = _(_AB_STATES[ab_test["state"]]) if ab_test["state"] in _AB_STATES else ab_test["state"]
        statement = _decided_text(ab) if ab_test["statement"] else ""
        doc["ab_test"] = ab_state + (f" ({statement})" if statement else "")
    human = doc | {"status": status_text(doc["status"]), "delivered": _share(doc, "delivered"), "read": _share(doc, "read"),
                   "media": media_line(doc.get("media")), "replied": _share(doc, "replied"), "opted_out": _share(doc, "opted_out"),
                   "delay": decimal_mark(doc["delay"])}
    for key, value in (human.pop("confirm_first", None) or {}).items():
        human[f"confirm_first.{key}"] = value
    settings = state.settings()
    for key, value in human.items():  # every time in one zone: general.timezone, or --utc
        if key.endswith("_at") and isinstance(value, str) and value[:4].isdigit():
            human[key] = _when(settings, value, utc)
    rows = [[_(_FIELDS[k]) if k in _FIELDS else k, ", ".join(v) if isinstance(v, list) else _cell(v)]
            for k, v in human.items() if not k.endswith("_rate")]
    table(_("campaign {id}").format(id=campaign_id), ["", ""], rows)
    if events:
        table(None, [N_("at"), N_("session"), N_("change"), N_("reason")], [
            [_when(settings, e["at"], utc), e["session"], e["kind"], e["reason"]] for e in events
        ])
    if variants:
        _print_variants(variants, leader)


def _print_variants(variants: list[dict], leader: dict) -> None:
    """Per variant: counts with their shares of sent, the reply rate's 95% range; the verdict
    (computed again from the counts, to be said in the user's language: --json has it in English)."""
    from nexus_blast.domain.abtest import Arm, verdict

    pct = (lambda doc, key: f"{doc[key]} ({100 * doc[key] // doc['sent']}%)" if doc["sent"] else str(doc[key]))
    table(_("variants"), ["", N_("sent"), N_("delivered"), N_("read"), N_("replied"), N_("opted out"), N_("reply rate 95%"), N_("text")],
          [[v["label"], v["sent"], pct(v, "delivered"), pct(v, "read"), pct(v, "replied"), pct(v, "opted_out"),
            f"{100 * v['reply_rate_95'][0]:.0f}-{100 * v['reply_rate_95'][1]:.0f}%", v["text"].replace("\n", " ")]
           for v in variants])
    said = verdict([Arm(v["variant"] - 1, v["sent"], v["replied"]) for v in variants])
    same = said.statement == leader["statement"]  # the counts --json was made from: the same verdict
    info(_("leader: {statement}").format(statement=_verdict_text(said.code, said.params, leader["statement"]) if same else leader["statement"]))


AtOpt = Annotated[Optional[str], typer.Option(
    "--resume-at", metavar="WHEN", help=N_("Resume it then, by blast run-due / blast worker (same forms as send --at)."), show_default=False,
)]


@campaign_app.command("pause")
def pause(campaign_id: IdArg, resume_at: AtOpt = None, json: JsonOpt = False) -> None:
    """Pause a campaign.

    A running send, run-due or worker stops after its message in flight; with
    --resume-at, run-due or the worker continues it at that time."""
    at = _resolve_at(resume_at)
    # the stored reason stays English (--json, campaign show's `reason`); people read its frame
    _change(campaign_id, "paused", "paused by user" + (f" until {at:%Y-%m-%d %H:%M %Z}" if at else ""), json, at)


@campaign_app.command("cancel")
def cancel(campaign_id: IdArg, yes: YesOpt = False, json: JsonOpt = False) -> None:
    """Cancel a campaign for good.

    Its pending messages become skipped (cancelled)."""
    from nexus_blast.campaigns.report import get

    campaign = get(current().db(), campaign_id)  # an unknown id is exit 2 before any question
    confirm(_("Cancel campaign {id} ({name}) for good (its pending messages are never sent)?").format(id=campaign_id, name=campaign.name), yes)
    _change(campaign_id, "cancelled", "cancelled by user", json)


def _resolve_at(text: str | None):
    if text is None:
        return None
    from nexus_blast.campaigns.timing import resolve_at

    return resolve_at(current().settings(), text)


def _change(campaign_id: int, status: str, reason: str, json: bool, resume_at=None) -> None:
    from nexus_blast.campaigns.report import get
    from nexus_blast.campaigns.runner import outcome_of
    from nexus_blast.domain.messages import CAMPAIGN_TRANSITIONS, CampaignStatus, SkipReason
    from nexus_blast.store import campaigns as store
    from nexus_blast.store.db import iso

    db = current().db()
    campaign = get(db, campaign_id)
    if CampaignStatus(status) not in CAMPAIGN_TRANSITIONS[CampaignStatus(campaign.status)]:
        refusal = (_("campaign {id} is {status}: it cannot be paused") if status == "paused"
                   else _("campaign {id} is {status}: it cannot be cancelled"))
        raise InputError(refusal.format(id=campaign_id, status=status_text(campaign.status)))
    store.set_campaign_status(db, campaign_id, status, reason=reason)
    if status == "paused":
        if resume_at is not None:
            store.set_due_at(db, campaign_id, iso(resume_at))
        else:  # a person's pause holds until a person resumes (or sets --resume-at)
            store.set_resume_on_due(db, campaign_id, False)
    if status == "cancelled":
        store.skip_pending(db, campaign_id, str(SkipReason.CANCELLED))
    outcome = outcome_of(db, campaign_id)
    print_outcome(outcome, json, extra={"scheduled_at": iso(resume_at)} if resume_at else None)


@campaign_app.command("resume")
def resume(
    campaign_id: IdArg,
    at: Annotated[Optional[str], typer.Option("--at", metavar="WHEN", help=N_("Do not run now: run-due / the worker resumes it then (same forms as send --at)."), show_default=False)] = None,
    ignore_window: Annotated[bool, typer.Option("--ignore-window", help=N_("This run sends at any hour and day (ignore sending.window/days)."))] = False,
    yes: YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Continue a paused or interrupted campaign.

    It goes on exactly where it stopped (unknown outcomes are checked with WAHA
    first, never resent blindly); a scheduled one starts now. With --at, leave
    it to run-due / the worker at that time. Outside the sending window it waits
    for the opening."""
    from nexus_blast.campaigns.report import get
    from nexus_blast.campaigns.timing import window_for
    from nexus_blast.domain.messages import RESUMABLE

    state = current()
    campaign = get(state.db(), campaign_id)
    if campaign.status not in RESUMABLE:
        raise InputError(_("campaign {id} is {status}: nothing to resume").format(id=campaign_id, status=status_text(campaign.status)))
    _say_pending(campaign)
    if at is not None:
        _resume_later(campaign, _resolve_at(at), yes, json)
        return
    confirm(_("Resume campaign {id} ({name})?").format(id=campaign_id, name=campaign.name), yes)
    outcome = run_foreground(campaign_id, window_for(state.settings(), campaign, ignore=ignore_window))
    print_outcome(outcome, json)
    if outcome.exit_code:
        raise typer.Exit(outcome.exit_code)


def _say_pending(campaign) -> None:
    """`campaign 3 (promo): 120 message(s) pending — loja 70, filial 50`."""
    from nexus_blast.store import campaigns as store

    where = store.unfinished_by_session(current().db(), campaign.id)
    total = sum(where.values())
    spread = ", ".join(f"{name or _('not assigned yet')} {n}" for name, n in where.items())
    info(ngettext("campaign {id} ({name}): {n} message pending", "campaign {id} ({name}): {n} messages pending", total).format(
        id=campaign.id, name=campaign.name, n=total) + (f" — {spread}" if spread else ""))


def _resume_later(campaign, at, yes: bool, json: bool) -> None:
    from nexus_blast.campaigns.runner import outcome_of
    from nexus_blast.store import campaigns as store
    from nexus_blast.store.db import iso

    if campaign.status == "running":
        raise InputError(_("campaign {id} is running: pause it first (blast campaign pause {id} --resume-at WHEN)").format(id=campaign.id))
    confirm(_("Resume campaign {id} ({name}) at {when}?").format(id=campaign.id, name=campaign.name, when=_at(at)), yes)
    db = current().db()
    store.set_due_at(db, campaign.id, iso(at))
    print_outcome(outcome_of(db, campaign.id), json, extra={"scheduled_at": iso(at)})
    info(_("campaign {id} resumes at {when} (by blast run-due or blast worker)").format(id=campaign.id, when=_at(at)))


@campaign_app.command("report")
def report(
    campaign_id: IdArg,
    fmt: Annotated[str, typer.Option("--format", metavar="[csv|json]", help=N_("Output format."))] = "csv",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help=N_("Write here instead of stdout."), show_default=False)] = None,
    yes: YesOpt = False,
    json: Annotated[bool, typer.Option("--json", help=N_("Same as --format json."))] = False,
) -> None:
    """One row per contact, as CSV or JSON.

    Columns: phone, status, session, message_id, sent_at, delivered_at, read_at,
    error, replied_at, reply, variant, opted_out_at (with -o, the delivered and read
    counts and rates are said on stderr)."""
    from nexus_blast.campaigns.report import get, summary, write_csv, write_json
    from nexus_blast.store import campaigns as store

    if json:
        fmt = "json"
    if fmt not in ("csv", "json"):
        raise InputError(_("--format {value!r}: use csv or json").format(value=fmt))
    db = current().db()
    campaign = get(db, campaign_id)
    write = write_csv if fmt == "csv" else write_json
    rows = store.report_rows(db, campaign_id)
    _say_media(campaign)
    if output is None:
        try:
            write(rows, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # `blast campaign report 3 | head`: the reader has what it wanted
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    confirm_overwrite(yes, output)
    try:
        from nexus_blast.paths import open_private

        with open_private(output) as handle:  # phones and message ids: personal data
            n = write(rows, handle)
    except OSError as exc:
        raise InputError(_("{file}: cannot write ({reason})").format(file=output, reason=os_reason(exc))) from None
    doc = summary(campaign, store.counts(db, campaign_id))
    info(ngettext("{n} row written to {file}; {sent} sent, delivered {delivered}, read {read}, replied {replied}",
                  "{n} rows written to {file}; {sent} sent, delivered {delivered}, read {read}, replied {replied}", n).format(
        n=n, file=output, sent=doc["sent"], delivered=_share(doc, "delivered"), read=_share(doc, "read"), replied=_share(doc, "replied")))


@campaign_app.command("replies")
def replies_(campaign_id: IdArg, json: JsonOpt = False, utc: UtcOpt = False) -> None:
    """Who answered the campaign, newest first.

    Phone, name, when and the reply (its first 160 characters)."""
    from nexus_blast.campaigns.replies import list_replies

    state = current()
    rows = list_replies(state.db(), campaign_id)
    if json:
        print_json(rows)
        return
    if not rows:
        info(_("no replies yet to campaign {id} (webhook serve or campaign sync records them)").format(id=campaign_id))
        return
    settings = state.settings()
    table(_("replies to campaign {id}").format(id=campaign_id), [N_("phone"), N_("name"), N_("when"), N_("reply")],
          [[r["phone"], r["name"], _local(settings, r["replied_at"], utc), r["reply"] if r["reply"] is not None else _("(purged)")]
           for r in rows])


@campaign_app.command("purge")
def purge(campaign_id: IdArg, yes: YesOpt = False, json: JsonOpt = False) -> None:
    """Delete the campaign's reply texts (LGPD).

    Who replied and when stay, so the counts do not change."""
    from nexus_blast.campaigns.replies import purge as purge_replies
    from nexus_blast.campaigns.report import get

    db = current().db()
    campaign = get(db, campaign_id)  # an unknown id is exit 2 before any question
    confirm(_("Delete the reply texts of campaign {id} ({name}) for good?").format(id=campaign_id, name=campaign.name), yes)
    purged = purge_replies(db, campaign_id)
    if json:
        print_json({"campaign": campaign_id, "purged": purged})
        return
    info(ngettext("{n} reply text deleted from campaign {id}", "{n} reply texts deleted from campaign {id}", purged)
         .format(n=purged, id=campaign_id))


SEND_EXAMPLES = N_("""Examples:
  # see the plan and the first messages; nothing is sent
  blast send contatos.csv -m "Oi {{nome}}, {Tudo bem?|Como vai?}" --dry-run
  blast send contatos.csv --message-file msg.txt --image promo.jpg
  # from two sessions, 20-40 s apart, on Monday morning (run by run-due)
  blast send --list clientes -m "Oi {{nome}}" --session loja,filial \\
      --delay 20-40 --at "segunda 9h"
  # unattended: no question, one JSON document
  blast send contatos.csv -m "Oi {{nome}}" --yes --json""")


def register(app: typer.Typer) -> None:
    app.command("send", epilog=SEND_EXAMPLES)(send)
    app.add_typer(campaign_app, name="campaign")
