"""`blast send` before the first send: options checked, contacts validated, AI variants written
(with --ai-brief), every message rendered and stored with its session (or, for a dry run, only
counted and previewed)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nexus_blast.campaigns.estimate import SEND_SECONDS, LaneLoad, estimate_seconds
from nexus_blast.campaigns.media import Media, check_media
from nexus_blast.campaigns.planner import PlanOptions, PlanSummary, plan_messages
from nexus_blast.campaigns.texts import bind_labelled, bind_question, bind_variant, parse_variants, with_footer
from nexus_blast.contacts.validation import Checked, resolve_options, validate_rows
from nexus_blast import clock
from nexus_blast.campaigns.warmup import caps_ahead, configured_cap
from nexus_blast.domain.pacing import DelayRange, parse_batch, parse_delay, parse_rest
from nexus_blast.domain.messages import message_parts
from nexus_blast.domain.risks import LATE_HOUR, CampaignFacts, assess, has_high
from nexus_blast.domain.templates import TemplateError, parse_template
from nexus_blast.domain.window import Window
from nexus_blast.errors import ConfigError, DependencyError, InputError
from nexus_blast import i18n
from nexus_blast.i18n import N_, _, english, join, ngettext
from nexus_blast.store import campaigns as store
from nexus_blast.store import contacts as contacts_store
from nexus_blast.store.db import iso
from nexus_blast.store.replies import warm_sessions

AWAITING = "awaiting confirmation"
VARIANT_SEPARATOR = "\n---\n"  # between AI variants in the campaign's stored template
AI_HINT = N_("or draft the text with: blast copy BRIEF --placeholders COLUMNS -o msg.txt, edit it, then send with --message-file msg.txt")


@dataclass(frozen=True)
class AIBrief:
    """`send --ai-brief`: the AI writes VARIANTS messages from BRIEF, rotated across recipients."""

    brief: str
    variants: int = 3
    provider: str | None = None  # None: the default provider


@dataclass(frozen=True)
class SendRequest:
    """What `blast send` was asked to do: MESSAGE (a template), or AI to write the variants."""

    message: str = ""
    source: str | None = None  # CSV path or "-"
    list_name: str | None = None
    image: str | None = None
    sessions: list[str] | None = None
    delay: str | None = None
    name: str | None = None
    include_landlines: bool = False
    phone_column: str | None = None  # "A[,B…]": candidate columns in order
    sheet: str | None = None  # a workbook's sheet (name or 1-based number)
    preview: int = 5
    ignore_window: bool = False  # send at any hour and day (stored in the campaign's options)
    ai: AIBrief | None = None  # when set, MESSAGE is unused
    # Two or more measured variants: (label, template) each (label names the file or `--message N`);
    # when set, MESSAGE is unused.
    variants: tuple[tuple[str, str], ...] = ()
    variant_seed: int | None = None  # the seeded assignment of contacts to variants (None: random)
    ab_share: float | None = None  # --ab-test: the share of messages the test phase sends (0..1)
    ab_wait: float = 0.0  # --ab-wait: seconds to wait for replies before the rest goes out
    warm_first: bool = False  # --warm-first: contacts who wrote to their session are sent first
    file: str | None = None  # a document (--file), path or URL
    video: str | None = None  # an MP4 (--video)
    voice: str | None = None  # a voice note (--voice): its text is sent right before it
    embed: bool = False  # a media URL is fetched and sent as data, not as a URL WAHA fetches
    media_first: bool = False  # a voice note before its text
    link_preview: bool | None = None  # None: sending.link_preview
    batch: str | None = None  # sends between rests, MIN-MAX or "0" (default: sending.batch)
    rest: str | None = None  # seconds of a rest, MIN-MAX or "0" (default: sending.rest)
    footer: str | None = None  # appended to every message (default: sending.footer)

    def media(self) -> tuple[str, str] | None:
        """(kind, path or URL) of the one media asked for; InputError for two of them."""
        given = [(kind, spec) for kind, spec in (("image", self.image), ("file", self.file), ("video", self.video), ("voice", self.voice)) if spec is not None]
        if len(given) > 1:
            raise InputError(_("one media per campaign: give only one of {options}").format(options=", ".join(f"--{k}" for k, _s in given)))
        if self.media_first and not (given and given[0][0] == "voice"):
            raise InputError(_("--media-first goes with --voice (other media carry the text as their caption)"))
        if self.embed and not (given and given[0][1].startswith(("http://", "https://"))):
            raise InputError(_("--embed goes with a media URL (a local file is always sent as data)"))
        return given[0] if given else None
    confirm_first: str | None = None  # a question template sent first; the message only to who replies
    confirm_window: float = 24 * 3600.0  # seconds a contact has to reply to the question


@dataclass
class Prepared:
    campaign_id: int | None
    name: str
    sessions: list[str]
    delay: DelayRange
    image: Media | None  # the campaign's media, of any kind
    summary: PlanSummary
    estimate_seconds: float
    variants: list[str] = field(default_factory=list)  # the AI-written messages, when --ai-brief
    room_today: dict[str, int] = field(default_factory=dict)  # per session: daily cap minus sent today
    ab_test: dict = field(default_factory=dict)  # --ab-test: {"share", "wait_seconds", "test_messages", "held"}
    risks: list = field(default_factory=list)  # domain.risks.Risk, most severe first


def resolve_sessions(settings, wanted: list[str] | None) -> list[str]:
    """The sessions to use: WANTED (each must be configured), else every configured one."""
    if not settings.sessions:
        raise ConfigError(_("no WhatsApp session is configured"), hint=_("add one with: blast session add NAME --url URL"))
    if not wanted:
        return list(settings.sessions)
    unknown = [name for name in wanted if name not in settings.sessions]
    if unknown:
        raise ConfigError(
            _("unknown session(s): {names} (configured: {configured})").format(names=", ".join(unknown), configured=", ".join(settings.sessions)),
            hint=_("add one with: blast session add NAME --url URL"),
        )
    return list(dict.fromkeys(wanted))


def resolve_delay(text: str) -> DelayRange:
    try:
        return parse_delay(text)
    except ValueError as exc:
        raise InputError(_("{label}: {error}").format(label="--delay", error=exc.args[0])) from None


def prepare(
    settings,
    db,
    request: SendRequest,
    *,
    dry_run: bool,
    rng: random.Random | None = None,
    now: datetime | None = None,
    window: Window | None = None,
    start_at: datetime | None = None,
    extra_risks: tuple = (),
) -> Prepared:
    """Validate and render everything; store the campaign (status paused, awaiting confirmation)
    unless DRY_RUN. Any error leaves the database untouched (AI generations are still recorded in
    ai_generations, dry run included). WINDOW and START_AT (a scheduled start) only shape the
    duration estimate. EXTRA_RISKS: risks found elsewhere (the sessions' own signals), listed
    with the plan's."""
    rng = rng or random.Random()
    now = now or clock.now()
    sessions = resolve_sessions(settings, request.sessions)
    # `--delay ''` is a mistake to report, not "use the default".
    delay = resolve_delay(settings.sending.delay if request.delay is None else request.delay)
    rests = resolve_rests(settings, request)
    footer = settings.sending.footer if request.footer is None else request.footer
    templates = [with_footer(t, footer) for t in parse_variants(request.variants)] if request.variants else None
    template = with_footer(parse_template(request.message), footer) if request.ai is None and templates is None else None
    asked = request.media()
    image = check_media(asked[0], asked[1], max_image_mib=settings.sending.max_image_mib, embed=request.embed) if asked else None
    if image is not None and not dry_run:
        _refuse_core_servers(settings, sessions, image)
    options = resolve_options(
        settings.contacts, default_ddd=None, allow_foreign=False, include_landlines=request.include_landlines
    )
    variant_seed = request.variant_seed
    if variant_seed is None:  # drawn only when there can be several texts: one text's rendering is as before
        variant_seed = rng.randrange(2**31) if (request.variants or request.ai) else 0
    plan_options = PlanOptions(
        variant_seed=variant_seed,
        sessions=sessions,
        weights={s: settings.sessions[s].weight for s in sessions},
        include_landlines=options.include_landlines,
        preview=request.preview,
        typing_cps=settings.sending.typing_cps if settings.sending.typing else None,
    )
    optouts = contacts_store.optout_phones(db)
    summary = PlanSummary()
    columns, rows, closer, source_label, phone_column = _open_source(db, request, options, optouts)
    variants: list[str] = []
    try:
        if templates is not None:
            bound = [bind_labelled(t, label, columns) for (label, _), t in zip(request.variants, templates)]
            variants = [text for _, text in request.variants]
        elif request.ai is None:
            bound = [template.bind(columns)]
        else:  # after every local check, so a bad option costs no AI call
            variants = _write_variants(settings, db, request.ai, columns, phone_column)
            bound = [bind_variant(text, number, columns, footer) for number, text in enumerate(variants, 1)]
        if request.ab_share is not None and len(bound) < 2:
            raise InputError(_("--ab-test needs two or more variants (only one passed the checks)"))
        question = bind_question(request.confirm_first, columns) if request.confirm_first is not None else None
        messages = plan_messages(
            rows, bound, plan_options,
            last_senders=lambda phones: store.last_senders(db, phones), rng=rng, summary=summary,
            warm_sessions=lambda phones: warm_sessions(db, phones), question=question,
        )
        name = request.name or f"{source_label} {now.astimezone(settings_tz(settings)):%Y-%m-%d %H:%M}"
        campaign_id = None
        if dry_run:
            for _message in messages:  # not `_`: that is the translation function here
                pass
        else:
            campaign_id = store.create_campaign(
                db, name=name, template=VARIANT_SEPARATOR.join(variants) or request.message, sessions=sessions,
                delay=(delay.low, delay.high), messages=messages, image=image.as_dict() if image else None, source=source_label,
                options={
                    "typing": settings.sending.typing,
                    "ignore_window": request.ignore_window,
                    "include_landlines": options.include_landlines,
                    "rejected": summary.rejected_total,
                    "rejected_by_reason": dict(summary.rejected),
                    "link_preview": settings.sending.link_preview if request.link_preview is None else request.link_preview,
                    "batch": rests[0], "rest": rests[1], "footer": footer,
                }
                | ({"media_first": True} if request.media_first else {})
                | (_ai_options(settings, request.ai, variants) if variants and request.ai else {})
                | ({"variants": variants, "variant_seed": variant_seed} if len(variants) > 1 else {})
                | (_ab_options(request) if request.ab_share is not None else {})
                | (confirm_options(request) if request.confirm_first is not None else {}),
                status="paused", status_reason=AWAITING,
                before_commit=(lambda cid: _before_commit(db, cid, request, summary, len(variants)))
                if (request.warm_first or request.ab_share is not None) else None,
            )
    except TemplateError as exc:
        hint = exc.hint
        if footer and "over WhatsApp's limit" in english(exc.message):
            hint = join("; ", filter(None, (hint, _("the footer (--footer / sending.footer) adds {n} characters").format(n=i18n.number(len(footer) + 2)))))
        if (not variants or request.ai is None) and hint == exc.hint:
            raise
        raise TemplateError(exc.message, hint=join("; ", filter(None, (hint, _(AI_HINT) if variants and request.ai is not None else "")))) from None
    finally:
        closer()
    try:  # nothing may stay stored when a step after the campaign's creation fails
        if summary.pending == 0 and summary.skipped_total == 0:
            raise InputError(ngettext("{source}: no valid contact to send to ({n} rejected row)",
                                      "{source}: no valid contact to send to ({n} rejected rows)", summary.rejected_total).format(
                source=source_label, n=i18n.number(summary.rejected_total)))
        # A voice note goes with its text in a send of its own: two round trips per message.
        text = ("\n".join(variants) if variants else request.message) + (footer or "")
        sends = len(message_parts(image.kind if image is not None else None, text, request.media_first))
        loads, local = _loads(settings, db, summary, sessions, delay, start_at or now, rests, sends)
        estimate = estimate_seconds(loads, local, window)
        risks = campaign_risks(
            settings, request, summary, delay, rests, footer, window, bound, variants,
            warm=[n for n, load in zip(sessions, loads) if load.ramp], local=local, estimate=estimate, extra=extra_risks,
        )
        if not dry_run and settings.sending.refuse_high_risk and has_high(risks):
            high = join("; ", (_("{code}: {message}").format(code=r.code, message=r.message) for r in risks if r.level == "high"))
            raise InputError(_("sending.refuse_high_risk: {risks}").format(risks=high), hint=_("see README, \"Risk check\""))
    except BaseException:
        if campaign_id is not None:
            store.delete_campaign(db, campaign_id)
        raise
    room = {name: max(0, load.cap_on(0) - load.sent_today) for name, load in zip(sessions, loads)}
    ab = {}
    if request.ab_share is not None:
        from nexus_blast.campaigns.abtest import test_count

        tested = test_count(summary.pending, request.ab_share, len(variants))
        ab = {"share": request.ab_share, "wait_seconds": request.ab_wait, "test_messages": tested,
              "held": summary.pending - tested}
    return Prepared(campaign_id, name, sessions, delay, image, summary, estimate, variants, room, ab, risks)


def resolve_rests(settings, request: SendRequest) -> tuple[str, str]:
    """(batch, rest) as given (`--batch`, `--rest`) or configured; exit 2 naming the bad one."""
    batch = settings.sending.batch if request.batch is None else request.batch
    rest = settings.sending.rest if request.rest is None else request.rest
    for option, text, parse in (("--batch", batch, parse_batch), ("--rest", rest, parse_rest)):
        try:
            parse(text)
        except ValueError as exc:
            raise InputError(_("{label}: {error}").format(label=option, error=exc.args[0])) from None
    return batch, rest


def campaign_risks(settings, request, summary, delay, rests, footer, window, bound, variants, *, warm, local, estimate, extra=()):
    """The risk check's facts gathered from the plan, then assessed (domain/risks.py)."""
    from datetime import timedelta

    texts = tuple(variants) if variants else (request.message,)
    keywords = [k.casefold() for k in settings.webhook.optout_keywords]
    has_optout = bool(footer.strip()) or all(any(k in t.casefold() for k in keywords) for t in texts)
    identical = len(bound) == 1 and all(isinstance(node, str) for node in bound[0].template.nodes)
    end = window.latest_end() if window is not None else None
    late = window is None or end is None or end > LATE_HOUR
    finish = local + timedelta(seconds=estimate)
    facts = CampaignFacts(
        delay_low=delay.low, rests=parse_batch(rests[0]) is not None and parse_rest(rests[1]) is not None,
        contacts=summary.pending, without_chat=summary.pending - summary.sticky, identical=identical,
        texts=texts + ((footer,) if footer else ()), has_optout=has_optout,
        sunday=window is None or 6 in window.days, late=late,
        warmup=tuple(warm), days_needed=(finish.date() - local.date()).days + 1,
    )
    return assess(facts, extra)


def _write_variants(settings, db, ai: AIBrief, columns: list[str], phone_column: str | None) -> list[str]:
    """The AI's variants for AI.brief; the contacts' columns (not the phone) are its placeholders."""
    from nexus_blast.ai.copywriter import PLACEHOLDER_NAME_RE, generate_variants

    allowed = [c for c in columns if c != phone_column and PLACEHOLDER_NAME_RE.match(c)]
    return generate_variants(settings, db, ai.brief, provider=ai.provider, n=ai.variants, placeholders=allowed)


def _before_commit(db, campaign_id: int, request: SendRequest, summary: PlanSummary, variants: int) -> None:
    """In the campaign's own transaction: warm contacts first (--warm-first), then the messages
    after the A/B test phase held back (--ab-test) — a crash never leaves one half done."""
    from nexus_blast.store.replies import warm_first

    if request.warm_first:
        warm_first(db, campaign_id)
    if request.ab_share is not None:
        from nexus_blast.campaigns.abtest import test_count
        from nexus_blast.store.replies import hold_after

        hold_after(db, campaign_id, test_count(summary.pending, request.ab_share, variants))


def _ab_options(request: SendRequest) -> dict:
    from nexus_blast.campaigns.abtest import options_for

    return options_for(request.ab_share, request.ab_wait)


def confirm_options(request: SendRequest) -> dict:
    """The campaign's `confirm_first` option: the question template and the window in seconds."""
    return {"confirm_first": {"question": request.confirm_first, "window": request.confirm_window}}


def _ai_options(settings, ai: AIBrief, variants: list[str]) -> dict:
    from nexus_blast.ai.providers import default_name

    return {"ai": {"brief": ai.brief, "provider": ai.provider or default_name(settings), "variants": variants}}


def settings_tz(settings):
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.general.timezone)


