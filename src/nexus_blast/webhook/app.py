"""The webhook receiver: a Starlette app answering WAHA's `POST /webhook` (and `GET /health`).

400 for a body that is not a usable event (or an id-less one outside `webhook.max_age`), 401 for a
missing or wrong signature (webhook/security.py says which sessions an event speaks for), 408 for a
body that does not arrive in time, 413 for an oversized body, 503 when the database stays locked
(WAHA retries), 200 otherwise — including events that are ignored (unknown message id, unused
event type, stale status) or repeated (same event id).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from nexus_blast.i18n import _, english, ngettext
from nexus_blast.store import delivery as store
from nexus_blast.store.db import iso
from nexus_blast.webhook.apply import Outcome, Reply, apply_event
from nexus_blast.webhook.events import BadEvent, decode_json, parse_envelope, session_of
from nexus_blast.webhook.security import Refused, authenticate

log = logging.getLogger("nexus_blast.webhook")
MAX_BODY = 1024 * 1024
BODY_TIMEOUT = 30.0  # seconds for a whole body: WAHA's events are a few KiB

SendReply = Callable[[Reply], Awaitable[None]]


class Receiver:
    """The state one app shares across requests: settings, one connection guarded by a lock."""

    def __init__(self, db, settings, send_reply: SendReply | None = None, clock: Callable[[], datetime] | None = None,
                 body_timeout: float = BODY_TIMEOUT):
        self.db = db
        self.body_timeout = body_timeout
        self.settings = settings
        self.send_reply = send_reply or partial(send_reply_via_waha, settings)
        self.clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self.ignored: Counter[str] = Counter()  # why events were ignored, since start (logged with each)
        self._retained_at: float | None = None  # monotonic time of the last reply-retention pass

    def _locked(self, fn, *args):
        with self._lock:
            return fn(*args)

    async def run_db(self, fn, *args):
        """Run FN(*args) on the shared connection, off the event loop, one at a time."""
        return await run_in_threadpool(self._locked, fn, *args)

    async def webhook(self, request: Request) -> JSONResponse:
        try:
            raw = await read_body(request, MAX_BODY, self.body_timeout)
        except BodyTooLarge:
            return _error(413, "body too large", close=True)
        except TimeoutError:
            log.warning(_("webhook body from %s not received within %gs: dropped"), _peer(request), self.body_timeout)
            return _error(408, "body not received in time", close=True)
        except ClientDisconnect:
            log.warning(_("webhook upload from %s aborted by the client: nothing applied"), _peer(request))
            return _error(400, "upload aborted", close=True)
        now = self.clock()
        try:
            doc = decode_json(raw)
            waha_session = session_of(doc)
            origin = authenticate(self.settings, waha_session, raw, request.headers.get("x-webhook-hmac"),
                                  request.query_params.get("session"))
        except BadEvent as exc:
            return _error(400, exc.message)
        except Refused as exc:
            log.warning(_("rejected event for session %s: %s"), waha_session, exc.message)
            return _error(401, exc.message)
        try:
            envelope = parse_envelope(doc, request_id=request.headers.get("x-webhook-request-id"), now=now,
                                      max_age=self.settings.webhook.max_age)
        except BadEvent as exc:
            log.warning(_("rejected event for session %s: %s"), waha_session, exc.message)
            return _error(400, exc.message)
        try:
            outcome: Outcome = await self.run_db(apply_event, self.db, self.settings, envelope, origin, iso(now))
        except sqlite3.OperationalError as exc:
            log.warning(_("event %s not applied (database busy: %s); WAHA will retry"), envelope.event_id, exc)
            return JSONResponse({"error": "database busy"}, status_code=503, headers={"Retry-After": "1"})
        status = outcome.status
        if status == "ignored":
            reason = outcome.detail.get("reason", "")
            self.ignored[reason] += 1
            status = _("ignored: {reason} ({count} so far)").format(reason=reason, count=self.ignored[reason])
        if origin.signed:
            log.info("%s %s %s %s", envelope.event, envelope.session, envelope.event_id or "-", status)
        else:
            log.warning(_("%s %s %s %s (UNSIGNED)"), envelope.event, envelope.session, envelope.event_id or "-", status)
        await self._retain(now)
        task = BackgroundTask(self._reply, outcome.reply) if outcome.reply else None
        return JSONResponse(outcome.document(), background=task)

    async def _retain(self, now: datetime) -> None:
        """Delete reply texts past `campaigns.reply_retention_days`, at most once an hour."""
        import time

        from nexus_blast.campaigns.replies import RETENTION_EVERY, apply_retention

        if self._retained_at is not None and time.monotonic() - self._retained_at < RETENTION_EVERY:
            return
        self._retained_at = time.monotonic()
        try:
            purged = await self.run_db(apply_retention, self.db, self.settings, now)
        except sqlite3.OperationalError as exc:
            log.warning(_("reply retention not applied (database busy: %s); next event retries"), exc)
            self._retained_at = None
            return
        if purged:
            log.info(ngettext("deleted %d reply text past campaigns.reply_retention_days", "deleted %d reply texts past campaigns.reply_retention_days", purged), purged)

    async def _reply(self, reply: Reply) -> None:
        """Send the opt-out confirmation; on failure free the claim so a later message retries."""
        try:
            await self.send_reply(reply)
        except Exception as exc:  # a failed courtesy reply must never take the receiver down
            log.warning(_("opt-out reply to %s via %s failed: %s"), reply.phone, reply.session, exc)
            await self.run_db(_release, self.db, reply.phone)
        else:
            log.info(_("opt-out reply sent to %s via %s"), reply.phone, reply.session)

    async def health(self, request: Request) -> JSONResponse:
        await self.run_db(lambda: self.db.conn.execute("SELECT 1").fetchone())
        return JSONResponse({"status": "ok"})


def _release(db, phone: str) -> None:
    with store.transaction(db):
        store.release_reply(db, phone)


async def send_reply_via_waha(settings, reply: Reply) -> None:
    """sendText through the WAHA server of the reply's local session."""
    from nexus_blast.campaigns.clients import make_client

    cfg = settings.session(reply.session)
    async with make_client(settings, cfg.url, cfg.resolved_api_key()) as client:
        await client.send_text(cfg.waha_session or reply.session, reply.chat_id, reply.text)


def create_app(db, settings, *, send_reply: SendReply | None = None, clock=None, body_timeout: float = BODY_TIMEOUT) -> Starlette:
    """The ASGI app for DB (a migrated sqlite_utils Database) and SETTINGS (read once, at start)."""
    receiver = Receiver(db, settings, send_reply, clock, body_timeout)
    app = Starlette(
        routes=[
            Route("/webhook", receiver.webhook, methods=["POST"]),
            Route("/health", receiver.health, methods=["GET"]),
        ]
    )
    app.state.receiver = receiver
    return app


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The request body, read as it arrives: BodyTooLarge as soon as it passes LIMIT bytes (a
    50 MB chunked upload is never held in memory), TimeoutError when it takes over TIMEOUT seconds,
    ClientDisconnect when the client gives up mid-way."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async with asyncio.timeout(timeout):
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise BodyTooLarge
    return bytes(body)


def _peer(request: Request) -> str:
    return f"{request.client.host}:{request.client.port}" if request.client else "?"


def _error(status: int, message: str, *, close: bool = False) -> JSONResponse:
    # close: the rest of the body was not read, so this connection cannot carry another request.
    # The answer is for WAHA (and its logs): English in every language, as --json is.
    return JSONResponse({"error": english(message)}, status_code=status, headers={"Connection": "close"} if close else None)
