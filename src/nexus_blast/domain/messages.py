"""The state machines of a campaign's messages and of the campaign itself (pure).

A message:  pending → sending → sent | failed | skipped
            sending → pending   (a retry, once WAHA confirmed the message did not go out)
            pending → skipped   (opted out, not on WhatsApp, cancelled)
            pending → failed    (could not even be attempted: e.g. its look-up kept failing)
            pending → sent      (an attempt once proven absent turned up in the chat before its
                                 resend: the server finished it late)
A voice note with a text is two sends in one `sending` (the text, then the note; the note first
with --media-first, see `message_parts`): the first one's id is committed (`lead_id`) before the
second is attempted, so an unknown outcome or a resume concerns only the send in flight
(`part_in_flight`), and neither is ever sent twice.
`sent`, `failed` and `skipped` are final. `store/campaigns.py` applies each transition with a
conditional UPDATE (`WHERE status = <from>`), so two processes can never both move one message.

A confirm-first campaign's row lives two phases (`messages.phase`): first `ask` (the question goes
through the machine above), then `offer`. Only a question that was sent leaves its phase, by one of
the ASK_TRANSITIONS (store/confirm.py applies them, conditional on (status, phase)):
            (sent, ask) → (pending, offer)   confirmed: the contact replied within the window
            (sent, ask) → (skipped, ask)     opted out, no reply when the window closed, cancelled
so (sent, ask) is the one `sent` that is not final; every other `sent` is.
"""

from __future__ import annotations

from enum import StrEnum


class IllegalTransition(RuntimeError):
    """A move the state machine forbids (a bug, never a user error)."""


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def final(self) -> bool:
        return self in _FINAL_MESSAGE


_FINAL_MESSAGE = frozenset({MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SKIPPED})

MESSAGE_TRANSITIONS: dict[MessageStatus, frozenset[MessageStatus]] = {
    MessageStatus.PENDING: frozenset(
        {MessageStatus.SENDING, MessageStatus.SKIPPED, MessageStatus.FAILED, MessageStatus.SENT}
    ),
    MessageStatus.SENDING: frozenset(
        {MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SKIPPED, MessageStatus.PENDING}
    ),
    MessageStatus.SENT: frozenset(),
    MessageStatus.FAILED: frozenset(),
    MessageStatus.SKIPPED: frozenset(),
}


def check_message_transition(old: str, new: str) -> tuple[MessageStatus, MessageStatus]:
    """Both statuses as enums; raises IllegalTransition for a move the machine forbids."""
    try:
        a, b = MessageStatus(old), MessageStatus(new)
    except ValueError:
        raise IllegalTransition(f"unknown message status in {old!r} -> {new!r}") from None
    if b not in MESSAGE_TRANSITIONS[a]:
        raise IllegalTransition(f"message cannot go from {a} to {b}")
    return a, b


class Phase(StrEnum):
    """Which of a confirm-first contact's two messages a row holds now."""

    ASK = "ask"
    OFFER = "offer"


ASK_TRANSITIONS: dict[tuple[MessageStatus, Phase], frozenset[tuple[MessageStatus, Phase]]] = {
    (MessageStatus.SENT, Phase.ASK): frozenset(
        {(MessageStatus.PENDING, Phase.OFFER), (MessageStatus.SKIPPED, Phase.ASK)}
    ),
}


def check_ask_transition(old: tuple[str, str], new: tuple[str, str]) -> None:
    """Raises IllegalTransition unless OLD → NEW ((status, phase) pairs) is an ASK_TRANSITIONS move."""
    try:
        a = (MessageStatus(old[0]), Phase(old[1]))
        b = (MessageStatus(new[0]), Phase(new[1]))
    except ValueError:
        raise IllegalTransition(f"unknown status or phase in {old!r} -> {new!r}") from None
    if b not in ASK_TRANSITIONS.get(a, frozenset()):
        raise IllegalTransition(f"message cannot go from {a[0]}/{a[1]} to {b[0]}/{b[1]}")


def is_final(status: str, phase: str = Phase.OFFER) -> bool:
    """Whether a row in STATUS and PHASE will never move again (a question sent still awaits its reply)."""
    return MessageStatus(status).final and not (status == MessageStatus.SENT and phase == Phase.ASK)


class SkipReason(StrEnum):
    """Why a message was never sent (stored in messages.error)."""

    OPTED_OUT = "opted_out"
    LANDLINE = "landline"
    NOT_ON_WHATSAPP = "not_on_whatsapp"
    CANCELLED = "cancelled"
    NO_CONFIRMATION = "no_confirmation"  # confirm-first: no reply to the question within the window


class CampaignStatus(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    NO_CONFIRMATION = "no_confirmation"  # confirm-first: no reply to the question within the window

    @property
    def final(self) -> bool:
        return self in (CampaignStatus.COMPLETED, CampaignStatus.FAILED, CampaignStatus.CANCELLED)


CAMPAIGN_TRANSITIONS: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.SCHEDULED: frozenset({CampaignStatus.RUNNING, CampaignStatus.PAUSED, CampaignStatus.CANCELLED}),
    # running -> running: a resume after a crash left the status behind.
    CampaignStatus.RUNNING: frozenset(
        {
            CampaignStatus.RUNNING,
            CampaignStatus.PAUSED,
            CampaignStatus.COMPLETED,
            CampaignStatus.FAILED,
            CampaignStatus.CANCELLED,
        }
    ),
    CampaignStatus.PAUSED: frozenset({CampaignStatus.RUNNING, CampaignStatus.PAUSED, CampaignStatus.CANCELLED}),
    CampaignStatus.COMPLETED: frozenset(),
    CampaignStatus.FAILED: frozenset(),
    CampaignStatus.CANCELLED: frozenset(),
}

RESUMABLE = frozenset({CampaignStatus.SCHEDULED, CampaignStatus.RUNNING, CampaignStatus.PAUSED})


def check_campaign_transition(old: str, new: str) -> tuple[CampaignStatus, CampaignStatus]:
    try:
        a, b = CampaignStatus(old), CampaignStatus(new)
    except ValueError:
        raise IllegalTransition(f"unknown campaign status in {old!r} -> {new!r}") from None
    if b not in CAMPAIGN_TRANSITIONS[a]:
        raise IllegalTransition(f"campaign cannot go from {a} to {b}")
    return a, b


def final_campaign_status(sent: int, failed: int) -> CampaignStatus:
    """The status of a campaign with nothing left pending: failed only when nothing went out."""
    return CampaignStatus.FAILED if failed and not sent else CampaignStatus.COMPLETED


class Part(StrEnum):
    """One send of a message: its text, or its media (carrying the text as caption, except a voice note)."""

    TEXT = "text"
    MEDIA = "media"


def message_parts(kind: str | None, text: str, media_first: bool = False) -> tuple[Part, ...]:
    """The sends one message makes, in order. A media KIND other than voice carries TEXT as its
    caption (one send); a voice note has no caption, so a non-blank TEXT goes in a send of its
    own right before it (after it with MEDIA_FIRST)."""
    if kind is None:
        return (Part.TEXT,)
    if kind != "voice" or not text.strip():
        return (Part.MEDIA,)
    return (Part.MEDIA, Part.TEXT) if media_first else (Part.TEXT, Part.MEDIA)


def part_in_flight(parts: tuple[Part, ...], lead_sent: bool) -> Part:
    """The send a `sending` message is attempting: the second once the first is recorded as sent."""
    return parts[1] if lead_sent and len(parts) > 1 else parts[0]
