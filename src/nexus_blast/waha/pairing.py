"""Pairing a phone: WAHA's raw QR value drawn as Unicode half blocks, followed until WORKING."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

from nexus_blast.waha.client import WahaClient
from nexus_blast.i18n import _
from nexus_blast.waha.errors import WahaError, WahaSessionNotFound, WahaSessionNotWorking, seconds, where

QUIET_ZONE = 2  # modules of light border; scanners need some, terminals are narrow
FULL, UPPER, LOWER, EMPTY = "█", "▀", "▄", " "
BLACK_ON_WHITE, RESET = "\x1b[38;5;16;48;5;231m", "\x1b[0m"


class PairingTimeout(WahaError):
    """The phone was not linked in time (exit 3)."""


def qr_matrix(value: str) -> list[list[bool]]:
    """The QR modules (True = dark) for VALUE, quiet zone included."""
    import segno

    qr = segno.make_qr(value, error="L")
    return [[bool(m) for m in row] for row in qr.matrix_iter(scale=1, border=QUIET_ZONE)]


def render_qr(value: str, *, invert: bool = False, colors: bool = False) -> str:
    """VALUE as text, two module rows per line.

    COLORS (a terminal): dark modules drawn in explicit black on white (256-colour codes 16/231,
    which terminal themes leave alone). Without colours (piped, or INVERT on a terminal whose
    colours were not applied) the terminal's own colours are used: usually light text on dark,
    so *light* modules are drawn as blocks. INVERT draws the other modules. The quiet zone is
    light, as scanners expect."""
    matrix = qr_matrix(value)
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    ink_dark = colors != invert
    lines = []
    for top, bottom in zip(matrix[0::2], matrix[1::2]):
        line = []
        for up, down in zip(top, bottom):
            up_ink, down_ink = (up, down) if ink_dark else (not up, not down)
            line.append(FULL if up_ink and down_ink else UPPER if up_ink else LOWER if down_ink else EMPTY)
        text = "".join(line)
        lines.append(f"{BLACK_ON_WHITE}{text}{RESET}" if colors and not invert else text)
    return "\n".join(lines)


def qr_size(value: str) -> tuple[int, int]:
    """(columns, lines) the drawn QR takes."""
    modules = len(qr_matrix(value))
    return modules, (modules + 1) // 2


def save_png(value: str, path) -> None:
    """The QR as a PNG (scale 8, a 4-module quiet zone), replaced atomically (a viewer reloads it)."""
    import os

    import segno

    tmp = f"{path}.tmp"
    segno.make_qr(value, error="L").save(tmp, kind="png", scale=8, border=4)
    os.replace(tmp, path)


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
    prepare: Callable[[dict], Awaitable[dict]] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> PairResult:
    """Follow SESSION until WORKING: start it if needed, hand each new QR (or the pairing code for
    PHONE) to the callbacks, restart it when WAHA gives up (FAILED); PairingTimeout after TIMEOUT.
    A session missing on the server is created by CREATE (default: started, no config); one that
    exists is handed once to PREPARE (e.g. to write the config blast needs) before it is started.
    The pairing code is asked only in SCAN_QR_CODE: NOWEB never answers it while STARTING."""
    deadline = clock() + timeout
    last_qr, shown, code, last_status, scan_seen = None, 0, None, None, False
    while True:
        try:
            info = await waha.get_session(session)
            if prepare is not None:
                info = await prepare(info)
        except WahaSessionNotFound:
            info = await (create() if create else waha.create_session(session, start=True))
        prepare = None
        status = str(info.get("status") or "")
        scan_seen = scan_seen or status == "SCAN_QR_CODE"
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
            raise _timed_out(waha.base_url, session, timeout, status, scan_seen=scan_seen, by_code=bool(phone), code=code)
        await asyncio.sleep(min(interval, max(0.0, deadline - clock())))


def _timed_out(server: str, session: str, timeout: float, status: str, *, scan_seen: bool, by_code: bool,
               code: str | None) -> PairingTimeout:
    """What happened, said as it was: no QR ever (the server cannot reach WhatsApp), no code, or no scan."""
    label = where(server, session)
    kw = {"server": server, "session": session}
    if not scan_seen:
        never = _("the session never reached SCAN_QR_CODE (still {status}): is the WAHA server online?").format(status=status)
        said = _("no pairing code could be asked: {reason}").format(reason=never) if by_code else never
        return PairingTimeout(_("{where}: {message}").format(where=label, message=said), **kw,
                              hint=_("check that the WAHA server can reach WhatsApp (its log, its internet access), then pair again"))
    if by_code and code is None:
        return PairingTimeout(_("{where}: no pairing code could be asked within {seconds}s (status {status})").format(
                                  where=label, seconds=seconds(timeout), status=status),
                              **kw, hint=_("run it again, or pair with the QR (without --code)"))
    hint = _("run it again and enter the pairing code sooner") if by_code else _("run it again and scan the QR sooner")
    return PairingTimeout(_("{where}: not paired within {seconds}s (status {status})").format(
                              where=label, seconds=seconds(timeout), status=status), **kw, hint=hint)