def _open_source(db, request: SendRequest, options, optouts: set[str]):
    """(columns, checked rows, close function, label, phone column) for a CSV file or an imported list."""
    if (request.source is None) == (request.list_name is None):
        raise InputError(_("give a CSV FILE or --list NAME (one of them)"))
    if request.list_name is not None:
        if contacts_store.get_list(db, request.list_name) is None:
            from nexus_blast.errors import NotFound

            raise NotFound(_("unknown contact list {name!r}").format(name=request.list_name), hint=_("see: blast contacts lists"))
        first = next(iter(contacts_store.iter_list_contacts(db, request.list_name)), None)
        if first is None:
            raise InputError(_("contact list {name!r} is empty").format(name=request.list_name))
        columns = list(first[2])
        from nexus_blast.contacts.reader import detect_phone_column

        rows = _list_rows(db, request.list_name, optouts)
        return columns, rows, (lambda: None), f"list:{request.list_name}", detect_phone_column(columns)
    from nexus_blast.contacts.reader import read_rows

    source = read_rows(request.source, phone_column=request.phone_column, sheet=request.sheet)
    rows = validate_rows(source, options=options, optouts=optouts)
    label = "stdin" if request.source == "-" else Path(request.source).name
    return list(source.columns), rows, source.close, label, source.phone_column


