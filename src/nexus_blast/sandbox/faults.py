"""What can go wrong on a sandbox session, as on real servers (set through POST /_sandbox/faults)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Faults:
    """Per-session fault injection (POST /_sandbox/faults). Counts are of requests still to come."""

    fail_after: int | None = None  # accepted sends before every send answers 500
    fail_message: str = "Timed Out"
    not_working_after: int | None = None  # accepted sends before the session leaves WORKING
    not_working_status: str = "FAILED"
    delete_after: int | None = None  # accepted sends before the session is deleted on the server
    timelock_after: int | None = None  # accepted sends before new contacts get error 463
    capping_after: int | None = None  # accepted sends before me.messageCapping turns capping_status
    capping_status: str = "SECOND_WARNING"
    silent: bool = False  # sends are accepted (201) but never delivered: acks stop at SERVER
    rate_limit: int = 0  # next N requests answer 429
    retry_after: float = 1.0
    errors: int = 0  # next N requests answer 500
    hang_seconds: float = 0.0  # requests sleep this long before answering
    hang_count: int | None = None  # ... this many of them (None: all)
    hang_media: str = ""  # sends of this media kind (image|file|video|voice) hang until the fault is cleared (then 500, never accepted)
    reconnecting: bool = False  # the session stays STARTING, repeating it every 2 s (NOWEB reconnecting)
    webhook_late: int = 0  # the next N webhook events miss their first attempt: retried late, out of order
    webhook_late_seconds: float = 0.5
