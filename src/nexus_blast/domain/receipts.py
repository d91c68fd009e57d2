"""Delivery receipts: how a WhatsApp ack moves a sent message's delivery fields (pure).

Acks repeat and arrive out of order, so the state only ever moves forward:
PENDING 0 < SERVER 1 < ERROR -1 < DEVICE 2 < READ 3 < PLAYED 4. ERROR ranks above SERVER (it is
news about an undelivered message) but below DEVICE: once delivered, a late ERROR is stale; and an
ERROR followed by DEVICE means the message did arrive after all (the error is cleared).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

ERROR, PENDING, SERVER, DEVICE, READ, PLAYED = -1, 0, 1, 2, 3, 4
ACK_NAMES = {ERROR: "ERROR", PENDING: "PENDING", SERVER: "SERVER", DEVICE: "DEVICE", READ: "READ", PLAYED: "PLAYED"}
ACK_ERROR = "ack_error"  # messages.error written for an ERROR ack


def rank(ack: int | None) -> float:
    """Order of progress; None (no ack yet) is below everything."""
    if ack is None:
        return -1.0
    if ack == ERROR:
        return 1.5
    return float(ack)


def parse_ack(value: object) -> int | None:
    """A WAHA ack number (int, or its name as in `ackName`) → int in -1..4, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if ERROR <= value <= PLAYED else None
    if isinstance(value, str):
        upper = value.strip().upper()
        for number, name in ACK_NAMES.items():
            if name == upper:
                return number
        try:
            return parse_ack(int(upper))
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Receipt:
    """The delivery fields of one message row."""

    ack: int | None
    delivered_at: str | None
    read_at: str | None
    error: str = ""


def advance(current: Receipt, ack: int, at: str) -> Receipt:
    """CURRENT after an ACK seen at AT (ISO text); unchanged when the ack is stale or a repeat."""
    delivered = current.delivered_at is not None or rank(current.ack) >= DEVICE
    if ack == ERROR:
        if delivered or rank(current.ack) >= rank(ERROR):
            return current
        return replace(current, ack=ERROR, error=ACK_ERROR)
    new = current
    if rank(ack) > rank(current.ack):
        new = replace(new, ack=ack)
    if ack >= DEVICE:
        if new.delivered_at is None:
            new = replace(new, delivered_at=at)  # READ before DEVICE still means delivered
        if new.error == ACK_ERROR:
            new = replace(new, error="")
    if ack >= READ and new.read_at is None:
        new = replace(new, read_at=at)
    return new
