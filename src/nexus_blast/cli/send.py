"""`blast send`: plan, confirm, then run in the foreground (or schedule with --at); and the
foreground run shared with `campaign resume` (progress, signals, sending window notice)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from nexus_blast.cli import complete
from nexus_blast.cli.output import confirm, info, print_json, stdin_is_tty
from nexus_blast.cli.plan import describe_plan, echo_risks, plan_doc, print_plan, show_sample, show_variants, signal_risks
from nexus_blast.cli.state import current
from nexus_blast.errors import InputError
from nexus_blast.i18n import N_, _, format_number, moment, ngettext, os_reason

JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout."))]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask for confirmation."))]


def send(
    file: Annotated[Optional[str], typer.Argument(metavar="FILE", help=N_("Contacts: CSV/TSV, .xlsx, .xls, .ods or vCard .vcf, or - for stdin."), show_default=False)] = None,
    list_name: Annotated[Optional[str], typer.Option("--list", metavar="NAME", autocompletion=complete.list_names, help=N_("Send to an imported contact list instead of a file."), show_default=False)] = None,
    message: Annotated[Optional[list[str]], typer.Option("--message", "-m", metavar="TEXT", help=N_("Message template: {{coluna}}, {{coluna|padrão}}, {Olá|Oi}. Twice or more: measured variants, contacts split evenly at random."), show_default=False)] = None,
    message_file: Annotated[Optional[list[Path]], typer.Option("--message-file", metavar="FILE", help=N_("Read the message template from this UTF-8 file (twice or more: measured variants)."), show_default=False)] = None,
    ai_brief: Annotated[Optional[str], typer.Option("--ai-brief", metavar="TEXT", help=N_("Have AI write the message from this brief instead (variants rotate across contacts; they may use the contact columns as {{coluna}})."), show_default=False)] = None,
    ai_variants: Annotated[Optional[int], typer.Option("--ai-variants", metavar="N", min=1, max=10, help=N_("How many AI variants to write and rotate (with --ai-brief; default 3)."), show_default=False)] = None,
    ai_provider: Annotated[Optional[str], typer.Option("--ai-provider", metavar="NAME", autocompletion=complete.provider_names, help=N_("AI provider for --ai-brief (default: the default one; see: blast ai list)."), show_default=False)] = None,
    ab_test: Annotated[Optional[str], typer.Option("--ab-test", metavar="N%", help=N_("Send the first N% split across the variants, wait --ab-wait for replies, then the rest with the leader (run-due/worker continue it)."), show_default=False)] = None,
    ab_wait: Annotated[Optional[str], typer.Option("--ab-wait", metavar="DURATION", help=N_("How long --ab-test waits for replies before choosing the leader (e.g. 2h, 90m; default 2h)."), show_default=False)] = None,
    warm_first: Annotated[bool, typer.Option("--warm-first", help=N_("Send first to contacts who have written to their session (warm), then the others."))] = False,
    image: Annotated[Optional[str], typer.Option("--image", metavar="PATH|URL", help=N_("JPEG/PNG/WebP file or http(s) URL; the message becomes its caption."), show_default=False)] = None,
    file_media: Annotated[Optional[str], typer.Option("--file", metavar="PATH|URL", help=N_("A document (PDF, XLSX, DOCX…, up to 100 MB), its name kept; the message becomes its caption."), show_default=False)] = None,
    video: Annotated[Optional[str], typer.Option("--video", metavar="PATH|URL", help=N_("An MP4 video (up to 16 MB); the message becomes its caption."), show_default=False)] = None,
    voice: Annotated[Optional[str], typer.Option("--voice", metavar="PATH|URL", help=N_("A voice note: OGG/Opus, or MP3/M4A/WAV converted by the server (up to 16 MB); the message is sent as a text right before it."), show_default=False)] = None,
    media_first: Annotated[bool, typer.Option("--media-first", help=N_("With --voice: the voice note first, then the text."))] = False,
    embed: Annotated[bool, typer.Option("--embed", help=N_("Send a media URL's content as data (fetched once) instead of letting WAHA fetch the URL."))] = False,
    no_link_preview: Annotated[bool, typer.Option("--no-link-preview", help=N_("No link preview in text messages (default: sending.link_preview)."))] = False,
    session: Annotated[Optional[str], typer.Option("--session", metavar="NAME[,NAME…]", autocompletion=complete.session_list, help=N_("Sessions to send from, comma-separated (default: all configured)."), show_default=False)] = None,
    delay: Annotated[Optional[str], typer.Option("--delay", metavar="MIN-MAX", help=N_("Seconds between two sends of one session, MIN-MAX (default: sending.delay)."), show_default=False)] = None,
    name: Annotated[Optional[str], typer.Option("--name", metavar="TEXT", help=N_("Campaign name (default: source and time)."), show_default=False)] = None,
    include_landlines: Annotated[bool, typer.Option("--include-landlines", help=N_("Send to landlines too (default: contacts.include_landlines)."))] = False,
    phone_column: Annotated[Optional[str], typer.Option("--phone-column", metavar="NAME[,NAME…]", help=N_("Columns holding the phone, in order of preference (default: detected by name and content)."), show_default=False)] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", metavar="NAME|N", help=N_("Workbook sheet to read, by name or number from 1 (default: the first)."), show_default=False)] = None,
    at: Annotated[Optional[str], typer.Option("--at", metavar="WHEN", help=N_("Schedule instead of sending now, in general.timezone: 'segunda 09:00', 'sexta 14h30', '07/12 9h' (day first), 'amanhã 9h', 'next monday 09:00', 'in 2 hours', +2h, 09:00 or ISO 8601. Sent by blast run-due / blast worker."), show_default=False)] = None,
    ignore_window: Annotated[bool, typer.Option("--ignore-window", help=N_("Send at any hour and day (ignore sending.window/days) for this campaign."))] = False,
    batch: Annotated[Optional[str], typer.Option("--batch", metavar="MIN-MAX", help=N_("Sends between two rests of a session; 0: no rests (default: sending.batch)."), show_default=False)] = None,
    rest: Annotated[Optional[str], typer.Option("--rest", metavar="MIN-MAX", help=N_("Seconds each rest lasts; 0: no rests (default: sending.rest)."), show_default=False)] = None,
    footer: Annotated[Optional[str], typer.Option("--footer", metavar="TEXT", help=N_("Line appended to every message, e.g. an opt-out line (default: sending.footer)."), show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Render and plan everything; store nothing, send nothing."))] = False,
    preview: Annotated[int, typer.Option("--preview", min=0, help=N_("Messages shown by --dry-run."))] = 5,
    confirm_first: Annotated[Optional[str], typer.Option("--confirm-first", metavar="TEXT", help=N_("Confirm-first: send this question (a template) to everyone first; the message goes only to those who reply (not with an opt-out word) within --confirm-window."), show_default=False)] = None,
    confirm_window: Annotated[Optional[str], typer.Option("--confirm-window", metavar="DURATION", help=N_("With --confirm-first: how long a contact has to reply, e.g. 24h, 90m, 2d (default 24h)."), show_default=False)] = None,
    test_to: Annotated[Optional[str], typer.Option("--test-to", metavar="PHONE[,PHONE]", help=N_("First send the first contacts' messages (with the image) to these phones as a test, then ask whether to start the campaign."), show_default=False)] = None,
    test_only: Annotated[bool, typer.Option("--test-only", help=N_("With --test-to: send the test messages and stop (nothing is stored)."))] = False,
    yes: YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Send a campaign: one personalised message per contact.

    Paced, spread over sessions; --at schedules it instead."""
    from nexus_blast.campaigns.create import SendRequest, prepare
    from nexus_blast.campaigns.timing import resolve_at, window_for
    from nexus_blast.store import campaigns as store

    message, message_file = message or None, message_file or None
    ai = _ai_brief(message, message_file, ai_brief, ai_variants, ai_provider)
    texts = _message_texts(message, message_file) if ai is None else []
    text = texts[0][1] if len(texts) == 1 else ""
    ab_share, ab_seconds = _ab_options(ab_test, ab_wait, len(texts), ai)
    test_phones = _test_phones(test_to, test_only, dry_run)
    if not dry_run and not yes and not test_only and not stdin_is_tty():
        confirm(_("send the campaign?"), yes)  # fails at once: nothing to ask without a terminal
    state = current()
    settings = state.settings()
    start_at = resolve_at(settings, at) if at is not None else None
    db = state.db()
    if test_phones:
        from nexus_blast.campaigns.testsend import parse_test_phones
        from nexus_blast.store.contacts import optout_phones

        test_phones = parse_test_phones(test_to, optout_phones(db))
        preview = max(preview, len(test_phones))
    request = SendRequest(
        message=text, source=file, list_name=list_name, image=image,
        sessions=[s.strip() for s in session.split(",") if s.strip()] if session else None,
        delay=delay, name=name, include_landlines=include_landlines, phone_column=phone_column, sheet=sheet, preview=preview,
        ignore_window=ignore_window, ai=ai, file=file_media, video=video, voice=voice, embed=embed,
        media_first=media_first, link_preview=False if no_link_preview else None, batch=batch, rest=rest, footer=footer,
        variants=tuple(texts) if len(texts) > 1 else (), ab_share=ab_share, ab_wait=ab_seconds, warm_first=warm_first,
        confirm_first=confirm_first, confirm_window=_confirm_window(confirm_first, confirm_window),
    )
    window = window_for(settings, ignore=ignore_window)
    prepared = prepare(settings, db, request, dry_run=dry_run or test_only, window=window, start_at=start_at)
    if dry_run:
        print_plan(prepared, json, start_at, ai)
        return
    if test_only:
        _print_test_only(prepared, _send_tests(settings, prepared, test_phones, media_first), json)
        return
    confirmed = False
    tests = []
    try:  # every input checked: now the sessions (a failure deletes the campaign just stored)
        _preflight(settings, db, prepared.sessions, scheduled=start_at is not None)
        show_variants(prepared, ai, stderr=True)
        describe_plan(prepared, start_at=start_at)
        echo_risks(signal_risks(prepared), info)  # the sessions' own signals, with the confirmation
        show_sample(prepared, ai)
        if test_phones:
            tests = _send_tests(settings, prepared, test_phones, media_first)
        n, k = prepared.summary.pending, len(prepared.sessions)
        messages = _messages(n)
        sessions = ngettext("{k} session", "{k} sessions", k).format(k=format_number(k))
        if start_at:
            question = _("Schedule {messages} from {sessions} for {when}?").format(
                messages=messages, sessions=sessions, when=moment(start_at, "%Y-%m-%d %H:%M %Z"))
        else:
            question = _("Send {messages} from {sessions}?").format(messages=messages, sessions=sessions)
        confirm(question, yes)
        if start_at is not None:
            _schedule(db, prepared.campaign_id, start_at)
        confirmed = True
    finally:
        if not confirmed:
            store.delete_campaign(db, prepared.campaign_id)
    rejected = prepared.summary.rejected_total
    extra = {"rejected": rejected, "rejected_by_reason": dict(prepared.summary.rejected)}
    if prepared.variants:
        extra["variants"] = prepared.variants
    if prepared.ab_test:
        extra["ab_test"] = prepared.ab_test
    if test_phones:
        extra["test"] = [t.document() for t in tests]
    if start_at is not None:
        _print_scheduled(prepared, start_at, json, extra, window)
        if rejected:
            raise typer.Exit(1)
        return
    outcome = run_foreground(prepared.campaign_id, window)
    print_outcome(outcome, json, extra=extra)
    code = outcome.exit_code or (1 if rejected else 0)
    if code:
        raise typer.Exit(code)