def _list_rows(db, list_name: str, optouts: set[str]) -> Iterator[Checked]:
    for row, (e164, kind, fields) in enumerate(contacts_store.iter_list_contacts(db, list_name), start=1):
        reason = "opted_out" if e164 in optouts else None
        yield Checked(row, fields, e164, e164, kind, False, reason)


def _refuse_core_servers(settings, sessions: list[str], media: Media) -> None:
    """Media need WAHA Plus (or 2026.6+), and a voice note to convert a server from 2025.6.2:
    say so now, not 50,000 times."""
    from nexus_blast.campaigns.clients import server_versions
    from nexus_blast.waha.parsing import supports_convert

    versions = server_versions(settings, sessions)
    core = [name for name, version in versions.items() if str(version.get("tier") or "").upper() == "CORE"]
    if core:
        raise DependencyError(
            _("session(s) {names} run on WAHA Core, which cannot send images, documents, video or voice notes").format(names=", ".join(core)),
            hint=_("use a WAHA Plus (or 2026.6+) server, send without --{kind}, or pick other sessions with --session").format(kind=media.kind),
        )
    old = [name for name, version in versions.items() if media.convert and supports_convert(version) is False]
    if old:
        raise InputError(
            _("{spec}: {mimetype} must be converted to OGG/Opus for a voice note, and session(s) {names} run a WAHA older than 2025.6.2, which cannot").format(
                spec=media.path or media.url, mimetype=media.mimetype, names=", ".join(old)),
            hint=_("convert it first: ffmpeg -i IN -c:a libopus -b:a 32k -ar 48000 -ac 1 voice.opus"),
        )


