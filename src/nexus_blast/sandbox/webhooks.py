"""The sandbox's webhook emitter: WAHA's envelope, headers and HMAC; first attempts in order, retries
scheduled apart (so, as with WAHA, a retried event can arrive after newer ones)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field

from nexus_blast.sandbox.state import ACK_NAMES, Message, Session, World


@dataclass
class _Delivery:
    url: str
    event: str
    session: str
    body: bytes
    hmac_key: str
    headers: dict
    attempts: int
    delay: float
    policy: str
    late: float = 0.0  # > 0: the first attempt is lost and the event goes out this much later
    record: dict = field(default_factory=dict)


CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def ulid(now_ms: int | None = None) -> str:
    """A 26-character ULID (48-bit ms time, 80 random bits) in WAHA's lower case."""
    value = ((now_ms if now_ms is not None else int(time.time() * 1000)) << 80) | secrets.randbits(80)
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def request_id() -> str:
    """X-Webhook-Request-Id: WAHA's own short id (11 base-36 characters), not the event id."""
    value = (int(time.time() * 1000) << 12) | secrets.randbits(12)
    digits = ""
    while value:
        value, rest = divmod(value, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + digits
    return digits[-11:].rjust(11, "0")


def sign(body: bytes, key: str) -> str:
    """X-Webhook-Hmac: hex HMAC-SHA512 of the raw body bytes."""
    return hmac.new(key.encode(), body, hashlib.sha512).hexdigest()


def _wants(hook: dict, event: str) -> bool:
    events = hook.get("events") or []
    return event in events or "*" in events


class Emitter:
    """Queues events for the URLs in each session's `config.webhooks`; one worker keeps their order."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.deliveries: list[dict] = []  # what was posted, for GET /_sandbox/webhooks
        self._queue: asyncio.Queue[_Delivery] | None = None
        self._task: asyncio.Task | None = None
        self._client = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._later: set[asyncio.Task] = set()  # retries and late first attempts, apart from the queue
        world.on_status.append(self._status_changed)

    async def start(self) -> None:
        import httpx

        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        self._client = httpx.AsyncClient(timeout=self.world.config.webhook_timeout)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        for task in [self._task, *self._later]:
            if task is None:
                continue
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        if self._client is not None:
            await self._client.aclose()

    # --- events ---------------------------------------------------------------------------------

    def emit(self, session: Session, event: str, payload: dict) -> None:
        settings = self.world.config_of(session)
        hooks = [h for h in settings.get("webhooks") or [] if isinstance(h, dict) and h.get("url") and _wants(h, event)]
        if not hooks or self._queue is None:
            return
        config = self.world.config
        now_ms = int(time.time() * 1000)
        envelope: dict = {"id": "evt_" + ulid(now_ms), "timestamp": now_ms, "event": event, "session": session.name}
        if settings.get("metadata"):  # WAHA sends no `metadata` key unless the session has some
            envelope["metadata"] = settings["metadata"]
        envelope |= {
            "me": self.world.me_of(session), "payload": payload, "engine": config.engine,
            "environment": {"version": config.version, "engine": config.engine, "tier": config.tier, "browser": None,
                            "platform": config.platform, "worker": {"id": None}},
        }
        body = json.dumps(envelope, separators=(",", ":")).encode()
        for hook in hooks:
            headers = {
                "Accept": "application/json, text/plain, */*",
                "Content-Type": "application/json",
                "User-Agent": f"WAHA/{config.version}",
                "X-Webhook-Request-Id": request_id(),  # kept across this delivery's retries
                "X-Webhook-Timestamp": str(envelope["timestamp"]),
            }
            for custom in hook.get("customHeaders") or []:
                if isinstance(custom, dict) and custom.get("name"):
                    headers[str(custom["name"])] = str(custom.get("value", ""))
            key = (hook.get("hmac") or {}).get("key") or ""
            if key:
                headers["X-Webhook-Hmac"] = sign(body, key)
                headers["X-Webhook-Hmac-Algorithm"] = "sha512"
            retries = hook.get("retries") or {}
            faults = session.faults
            late = 0.0
            if faults.webhook_late > 0:
                faults.webhook_late -= 1
                late = faults.webhook_late_seconds
            self._queue.put_nowait(
                _Delivery(
                    url=hook["url"], event=event, session=session.name, body=body, hmac_key=key, headers=headers,
                    attempts=max(1, int(retries.get("attempts", 2)) + 1), delay=float(retries.get("delaySeconds", 0.5)),
                    policy=str(retries.get("policy", "constant")), late=late,
                )
            )

    def _status_changed(self, session: Session) -> None:
        self.emit(session, "session.status", {"name": session.name, "status": session.status, "statuses": list(session.statuses)})

    def schedule_acks(self, message: Message) -> None:
        """SERVER, then DEVICE, then READ (only SERVER when the number never gets it)."""
        if self._loop is None:
            return
        levels = (1, 2, 3) if message.delivers else (1,)
        for step, level in enumerate(levels, start=1):
            self._loop.call_later(self.world.config.ack_delay * step, self._ack, message, level)

    def _ack(self, message: Message, level: int) -> None:
        message.ack = max(message.ack, level)
        session = self.world.sessions.get(message.session)
        if session is None:
            return
        self.emit(session, "message.ack", {
            "id": message.serialized_id, "from": (session.me or {}).get("id"), "to": message.chat_id,
            "participant": None, "fromMe": True, "ack": level, "ackName": ACK_NAMES[level],
        })

    def incoming(self, session: Session, sender: str, body: str, chat_id: str | None = None) -> dict:
        """A message from a contact (control API, scripted replies), emitted as a `message` event and
        kept in the chat CHAT_ID (default: SENDER's) for the chats/messages endpoint."""
        payload = {
            "id": f"false_{sender}_3EB0{secrets.token_hex(8).upper()}", "timestamp": int(time.time()),
            "from": sender, "fromMe": False, "to": (session.me or {}).get("id"), "body": body, "hasMedia": False,
        }
        self.world.incoming.append((session.name, chat_id or sender, payload))
        session.chats.add(chat_id or sender)  # the contact wrote first: the session has a chat with them
        self.emit(session, "message", payload)
        return payload

    def schedule_reply(self, message: Message) -> None:
        """The scripted reply (World.reply_for) to the send MESSAGE, after its rule's delay."""
        found = self.world.reply_for(message)
        if found is None or self._loop is None:
            return
        rule, sender = found
        record = {"session": message.session, "to": message.chat_id, "from": sender, "text": rule.text,
                  "delay": rule.delay, "sent_text": message.text, "delivered": False}
        self.world.replies_scheduled.append(record)

        def deliver() -> None:
            session = self.world.sessions.get(message.session)
            if session is not None:
                self.incoming(session, sender, rule.text, chat_id=message.chat_id)
                record["delivered"] = True

        self._loop.call_later(rule.delay, deliver)

    # --- delivery -------------------------------------------------------------------------------

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            delivery = await self._queue.get()
            delivery.record = {"url": delivery.url, "event": delivery.event, "session": delivery.session,
                               "request_id": delivery.headers["X-Webhook-Request-Id"], "status_code": None,
                               "attempts": 0, "error": ""}
            self.deliveries.append(delivery.record)
            if delivery.late:  # its first attempt was lost: it goes out later, after newer events
                delivery.record.update(attempts=1, error="lost (sandbox fault webhook_late)")
                self._retry_later(delivery, 2, delivery.late)
            elif not await self._attempt(delivery, 1):
                self._schedule_retry(delivery, 1)

    async def _attempt(self, d: _Delivery, attempt: int) -> bool:
        d.record["attempts"] = attempt
        try:
            response = await self._client.post(d.url, content=d.body, headers=d.headers)
            d.record["status_code"] = response.status_code
            d.record["error"] = ""
            return response.status_code < 400
        except Exception as exc:  # any failure of the receiver is retried, then recorded
            d.record["error"] = type(exc).__name__
            return False

    def _schedule_retry(self, d: _Delivery, attempt: int) -> None:
        if attempt < d.attempts:
            factor = {"linear": attempt, "exponential": 2 ** (attempt - 1)}.get(d.policy, 1)
            self._retry_later(d, attempt + 1, d.delay * factor)

    def _retry_later(self, d: _Delivery, attempt: int, delay: float) -> None:
        async def later() -> None:
            await asyncio.sleep(delay)
            if not await self._attempt(d, attempt):
                self._schedule_retry(d, attempt)

        task = asyncio.create_task(later())
        self._later.add(task)
        task.add_done_callback(self._later.discard)
