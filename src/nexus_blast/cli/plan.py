"""`blast send`'s plan as it is shown: the dry run's document and text, the summary and sample
shown before the question, and the risks (cli/send.py decides when)."""

from __future__ import annotations

import typer

from nexus_blast.cli.output import info, print_json, table
from nexus_blast.cli.state import current
from nexus_blast.i18n import N_, _, format_number, moment, ngettext


def show_variants(prepared, ai, stderr: bool) -> None:
    """The AI's variants, numbered, before the plan (the preview says which one each contact gets)."""
    if not prepared.variants:
        return
    echo = info if stderr else typer.echo
    kind = _("AI variant") if ai is not None else _("variant")
    for number, text in enumerate(prepared.variants, 1):
        count = prepared.summary.per_variant[number]
        echo(ngettext("--- {kind} {number} ({chars} chars, {count} contact) ---",
                      "--- {kind} {number} ({chars} chars, {count} contacts) ---", count).format(
            kind=kind, number=number, chars=len(text), count=count) + f"\n{text}\n")
    if ai is not None and len(prepared.variants) < ai.variants:
        echo(_("only {passed} of {requested} AI variants passed the checks; rotating those").format(
            passed=len(prepared.variants), requested=ai.variants))


def human_size(size: int | None) -> str:
    """`820 B`, `14.2 KB`, `3.1 MB` (1024-based, as file managers say; `14,2 KB` in pt-BR)."""
    if size is None:
        return "?"
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{format_number(size)} {unit}" if unit == "B" else f"{format_number(size, 1)} {unit}"
        size /= 1024
    return f"{format_number(size, 1)} MB"


def show_sample(prepared, ai=None) -> None:
    """Before the question: one message as a contact gets it, and the image it goes with."""
    preview = prepared.summary.preview
    if preview:
        p = preview[0]
        variant = ""
        if prepared.variants:
            variant = (_(", AI variant {number}") if ai is not None else _(", variant {number}")).format(number=p.variant)
        info(_("--- sample: row {row} → {phone} via {session}{variant} ---").format(
            row=p.row, phone=p.phone, session=p.session, variant=variant) + "\n" + p.text)
    image = prepared.image
    if image is not None:
        if image.url:
            info(_("image: {name} ({url}, {mimetype})").format(name=image.filename, url=image.url, mimetype=image.mimetype))
        else:
            info(_("image: {name} ({size}, {mimetype})").format(name=image.filename, size=human_size(image.size), mimetype=image.mimetype))
def plan_doc(prepared) -> dict:
    s = prepared.summary
    return {
        "campaign": None, "status": "dry_run", "sent": 0, "failed": 0, "skipped": s.skipped_total,
        "pending": s.pending, "dry_run": True, "name": prepared.name, "sessions": dict(s.per_session),
        "delay": str(prepared.delay), "estimated_seconds": round(prepared.estimate_seconds, 1),
        "skipped_by_reason": dict(s.skipped), "rejected": s.rejected_total, "rejected_by_reason": dict(s.rejected),
        "sticky": s.sticky, "room_today": dict(prepared.room_today),
        "warm": {name: s.warm[name] for name in s.per_session}, "cold": {name: s.cold[name] for name in s.per_session},
        "preview": [
            {"row": p.row, "phone": p.phone, "session": p.session, "text": p.text}
            | ({"question": p.question} if p.question is not None else {})
            for p in s.preview
        ],
        "risks": [r.as_json() for r in prepared.risks],
    } | _image_doc(prepared) | _variants_doc(prepared) | ({"ab_test": prepared.ab_test} if prepared.ab_test else {})


def _image_doc(prepared) -> dict:
    """`image` (an image: where, size and type, checked by content like any media) or `media` (any
    kind: kind, filename, mimetype, size, sha256, path or url)."""
    image = prepared.image
    if image is None:
        return {}
    if image.kind != "image":
        return {"media": image.describe()}
    doc = {"url": image.url} if image.url else {"path": image.path}
    return {"image": doc | {"size": image.size, "mimetype": image.mimetype}}


def _variants_doc(prepared) -> dict:
    """`variants` (the AI's texts) and, in each preview item, which one it uses (1-based)."""
    if not prepared.variants:
        return {}
    preview = [
        {"row": p.row, "phone": p.phone, "session": p.session, "variant": p.variant, "text": p.text}
        | ({"question": p.question} if p.question is not None else {})
        for p in prepared.summary.preview
    ]
    return {"variants": prepared.variants, "preview": preview}


