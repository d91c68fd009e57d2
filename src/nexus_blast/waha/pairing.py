"""Pairing a phone: WAHA's raw QR value drawn as Unicode half blocks, followed until WORKING."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

from nexus_blast.waha.client import WahaClient
from nexus_blast.waha.errors import WahaError, WahaSessionNotFound, WahaSessionNotWorking, where

QUIET_ZONE = 2  # modules of light border; scanners need some, terminals are narrow
FULL, UPPER, LOWER, EMPTY = "█", "▀", "▄", " "


class PairingTimeout(WahaError):
    """The phone was not linked in time (exit 3)."""


def qr_matrix(value: str) -> list[list[bool]]:
    """The QR modules (True = dark) for VALUE, quiet zone included."""
    import segno

    qr = segno.make_qr(value, error="L")
    return [[bool(m) for m in row] for row in qr.matrix_iter(scale=1, border=QUIET_ZONE)]


def render_qr(value: str, *, invert: bool = False) -> str:
    """VALUE as text, two module rows per line.

    Terminals are usually light text on a dark background, so *light* modules are drawn as blocks
    (INVERT for dark-on-light terminals); the quiet zone is light too, as scanners expect."""
    matrix = qr_matrix(value)
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    lines = []
    for top, bottom in zip(matrix[0::2], matrix[1::2]):
        line = []
        for up, down in zip(top, bottom):
            up_ink, down_ink = (up, down) if invert else (not up, not down)
            line.append(FULL if up_ink and down_ink else UPPER if up_ink else LOWER if down_ink else EMPTY)
        lines.append("".join(line))
    return "\n".join(lines)


@dataclass
class PairResult:
    status: str
    me: dict | None
    qr_shown: int
    code: str | None = None


async def pair(
    waha: WahaClient,
    session: str,
    *,
    timeout: float,
    interval: float = 1.0,
    phone: str | None = None,
    on_qr: Callable[[str, int], None] = lambda value, n: None,
    on_code: Callable[[str], None] = lambda code: None,
    on_status: Callable[[str], None] = lambda status: None,
    create: Callable[[], Awaitable[dict]] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> PairResult:
    """Follow SESSION until WORKING: start it if needed, hand each new QR (or the pairing code for
    PHONE) to the callbacks, restart it when WAHA gives up (FAILED); PairingTimeout after TIMEOUT.
    A session missing on the server is created by CREATE (default: started, no config)."""
    deadline = clock() + timeout
    last_qr, shown, code, last_status = None, 0, None, None
    while True:
        try:
            info = await waha.get_session(session)
        except WahaSessionNotFound:
            info = await (create() if create else waha.create_session(session, start=True))
        status = str(info.get("status") or "")
        if status != last_status:
            on_status(status)
            last_status = status
        if status == "WORKING":
            return PairResult(status, await waha.me(session), shown, code)
        if status in ("STOPPED", "FAILED"):
            await (waha.start_session(session) if status == "STOPPED" else waha.restart_session(session))
            last_qr = None
        elif status == "SCAN_QR_CODE":
            try:
                if phone and code is None:
                    code = await waha.request_code(session, phone)
                    on_code(code)
                elif not phone:
                    value = await waha.qr_raw(session)
                    if value != last_qr:
                        shown += 1
                        last_qr = value
                        on_qr(value, shown)
            except WahaSessionNotWorking:
                pass  # the status moved on between the two calls: look again
        if clock() >= deadline:
            raise PairingTimeout(
                f"{where(waha.base_url, session)}: not paired within {timeout:g}s (status {status})",
                server=waha.base_url, session=session, hint="run it again and scan the QR sooner",
            )
        await asyncio.sleep(min(interval, max(0.0, deadline - clock())))
