"""The sandbox's webhook emitter: WAHA's envelope, headers and HMAC, delivered in order with retries."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

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
        world.on_status.append(self._status_changed)

    async def start(self) -> None:
        import httpx

        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        self._client = httpx.AsyncClient(timeout=self.world.config.webhook_timeout)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        if self._client is not None:
            await self._client.aclose()

    # --- events ---------------------------------------------------------------------------------

    def emit(self, session: Session, event: str, payload: dict) -> None:
        hooks = [h for h in session.config.get("webhooks") or [] if isinstance(h, dict) and h.get("url") and _wants(h, event)]
        if not hooks or self._queue is None:
            return
        config = self.world.config
        envelope = {
            "id": "evt_" + secrets.token_hex(13),
            "timestamp": int(time.time() * 1000),
            "event": event,
            "session": session.name,
            "metadata": session.config.get("metadata") or {},
            "me": self.world.me_of(session),
            "engine": config.engine,
            "environment": {"version": config.version, "engine": config.engine, "tier": config.tier, "browser": None},
            "payload": payload,
        }
        body = json.dumps(envelope).encode()
        for hook in hooks:
            headers = {
                "Content-Type": "application/json",
                "X-Webhook-Request-Id": envelope["id"],
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
            self._queue.put_nowait(
                _Delivery(
                    url=hook["url"], event=event, session=session.name, body=body, hmac_key=key, headers=headers,
                    attempts=max(1, int(retries.get("attempts", 2)) + 1), delay=float(retries.get("delaySeconds", 0.5)),
                    policy=str(retries.get("policy", "constant")),
                )
            )

    def _status_changed(self, session: Session) -> None:
        self.emit(session, "session.status", {"status": session.status})

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

    def incoming(self, session: Session, sender: str, body: str) -> dict:
        """A message from a contact (control API), emitted as a `message` event."""
        payload = {
            "id": f"false_{sender}_3EB0{secrets.token_hex(8).upper()}", "timestamp": int(time.time()),
            "from": sender, "fromMe": False, "to": (session.me or {}).get("id"), "body": body, "hasMedia": False,
        }
        self.emit(session, "message", payload)
        return payload

    # --- delivery -------------------------------------------------------------------------------

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            delivery = await self._queue.get()
            await self._deliver(delivery)

    async def _deliver(self, d: _Delivery) -> None:
        record = {"url": d.url, "event": d.event, "session": d.session, "status_code": None, "attempts": 0, "error": ""}
        self.deliveries.append(record)
        for attempt in range(1, d.attempts + 1):
            record["attempts"] = attempt
            try:
                response = await self._client.post(d.url, content=d.body, headers=d.headers)
                record["status_code"] = response.status_code
                record["error"] = ""
                if response.status_code < 400:
                    return
            except Exception as exc:  # any failure of the receiver is retried, then recorded
                record["error"] = type(exc).__name__
            if attempt < d.attempts:
                factor = {"linear": attempt, "exponential": 2 ** (attempt - 1)}.get(d.policy, 1)
                await asyncio.sleep(d.delay * factor)
