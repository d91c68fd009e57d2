"""Confirm-first campaigns, pure: the length of `--confirm-window`, and what becomes of a question
that went out (confirmed, declined, expired, or still waiting), given its reply and `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_WINDOW = timedelta(hours=24)
MAX_WINDOW = timedelta(days=30)


def parse_window(text: str) -> timedelta:
    """The `--confirm-window` (`24h`, `90m`, `1h30m`, `2d`): more than 0, at most MAX_WINDOW;
    ValueError saying the forms otherwise."""
    from nexus_blast.domain.replies import parse_duration

    seconds = parse_duration(text, minimum=1, maximum=MAX_WINDOW.total_seconds())
    return timedelta(seconds=seconds)


class Verdict(StrEnum):
    CONFIRM = "confirm"  # replied within the window: the offer goes out
    DECLINE = "decline"  # opted out (an opt-out word is no confirmation, whenever it came)
    EXPIRE = "expire"  # the window closed without a reply: skipped, no_confirmation
    WAIT = "wait"


@dataclass(frozen=True)
class Asked:
    """A question that went out at ASKED_AT; the contact's reply to it (None: none yet)."""

    asked_at: datetime
    replied_at: datetime | None
    opted_out: bool


def verdict(asked: Asked, window: timedelta, now: datetime) -> Verdict:
    """What to do with ASKED at NOW. A reply counts when it came before the window closed, even if
    this is decided later (the campaign was paused meanwhile); an opt-out always wins."""
    if asked.opted_out:
        return Verdict.DECLINE
    closes = asked.asked_at + window
    if asked.replied_at is not None and asked.replied_at <= closes:
        return Verdict.CONFIRM
    if now >= closes:
        return Verdict.EXPIRE
    return Verdict.WAIT


def closes_at(asked_at: datetime, window: timedelta) -> datetime:
    return asked_at + window