# send() is registered in cli/campaigns.py, so the extractor does not see its docstring: named here
N_("Send a campaign: one personalised message per contact.\n\nPaced, spread over sessions; --at schedules it instead.")


def _confirm_window(question: str | None, text: str | None) -> float:
    """Seconds of `--confirm-window` (default 24 h); exit 2 for a bad duration or without --confirm-first."""
    from nexus_blast.domain.confirm import DEFAULT_WINDOW, parse_window
    from nexus_blast.i18n import _, reason

    if text is None:
        return DEFAULT_WINDOW.total_seconds()
    if question is None:
        raise InputError(_("--confirm-window goes with --confirm-first TEXT"))
    try:
        return parse_window(text).total_seconds()
    except ValueError as exc:
        raise InputError(_("{option}: {reason}").format(option="--confirm-window", reason=reason(exc))) from None


def _test_phones(test_to: str | None, test_only: bool, dry_run: bool) -> list[str] | None:
    """The `--test-to` numbers checked for validity (exit 2 before anything is stored or sent)."""
    if test_to is None:
        if test_only:
            raise InputError(_("--test-only goes with --test-to PHONE[,PHONE]"))
        return None
    if dry_run:
        raise InputError(_("--dry-run sends nothing: drop --test-to, or drop --dry-run to send the test"))
    from nexus_blast.campaigns.testsend import parse_test_phones

    return parse_test_phones(test_to)


