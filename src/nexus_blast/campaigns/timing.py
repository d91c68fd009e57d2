"""When a campaign may send: `--at` read in the configured timezone, the sending window that
applies to a campaign (none with `--ignore-window`), and the next time it will send."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from nexus_blast.domain.when import parse_when
from nexus_blast import clock
from nexus_blast.domain.window import DAY_NAMES, Window
from nexus_blast.errors import InputError
from nexus_blast.store.campaigns import Campaign

FINAL = frozenset({"completed", "failed", "cancelled"})


def timezone(settings) -> ZoneInfo:
    return ZoneInfo(settings.general.timezone)


def configured_window(settings) -> Window:
    """sending.window and .days, each weekday's own window (sending.window_mon…), and with
    sending.skip_holidays the holidays (Brazil's, and general.state's) as closed dates."""
    s = settings.sending
    per_day = {day: getattr(s, f"window_{name}") for day, name in enumerate(DAY_NAMES)}
    closed = holidays_around(settings.general.state, clock.now().year) if s.skip_holidays else ()
    return Window.parse(s.window, s.days, per_day, closed)


def holidays_around(state: str, year: int) -> frozenset:
    """Brazil's national holidays (and STATE's, a UF) from last year to two years ahead."""
    import holidays  # ~70 ms: only when skip_holidays is on

    found = holidays.country_holidays("BR", subdiv=state or None, years=range(year - 1, year + 3))
    return frozenset(found.keys())


def window_for(settings, campaign: Campaign | None = None, *, ignore: bool = False) -> Window | None:
    """The configured window, or None when the campaign (or IGNORE) says to ignore it."""
    if ignore or (campaign is not None and campaign.options.get("ignore_window")):
        return None
    return configured_window(settings)


def describe_window(settings) -> str:
    return f"{settings.sending.window} {settings.sending.days} ({settings.general.timezone})"


def resolve_at(settings, text: str, now: datetime | None = None) -> datetime:
    """`--at TEXT` as an aware datetime in the configured timezone (exit 2 when unreadable or past)."""
    now = now or clock.now()
    try:
        return parse_when(text, now, timezone(settings)).astimezone(timezone(settings))
    except ValueError as exc:
        from nexus_blast.i18n import _

        raise InputError(_("{label}: {error}").format(label="--at", error=exc.args[0])) from None


def window_opens(window: Window | None, moment: datetime, tz: ZoneInfo) -> datetime:
    """MOMENT itself, or the next opening of WINDOW after it (aware, UTC)."""
    if window is None:
        return moment.astimezone(UTC)
    return window.next_open(moment.astimezone(tz)).astimezone(UTC)


def next_send_at(settings, campaign: Campaign, now: datetime) -> datetime | None:
    """When this campaign will next send, if anything will make it: a scheduled campaign at its
    time, a paused one set to resume at its time, a running one now; each pushed to its window's
    next opening. None for finished campaigns and for paused ones waiting for a person."""
    if campaign.status in FINAL or (campaign.status == "paused" and not campaign.resume_on_due):
        return None
    start = now
    if campaign.status != "running" and campaign.scheduled_at:
        start = max(now, datetime.fromisoformat(campaign.scheduled_at))
    return window_opens(window_for(settings, campaign), start, timezone(settings))