def signal_risks(prepared) -> list:
    """The sessions' own signals (capping, timelock) as risks (campaigns/lane_state.py)."""
    from nexus_blast import clock

    from nexus_blast.campaigns.lane_state import signal_risks_of

    state = current()
    return signal_risks_of(state.settings(), state.db(), list(prepared.sessions), clock.now())


def echo_risks(risks, echo) -> None:
    for risk in risks:  # the label outside the f-string: Babel does not extract _() inside one
        label = _("HIGH RISK") if risk.level == "high" else _("risk")
        echo(f"{label} ({risk.code}): {risk.message}")


def print_plan(prepared, json: bool, start_at=None, ai=None) -> None:
    risks = signal_risks(prepared)
    if json:
        doc = plan_doc(prepared)
        doc["risks"] = doc.get("risks", []) + [r.as_json() for r in risks]
        if start_at is not None:
            from nexus_blast.store.db import iso

            doc["scheduled_at"] = iso(start_at)
        print_json(doc)
        return
    show_variants(prepared, ai, stderr=False)
    describe_plan(prepared, stderr=False, start_at=start_at)
    echo_risks(risks, typer.echo)
    for p in prepared.summary.preview:
        variant = ((_(" (AI variant {number})") if ai is not None else _(" (variant {number})")).format(number=p.variant)
                   if prepared.variants else "")
        question = _("[question] {question}\n[then, to who replies] ").format(question=p.question) if p.question is not None else ""
        typer.echo("\n" + _("--- row {row} → {phone} via {session}{variant}").format(row=p.row, phone=p.phone, session=p.session,
                                                                                 variant=variant) + f"\n{question}{p.text}")
    typer.echo("\n" + (_("dry run: nothing stored, nothing sent (the AI generations are logged)") if ai is not None
                       else _("dry run: nothing stored, nothing sent")))


def describe_plan(prepared, stderr: bool = True, start_at=None) -> None:
    from nexus_blast.campaigns.estimate import human_duration

    s = prepared.summary
    if prepared.image is not None and prepared.image.kind != "image":
        from nexus_blast.campaigns.report import media_line

        info(_("media: {media}").format(media=media_line(prepared.image.describe())))
    # counts as plain numbers: piped, the rows are tab-separated for scripts (the English as it was)
    rows = [[name, count, prepared.room_today.get(name, "")] for name, count in s.per_session.items()]
    skipped = ", ".join(f"{k} {v}" for k, v in s.skipped.items())  # reason codes, as --json says them
    rejected = ", ".join(f"{k} {v}" for k, v in s.rejected.items())
    rows.append([_("skipped ({reasons})").format(reasons=skipped) if skipped else _("skipped"), s.skipped_total, ""])
    rows.append([_("rejected rows ({reasons})").format(reasons=rejected) if rejected else _("rejected rows"), s.rejected_total, ""])
    title = ngettext("{name}: {count} message, delay {delay}s, about {duration}",
                     "{name}: {count} messages, delay {delay}s, about {duration}", s.pending).format(
        name=prepared.name, count=format_number(s.pending), delay=_delay(prepared.delay), duration=human_duration(prepared.estimate_seconds))
    if start_at is not None:
        title = _("{plan}, starting {when}").format(plan=title, when=moment(start_at, "%Y-%m-%d %H:%M %Z"))
    # the headers: translated on a terminal by table(); piped, as given (scripts read them)
    table(title, [N_("session"), N_("messages"), N_("room today")], rows, stderr=stderr)
    if prepared.ab_test:
        ab = prepared.ab_test
        info(ngettext("A/B test: the first {n} message split across the variants, then a wait of {wait}; "
                      "the other {held} get the leader's text",
                      "A/B test: the first {n} messages split across the variants, then a wait of {wait}; "
                      "the other {held} get the leader's text", ab["test_messages"]).format(
            n=format_number(ab["test_messages"]), held=format_number(ab["held"]), wait=human_duration(ab["wait_seconds"])))
    if s.warm:
        n = format_number
        counts = [_("{session} {warm} warm / {cold} cold").format(session=name, warm=n(s.warm[name]), cold=n(s.cold[name]))
                  for name in s.per_session]
        info(_("warm contacts (they wrote to the session): {counts}").format(counts=", ".join(counts)))
    _show_risks(prepared.risks, stderr)


def _delay(delay) -> str:
    """A DelayRange as `30-60` (`0,5-2` in pt-BR)."""
    return f"{format_number(delay.low)}-{format_number(delay.high)}"


def _show_risks(risks, stderr: bool) -> None:
    """The risk check, one line per risk (on stderr with the confirmation; README, "Risk check")."""
    echo_risks(risks, info if stderr else typer.echo)