def _send_tests(settings, prepared, phones: list[str], media_first: bool = False):
    from nexus_blast.campaigns.testsend import send_tests

    tests = send_tests(settings, prepared, phones, media_first)
    for t in tests:
        info(_("test message sent to {phone} via {session} (the message of row {row})").format(phone=t.phone, session=t.session, row=t.row))
    return tests


def _print_test_only(prepared, tests, json: bool) -> None:
    if json:
        print_json(plan_doc(prepared) | {"status": "test_only", "dry_run": False, "test": [t.document() for t in tests]})
        return
    for t in tests:
        typer.echo("\n" + _("--- test → {phone} via {session} (row {row})").format(phone=t.phone, session=t.session, row=t.row)
                   + "\n" + t.text)
    n = len(tests)
    typer.echo("\n" + ngettext("test only: {n} test message sent; the campaign was not stored nor started",
                               "test only: {n} test messages sent; the campaign was not stored nor started", n).format(n=n))


def _preflight(settings, db, sessions: list[str], scheduled: bool) -> None:
    """Probe the chosen SESSIONS before the campaign is confirmed: none can send now → exit 3 (with
    --at: a warning, the servers may be up by then); some cannot → a warning, the run routes around them."""
    from nexus_blast.campaigns.preflight import check_sessions
    from nexus_blast.errors import DependencyError

    checks = check_sessions(settings, sessions, db)
    down = [c for c in checks if not c.can_send]
    if not down:
        return
    for check in down:
        info(_("warning: session {line}").format(line=check.line()))
    if len(down) < len(checks):
        return
    if scheduled:
        info(_("warning: no session can send right now; the campaign is stored and run-due/worker try at its time"))
        return
    raise DependencyError(
        ngettext("the session cannot send now; no campaign stored", "no session can send now; no campaign stored", len(checks)),
        hint=_("fix the session(s) above (see: blast session list, blast doctor), or schedule it with --at"),
    )