def _loads(settings, db, summary: PlanSummary, sessions, delay: DelayRange, now: datetime, rests=("0", "0"),
           sends: int = 1) -> tuple[list[LaneLoad], datetime]:
    """Each session's share of the work, pace, warm-up ramp and room today; NOW in the configured
    timezone; SENDS: the requests one message makes."""
    tz = settings_tz(settings)
    local = now.astimezone(tz)
    # A number's look-up happens while its lane waits out the delay: the slower of the two paces it.
    pace = max(delay.mean, parse_delay(settings.sending.lookup_delay).mean)
    batch, rest = parse_batch(rests[0]), parse_rest(rests[1])
    if batch is not None and rest is not None:  # a rest every batch, spread over its messages
        pace += rest.mean / ((batch.low + batch.high) / 2)
    start = datetime.combine(local.date(), datetime.min.time(), tzinfo=tz)
    loads = []
    for name in sessions:
        count = summary.per_session[name]
        typing = summary.typing_seconds[name] / count if count else 0.0
        cap = configured_cap(settings, name)
        ramp = caps_ahead(settings, db, name, local.date())
        loads.append(
            LaneLoad(
                count=count, seconds_per_message=pace + SEND_SECONDS * sends + typing, cap_per_day=cap,
                sent_today=store.sent_since(db, name, iso(start)), ramp=ramp if ramp[0] < cap else (),
            )
        )
    return loads, local
