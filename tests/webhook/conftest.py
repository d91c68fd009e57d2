"""Fixtures for the webhook receiver: a database, settings, and the receiver on a loopback port."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from nexus_blast.config import Settings
from nexus_blast.store.campaigns import NewMessage, create_campaign
from nexus_blast.store.db import open_database
from nexus_blast.webhook.app import create_app
from nexus_blast.serving import ThreadedServer

PHONES = ["+5511987654321", "+5521987651234", "+5531998765432"]


def chat_of(phone: str) -> str:
    return phone.lstrip("+") + "@c.us"


def sign(body: bytes, key: str) -> str:
    return hmac.new(key.encode(), body, hashlib.sha512).hexdigest()


def envelope(event: str, payload: dict, *, session: str = "s1", event_id: str | None = "auto", **extra) -> dict:
    doc = {"event": event, "session": session, "timestamp": int(datetime.now(UTC).timestamp() * 1000), "payload": payload}
    if event_id == "auto":
        envelope.counter += 1
        event_id = f"evt_test_{envelope.counter}"
    if event_id is not None:
        doc["id"] = event_id
    doc.update(extra)
    return doc


envelope.counter = 0


def ack_event(message_id: str, ack: int, **kw) -> dict:
    names = {-1: "ERROR", 0: "PENDING", 1: "SERVER", 2: "DEVICE", 3: "READ", 4: "PLAYED"}
    payload = {"id": message_id, "from": "5511900000000@c.us", "to": message_id.split("_")[1], "fromMe": True,
               "ack": ack, "ackName": names[ack]}
    return envelope("message.ack", payload, **kw)


def incoming_event(sender: str, body: str, **kw) -> dict:
    payload = {"id": f"false_{sender}_ABCDEF0123456789", "timestamp": 1, "from": sender, "fromMe": False,
               "to": "5511900000000@c.us", "body": body, "hasMedia": False}
    return envelope("message", payload, **kw)


def make_settings(**sections) -> Settings:
    sections.setdefault("sessions", {"s1": {"url": "http://127.0.0.1:9", "waha_session": "s1"}})
    return Settings(**sections)


@dataclass
class Receiver:
    """The receiver under test: `.post(doc)` sends real HTTP; `.db` is a second connection to read."""

    url: str
    db: object
    settings: Settings
    replies: list = field(default_factory=list)

    def post(self, doc=None, *, raw: bytes | None = None, key: str | None = None, headers: dict | None = None,
             params: dict | None = None) -> httpx.Response:
        body = raw if raw is not None else json.dumps(doc).encode()
        sent = {"Content-Type": "application/json", **(headers or {})}
        if key is not None:
            sent["X-Webhook-Hmac"] = sign(body, key)
            sent["X-Webhook-Hmac-Algorithm"] = "sha512"
        return httpx.post(f"{self.url}/webhook", content=body, headers=sent, params=params, timeout=10)

    def message(self, phone: str, campaign_id: int | None = None) -> dict:
        sql = "SELECT * FROM messages WHERE phone = ?" + (" AND campaign_id = ?" if campaign_id else "")
        args = (phone, campaign_id) if campaign_id else (phone,)
        row = self.db.conn.execute(sql + " ORDER BY id LIMIT 1", args).fetchone()
        return {k: row[k] for k in row.keys()}

    def snapshot(self) -> dict:
        """Every row of the tables the receiver may change (to assert 'nothing changed')."""
        tables = ("messages", "optouts", "session_health", "webhook_events", "webhook_session_status")
        return {t: [tuple(r) for r in self.db.conn.execute(f"SELECT * FROM {t} ORDER BY 1")] for t in tables}


def add_campaign(db, phones=PHONES, *, sent: int = 1, session: str = "s1", name: str = "c", bare_id: str = "") -> int:
    """A campaign whose first SENT messages went out from SESSION (with WAHA ids ending in BARE_ID
    when given, as two servers may answer the same id), the rest still pending."""
    messages = [NewMessage(seq=i, row=i, phone=p, text=f"oi {i}") for i, p in enumerate(phones, start=1)]
    campaign_id = create_campaign(db, name=name, template="oi", sessions=[session], delay=(0, 0), messages=messages)
    sent_at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="milliseconds")
    for phone in phones[:sent]:
        db.conn.execute(
            "UPDATE messages SET status = 'sent', session = ?, chat_id = ?, message_id = ?, sent_at = ?, ack = 0 "
            "WHERE campaign_id = ? AND phone = ?",
            (session, chat_of(phone), wid(phone, campaign_id, bare_id), sent_at, campaign_id, phone),
        )
    return campaign_id


def wid(phone: str, campaign_id: int = 1, bare_id: str = "") -> str:
    """The serialized WAHA id the tests give the message to PHONE."""
    return f"true_{chat_of(phone)}_{bare_id or f'3EB0{campaign_id:04d}{phone[-8:]}'}"


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "blast.db"


@pytest.fixture
def start_receiver(db_path):
    """Factory: `start_receiver(settings, send_reply="record")` → a running Receiver (stopped at the
    end). Opt-out replies are recorded in `.replies`, sent through WAHA with `send_reply="waha"`, or
    handed to an async callable. LIMITS (serving.Limits) guard the server as `webhook serve` does."""
    servers = []

    def start(settings: Settings | None = None, send_reply="record", *, limits=None, body_timeout: float | None = None) -> Receiver:
        settings = settings or make_settings()
        app_db = open_database(db_path)
        receiver = Receiver("", open_database(db_path), settings)
        if send_reply == "record":
            async def send_reply(reply):
                receiver.replies.append(reply)
        elif send_reply == "waha":
            send_reply = None  # the app's own: sendText through the session's WAHA server
        options = {} if body_timeout is None else {"body_timeout": body_timeout}
        server = ThreadedServer(create_app(app_db, settings, send_reply=send_reply, **options), limits=limits).start()
        servers.append((server, app_db, receiver.db))
        receiver.url = server.url
        return receiver

    yield start
    for server, app_db, read_db in servers:
        server.stop()
        app_db.conn.close()
        read_db.conn.close()


@pytest.fixture
def receiver(start_receiver) -> Receiver:
    return start_receiver()


def send_through(sandbox_url: str, db, campaign_id: int, phones, *, session: str = "s1") -> list[str]:
    """Really send the campaign's messages to PHONES on the sandbox; store them as `sent` with the
    ids WAHA answered (what the campaign sender does). Returns those ids."""
    import asyncio

    from nexus_blast.waha.client import WahaClient

    async def send_all():
        async with WahaClient(sandbox_url) as client:
            return [await client.send_text(session, chat_of(p), "oi") for p in phones]

    sent_at = (datetime.now(UTC) - timedelta(seconds=5)).isoformat(timespec="milliseconds")
    ids = [m.serialized_id for m in asyncio.run(send_all())]
    for phone, message_id in zip(phones, ids):
        db.conn.execute(
            "UPDATE messages SET status = 'sent', session = ?, chat_id = ?, message_id = ?, sent_at = ? "
            "WHERE campaign_id = ? AND phone = ?",
            (session, chat_of(phone), message_id, sent_at, campaign_id, phone),
        )
    return ids