def _schedule(db, campaign_id: int, start_at) -> None:
    from nexus_blast.store import campaigns as store
    from nexus_blast.store.db import iso

    store.schedule_campaign(db, campaign_id, iso(start_at))


def _print_scheduled(prepared, start_at, json: bool, extra: dict, window) -> None:
    from nexus_blast.campaigns.timing import window_opens
    from nexus_blast.store.db import iso

    s = prepared.summary
    opens = window_opens(window, start_at, start_at.tzinfo)
    doc = {
        "campaign": prepared.campaign_id, "status": "scheduled", "sent": 0, "failed": 0,
        "skipped": s.skipped_total, "pending": s.pending, "scheduled_at": iso(start_at),
        "next_send_at": iso(opens),
    } | extra
    if opens > start_at:
        info(_("{at} is outside the sending window: sending starts {opens}").format(
            at=moment(start_at), opens=moment(opens.astimezone(start_at.tzinfo))))
    if json:
        print_json(doc)
    else:
        typer.echo(_("campaign {id} scheduled for {when}: {messages}, {skipped} skipped").format(
            id=prepared.campaign_id, when=moment(start_at, "%Y-%m-%d %H:%M %Z"),
            messages=_messages(s.pending), skipped=format_number(s.skipped_total)))
    info(_("it is sent by `blast run-due` (cron) or `blast worker`; see: blast campaign list"))


def _ab_options(ab_test: str | None, ab_wait: str | None, texts: int, ai) -> tuple[float | None, float]:
    """(test share, wait seconds) for --ab-test / --ab-wait; exit 2 for one variant or a bad value."""
    from nexus_blast.campaigns.abtest import parse_share, parse_wait

    if ab_test is None:
        if ab_wait is not None:
            raise InputError(_("--ab-wait goes with --ab-test N%"))
        return None, 0.0
    if ai is None and texts < 2:
        raise InputError(_("--ab-test needs two or more variants: give -m / --message-file twice (or --ai-brief)"))
    return parse_share(ab_test), parse_wait(ab_wait or "2h")


def _ai_brief(message, message_file, brief: str | None, variants: int | None, provider: str | None):
    """The AIBrief for --ai-brief (None without it); refused with --message/--message-file."""
    from nexus_blast.campaigns.create import AIBrief

    if brief is None:
        if variants is not None or provider is not None:
            raise InputError(_("--ai-variants and --ai-provider go with --ai-brief TEXT"))
        return None
    if message is not None or message_file is not None:
        raise InputError(_("give the message with --message, --message-file or --ai-brief (one of them)"))
    if not brief.strip():
        raise InputError(_("--ai-brief is empty"), hint=_('describe the campaign: --ai-brief "promoção de ..."'))
    return AIBrief(brief=brief, variants=variants or 3, provider=provider)


def _message_texts(messages: list[str] | None, message_files: list[Path] | None) -> list[tuple[str, str]]:
    """`(label, template)` per --message / --message-file given (label: the file, or `--message N`)."""
    if (messages is None) == (message_files is None):
        raise InputError(_("give the message with --message TEXT, --message-file FILE or --ai-brief TEXT (one of them)"))
    if messages is not None:
        if len(messages) == 1:
            return [("--message", messages[0])]
        return [(f"--message {n}", text) for n, text in enumerate(messages, 1)]
    return [(str(path), _message_text(None, path)) for path in message_files]


def _message_text(message: str | None, message_file: Path | None) -> str:
    if (message is None) == (message_file is None):
        raise InputError(_("give the message with --message TEXT, --message-file FILE or --ai-brief TEXT (one of them)"))
    if message is not None:
        return message
    try:
        return message_file.read_text(encoding="utf-8").strip("\n")
    except FileNotFoundError:
        raise InputError(_("{path}: no such message file").format(path=message_file)) from None
    except UnicodeDecodeError:
        raise InputError(_("{path}: not UTF-8 text").format(path=message_file)) from None
    except OSError as exc:
        raise InputError(_("{path}: cannot read ({reason})").format(path=message_file, reason=os_reason(exc))) from None


def _messages(n: int) -> str:
    """`1 message`, `12 messages` (`1.234 mensagens` in pt-BR)."""
    return ngettext("{n} message", "{n} messages", n).format(n=format_number(n))


class _Reporter:
    """Progress for people: on a terminal (stderr) a rich bar, with the campaign id, per-session
    counts, messages per minute and a labelled ETA; notices as lines otherwise."""

    def __init__(self, campaign_id: int, total: int, done: int = 0, clock=None) -> None:
        import time

        self.campaign_id = campaign_id
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self.baseline: int | None = None  # messages handled before this run (the first progress says)
        self.per_session: dict[str, int] = {}
        self.bar = None
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            from nexus_blast.cli.output import console

            self.bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[line]}"), console=console(stderr=True), transient=False,
            )
            self.task = self.bar.add_task(_("campaign {id}").format(id=campaign_id), total=total, completed=done, line="")

    def __enter__(self):
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()

    def line(self, tally) -> str:
        """`sent 12 · skipped 1 · loja 7, filial 5 · 4.2/min · ETA 3m 05s`"""
        from nexus_blast.campaigns.estimate import human_duration

        handled = tally.sent + tally.failed + tally.skipped
        if self.baseline is None:
            self.baseline, self.started = handled, self.clock()
        elapsed = max(self.clock() - self.started, 1e-9)
        now_handled = handled - self.baseline
        rate = now_handled / elapsed * 60
        parts = [_("sent {n}").format(n=format_number(tally.sent))]  # failed/skipped only when some are: 80 columns
        if tally.failed:
            parts.append(_("failed {n}").format(n=format_number(tally.failed)))
        if tally.skipped:
            parts.append(_("skipped {n}").format(n=format_number(tally.skipped)))
        if self.per_session:
            parts.append(", ".join(f"{name} {format_number(n)}" for name, n in self.per_session.items()))
        parts.append(_("{rate}/min").format(rate=format_number(rate, 1)))
        if now_handled and tally.pending:
            parts.append(_("ETA {left}").format(left=human_duration(tally.pending / rate * 60)))
        elif not tally.pending:
            parts.append(_("ETA done"))
        else:
            parts.append(_("ETA …"))
        return " · ".join(parts)

    def progress(self, tally) -> None:
        if self.bar is not None:
            line = self.line(tally)
            self.bar.update(self.task, completed=tally.sent + tally.failed + tally.skipped, line=line)

    def sent_by(self, session: str) -> None:
        self.per_session[session] = self.per_session.get(session, 0) + 1

    def notice(self, text: str) -> None:
        if self.bar is not None:
            self.bar.console.print(text)
        else:
            info(text)


def run_foreground(campaign_id: int, window=None):
    """Run the campaign with Ctrl-C/SIGTERM turned into a clean pause (a second Ctrl-C abandons);
    outside the sending WINDOW it says so and waits for the opening."""
    import signal
    import threading

    from nexus_blast.campaigns.runner import run_campaign, resume_hint
    from nexus_blast.store import campaigns as store

    state = current()
    counts = store.counts(state.db(), campaign_id)
    stop = threading.Event()

    def on_signal(signum, frame) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        info(_("stopping after the message in flight; resume later with: {command}").format(command=resume_hint(campaign_id)))

    handlers = {}
    if threading.current_thread() is threading.main_thread():
        handlers = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    _say_if_window_closed(state.settings(), window)  # after the handlers: a Ctrl-C upon reading it pauses
    reporter = _Reporter(campaign_id, counts.sent + counts.failed + counts.skipped + counts.unfinished,
                         done=counts.sent + counts.failed + counts.skipped)
    try:
        with reporter:  # duck-typed campaigns.sender.Events
            return run_campaign(state.settings(), state.paths.db, campaign_id, stop_event=stop, events=reporter, window=window)
    except KeyboardInterrupt:  # the second Ctrl-C: the runner paused the campaign before this
        from nexus_blast.errors import Interrupted

        raise Interrupted(
            _("campaign {id} paused; a message in flight is checked with WAHA on resume").format(id=campaign_id),
            hint=_("resume with: {command}").format(command=resume_hint(campaign_id)),
        ) from None
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _say_if_window_closed(settings, window) -> None:
    from nexus_blast import clock

    from nexus_blast.campaigns.timing import describe_window, timezone

    if window is None:
        return
    local = clock.now().astimezone(timezone(settings))
    if not window.is_open(local):
        info(_("outside the sending window ({window}): waiting until {when}; Ctrl-C pauses it. To send later "
               "without a waiting process use --at (sent by run-due/worker); --ignore-window sends now").format(
            window=describe_window(settings), when=moment(window.next_open(local))))


def print_outcome(outcome, json: bool, extra: dict | None = None) -> None:
    doc = outcome.as_dict() | (extra or {})
    if json:
        print_json(doc)
    else:
        typer.echo(
            _("campaign {id} {status}: {sent} sent, {failed} failed, {skipped} skipped, {pending} pending").format(
                id=outcome.campaign_id, status=status_text(outcome.status), sent=outcome.sent,
                failed=outcome.failed, skipped=outcome.skipped, pending=outcome.pending)
        )
    if outcome.reason:
        # the reason is the stored status_reason (English, as in --json); only the frame is translated
        info(_("campaign {id} {status}: {reason}").format(
            id=outcome.campaign_id, status=status_text(outcome.status), reason=outcome.reason))
    if not json:
        if extra and extra.get("rejected"):
            n = extra["rejected"]
            info(ngettext("{n} row rejected before sending (see: blast validate FILE --rejects REJ.csv)",
                          "{n} rows rejected before sending (see: blast validate FILE --rejects REJ.csv)", n).format(n=n))


def status_text(status: str) -> str:
    """A campaign status for people (the --json keeps the status value itself)."""
    from nexus_blast.campaigns.report import status_name

    return status_name(status)
