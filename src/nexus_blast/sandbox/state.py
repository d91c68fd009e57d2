"""The sandbox's world: its options, sessions and their lifecycle, sends, faults, WhatsApp numbers.

Pure bookkeeping (no HTTP): the routes of sandbox/app.py read and change it; time is read from an
injectable clock so the lifecycle (STARTING → SCAN_QR_CODE → WORKING, QR rotation) is testable.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from nexus_blast.i18n import _
from nexus_blast.sandbox.faults import Faults

NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,54}$")
CHAT_RE = re.compile(r"^(\d{6,20})@c\.us$")
ENGINES = ("WEBJS", "NOWEB", "GOWS")
TIERS = ("PLUS", "CORE")
RUNNING = ("STARTING", "SCAN_QR_CODE", "WORKING")
STATUSES = ("STOPPED", "STARTING", "SCAN_QR_CODE", "WORKING", "FAILED")
# whatsapp-web.js message types of what the sandbox sends (a voice note is `ptt`, a file `document`).
WEBJS_TYPES = {"text": "chat", "image": "image", "file": "document", "video": "video", "voice": "ptt"}
CAPPING_STATUSES = ("NONE", "FIRST_WARNING", "SECOND_WARNING", "CAPPED")
ACK_NAMES = {-1: "ERROR", 0: "PENDING", 1: "SERVER", 2: "DEVICE", 3: "READ", 4: "PLAYED"}


@dataclass
class SandboxConfig:
    """Everything the sandbox can be told at start; faults can also change at run time."""

    api_key: str = ""
    sessions: tuple[str, ...] = ()  # pre-created, paired and WORKING
    engine: str = "WEBJS"
    tier: str = "PLUS"
    version: str = "2026.7.1"
    fail_rate: float = 0.0
    latency_ms: float = 0.0
    start_seconds: float = 0.05  # STARTING lasts this long
    pair_after: float | None = None  # auto-pair a SCAN_QR_CODE session after this many seconds
    qr_first_seconds: float = 60.0
    qr_rotate_seconds: float = 20.0
    qr_max: int = 6  # then FAILED, as WAHA
    # WAHA's own waits (5 s for a STOPPED or missing session, 10 s while STARTING, 3-4 s to stop a
    # running one) multiplied by this: 1.0 is the real server's pace, tests use 0.02.
    wait_scale: float = 1.0
    offline: bool = False  # no route to WhatsApp: sessions stay STARTING and say so every 2 s (× wait_scale)
    platform: str = "linux/x64"
    ack_delay: float = 0.05  # between SERVER, DEVICE and READ
    webhook_timeout: float = 5.0
    seed: int | None = None

    def __post_init__(self) -> None:
        self.engine = self.engine.upper()
        self.tier = self.tier.upper()
        if self.engine not in ENGINES:
            raise ValueError(_("engine must be one of {choices}").format(choices=", ".join(ENGINES)))
        if self.tier not in TIERS:
            raise ValueError(_("tier must be one of {choices}").format(choices=", ".join(TIERS)))
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError(_("fail rate must be between 0 and 1"))
        if self.wait_scale < 0:
            raise ValueError(_("wait scale must be 0 or more"))
        for name in self.sessions:
            if not NAME_RE.match(name):
                raise ValueError(_("invalid session name {name}").format(name=repr(name)))


@dataclass
class Session:
    name: str
    status: str = "STOPPED"
    config: dict | None = field(default_factory=dict)  # None: never configured (Core's boot `default`)
    config_shown: bool = True  # False after a Core `PUT {}`: the answers have no `config` key at all
    me: dict | None = None
    statuses: list[dict] = field(default_factory=list)  # the `statuses` of session.status payloads
    announced: float = 0.0  # when STARTING was last repeated (reconnecting)
    status_since: float = 0.0
    qr_since: float = 0.0
    codes: list[str] = field(default_factory=list)  # pairing codes handed out (tests wait on them)
    sends: int = 0
    chats: set[str] = field(default_factory=set)
    timelock_until: float | None = None
    timelock_shown: bool = False  # once timelocked, `me` keeps a reachoutTimelock (isActive false after)
    capping: dict | None = None  # me.messageCapping as WAHA shows it (None: not reported)
    faults: Faults = field(default_factory=Faults)

    @property
    def paired(self) -> bool:
        return self.me is not None


@dataclass
class Message:
    serialized_id: str
    short_id: str
    session: str
    chat_id: str
    text: str
    timestamp: int
    kind: str = "text"
    mimetype: str = ""
    filename: str = ""
    sha256: str = ""
    url: str = ""
    size: int = 0
    convert: bool = False
    link_preview: bool | None = None  # sendText's `linkPreview`, as asked (None: not given)
    ack: int = 0
    delivers: bool = True  # False: accepted but never delivered (number not on WhatsApp, wrong form)
    received_at: float = field(default_factory=time.time)  # when the send was accepted (tests time gaps)

    def record(self) -> dict:
        return {
            "session": self.session, "chatId": self.chat_id, "kind": self.kind, "text": self.text,
            "mimetype": self.mimetype, "filename": self.filename, "sha256": self.sha256, "url": self.url,
            "size": self.size, "convert": self.convert, "linkPreview": self.link_preview, "id": self.serialized_id, "timestamp": self.timestamp, "ack": self.ack,
            "received_at": self.received_at,
        }


@dataclass
class ReplyRule:
    """A scripted reply: sends to PHONE (digits) or whose text contains CONTAINS (a variant's
    words) get TEXT back after DELAY seconds; SHARE (0..1) of the matches do, the first of every
    1/SHARE; SENDER overrides the chat the reply comes from (an @lid or 8-digit spelling)."""

    text: str
    phone: str = ""
    contains: str = ""
    share: float = 1.0
    delay: float = 0.5
    sender: str = ""
    matched: int = 0

    @classmethod
    def parse(cls, raw: object, index: int) -> ReplyRule:
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
            raise ValueError(f"rules[{index}]: an object with a text is needed")
        phone = str(raw.get("phone") or "").lstrip("+")
        if phone and not phone.isdigit():
            raise ValueError(f"rules[{index}].phone must be digits")
        try:
            share, delay = float(raw.get("share", 1.0)), float(raw.get("delay", 0.5))
        except (TypeError, ValueError):
            raise ValueError(f"rules[{index}]: share and delay must be numbers") from None
        if not 0 <= share <= 1 or not 0 <= delay <= 3600:
            raise ValueError(f"rules[{index}]: share must lie in 0..1 and delay in 0..3600")
        return cls(raw["text"], phone, str(raw.get("contains") or ""), share, delay, str(raw.get("from") or ""))

    def matches(self, digits: str, text: str) -> bool:
        return (not self.phone or self.phone == digits) and (not self.contains or self.contains in text)

    def describe(self) -> dict:
        return {"text": self.text, "phone": self.phone, "contains": self.contains, "share": self.share,
                "delay": self.delay, "from": self.sender, "matched": self.matched}


StatusListener = Callable[[Session], None]


class World:
    """The sandbox's state. Not thread-safe: only touched from the server's event loop."""

    def __init__(self, config: SandboxConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.clock = clock
        self.rng = random.Random(config.seed)
        self.sessions: dict[str, Session] = {}
        self.messages: list[Message] = []
        self.numbers: dict[str, dict] = {}  # digits → {"exists", "chat_id"}
        self.on_status: list[StatusListener] = []
        self.qr_served: list[tuple[str, str]] = []  # (session, raw QR value) in the order served
        self.incoming: list[tuple[str, str, dict]] = []  # (session, chat id, message payload) contacts wrote
        self.reply_rules: list[ReplyRule] = []  # scripted replies (POST /_sandbox/replies)
        self.replies_scheduled: list[dict] = []  # what the rules decided, for GET /_sandbox/replies
        for name in config.sessions:
            session = Session(name, status="WORKING", status_since=clock())
            session.me = self.fake_me(name)
            self.sessions[name] = session
        if config.tier == "CORE" and "default" not in self.sessions:  # Core has `default` from boot
            self.sessions["default"] = Session("default", config=None, status_since=clock())

    def wait(self, seconds: float) -> float:
        """One of WAHA's waits, at the configured pace."""
        return seconds * self.config.wait_scale

    def config_of(self, session: Session) -> dict:
        return session.config if isinstance(session.config, dict) else {}

    def reconnecting(self, session: Session) -> bool:
        return self.config.offline or session.faults.reconnecting

    # --- lifecycle ----------------------------------------------------------------------------

    def set_status(self, session: Session, status: str) -> None:
        if session.status == status:
            return
        session.status = status
        session.status_since = session.announced = self.clock()
        if status == "SCAN_QR_CODE":
            session.qr_since = session.status_since
        self._announce(session)

    def _announce(self, session: Session) -> None:
        # WAHA's session.status payload carries the recent history; 20 is our bound, not WAHA's.
        session.statuses = [*session.statuses, {"status": session.status, "timestamp": int(time.time() * 1000)}][-20:]
        for listener in self.on_status:
            listener(session)

    def tick(self) -> None:
        """Apply every time-based transition that is due."""
        now = self.clock()
        for session in list(self.sessions.values()):
            elapsed = now - session.status_since
            if session.status == "STARTING" and self.reconnecting(session):
                if now - session.announced >= self.wait(2.0):  # NOWEB retries every ~2 s and says so
                    session.announced = now
                    self._announce(session)
            elif session.status == "STARTING" and elapsed >= self.config.start_seconds:
                self.set_status(session, "WORKING" if session.paired else "SCAN_QR_CODE")
            elif session.status == "SCAN_QR_CODE":
                if self.config.pair_after is not None and elapsed >= self.config.pair_after:
                    self.pair(session)
                elif self.qr_index(session) >= self.config.qr_max:
                    self.set_status(session, "FAILED")
            if session.timelock_until is not None and now >= session.timelock_until:
                session.timelock_until = None

    def start(self, session: Session) -> None:
        if session.status not in RUNNING:
            self.set_status(session, "STARTING")
            self.tick()

    def stop(self, session: Session) -> None:
        self.set_status(session, "STOPPED")

    def logout(self, session: Session) -> None:
        was_running = session.status in RUNNING
        session.me = None
        session.chats.clear()
        self.set_status(session, "STOPPED")
        if was_running:
            self.start(session)

    def pair(self, session: Session) -> None:
        """What scanning the QR does: the phone is linked and the session WORKING."""
        session.me = session.me or self.fake_me(session.name)
        if session.status not in ("STOPPED",):
            self.set_status(session, "WORKING")

    def qr_index(self, session: Session) -> int:
        elapsed = self.clock() - session.qr_since
        if elapsed < self.config.qr_first_seconds:
            return 0
        return 1 + int((elapsed - self.config.qr_first_seconds) // max(self.config.qr_rotate_seconds, 1e-3))

    def qr_value(self, session: Session) -> str:
        """A WhatsApp-like `2@ref,key,key,secret` that changes at every rotation."""
        seed = f"{session.name}:{session.qr_since}:{self.qr_index(session)}".encode()
        parts = [hashlib.sha256(seed + bytes([i])).hexdigest() for i in range(4)]
        value = f"2@{parts[0][:48]},{parts[1][:44]}=,{parts[2][:44]}=,{parts[3][:44]}="
        if not self.qr_served or self.qr_served[-1] != (session.name, value):
            self.qr_served.append((session.name, value))
        return value

    def fake_me(self, name: str) -> dict:
        digits = "55119" + "".join(str(self.rng.randrange(10)) for _ in range(8))
        return {"id": f"{digits}@c.us", "pushName": f"Sandbox {name}"}

    def me_of(self, session: Session) -> dict | None:
        if session.me is None:
            return None
        me = dict(session.me)
        # WAHA 2026.7+: unix seconds (see its release notes); isActive false once it lifted.
        if session.timelock_until is not None:
            ends = time.time() + (session.timelock_until - self.clock())
            me["reachoutTimelock"] = {"isActive": True, "timeEnforcementEnds": int(ends)}
        elif session.timelock_shown:
            me["reachoutTimelock"] = {"isActive": False}
        if session.capping is not None:
            me["messageCapping"] = dict(session.capping)
        return me

    def set_timelock(self, session: Session, seconds: float | None) -> None:
        """A reach-out timelock for SECONDS from now (None or 0: lifted)."""
        session.timelock_until = self.clock() + float(seconds) if seconds else None
        session.timelock_shown = True

    def set_capping(self, session: Session, status: str, *, total: int = 250, used: int | None = None,
                    cycle_seconds: float = 86400.0) -> None:
        """me.messageCapping as WAHA reports it: STATUS, a quota and a cycle ending CYCLE_SECONDS on."""
        status = str(status).upper()
        if status not in CAPPING_STATUSES:
            raise ValueError(f"cappingStatus must be one of {', '.join(CAPPING_STATUSES)}")
        now = int(time.time())
        session.capping = {
            "cappingStatus": status, "totalQuota": int(total), "usedQuota": int(used if used is not None else total),
            "cycleStart": now - 86400, "cycleEnd": now + int(cycle_seconds), "mvStatus": "NOT_ELIGIBLE", "oteStatus": None,
        }

    def info(self, session: Session, *, listed: bool = False) -> dict:
        """The session as WAHA 2026 shows it (`listed`: an item of GET /api/sessions, no `engine`)."""
        stopped = session.status == "STOPPED"
        found: dict[str, Any] = {"name": session.name, "status": session.status}
        if session.config_shown:
            found["config"] = session.config
        found |= {
            "me": self.me_of(session) if session.status == "WORKING" else None,
            "presence": None, "timestamps": {"activity": None} if stopped else {},
        }
        if not listed:
            # Core shows `{}` for a stopped session's engine, the multi-session build `{"engine": null}`.
            found["engine"] = ({} if self.config.tier == "CORE" else {"engine": None}) if stopped else {"engine": self.config.engine}
        return found

    def with_defaults(self, config: dict) -> dict:
        """CONFIG as the server stores it: NOWEB fills `markOnline` and `store.fullSync` in."""
        if self.config.engine != "NOWEB" or not isinstance(config.get("noweb"), dict):
            return config
        noweb = {"markOnline": True, **config["noweb"]}
        if isinstance(noweb.get("store"), dict):
            noweb["store"] = {**noweb["store"], "fullSync": noweb["store"].get("fullSync", False)}
        return {**config, "noweb": noweb}

    # --- WhatsApp numbers -----------------------------------------------------------------------

    def lookup(self, digits: str) -> tuple[bool, str | None]:
        known = self.numbers.get(digits)
        if known is None:
            return True, f"{digits}@c.us"
        if not known.get("exists", True):
            return False, None
        return True, known.get("chat_id") or f"{digits}@c.us"

    def delivers_to(self, chat_id: str) -> bool:
        """Whether a send to CHAT_ID reaches a phone (else: 201, ack SERVER, nothing more)."""
        for known in self.numbers.values():
            if known.get("chat_id") == chat_id:
                return bool(known.get("exists", True))
        known = self.numbers.get(chat_id.split("@", 1)[0])
        if known is not None:
            return bool(known.get("exists", True)) and not known.get("chat_id")
        return True

    # --- sends ----------------------------------------------------------------------------------

    def accept(self, session: Session, chat_id: str, text: str, short_id: str | None = None, **media) -> Message:
        short = short_id or "3EB0" + "".join(self.rng.choice("0123456789ABCDEF") for _ in range(16))
        message = Message(
            serialized_id=f"true_{chat_id}_{short}", short_id=short, session=session.name, chat_id=chat_id,
            text=text, timestamp=int(time.time()), delivers=self.delivers_to(chat_id) and not session.faults.silent, **media,
        )
        self.messages.append(message)
        session.sends += 1
        session.chats.add(chat_id)
        return message

    def after_send(self, session: Session) -> None:
        faults = session.faults
        for attr in ("fail_after", "not_working_after", "timelock_after", "capping_after", "delete_after"):
            value = getattr(faults, attr)
            if value is not None and value > 0:
                setattr(faults, attr, value - 1)
        if faults.not_working_after == 0:
            faults.not_working_after = None
            self.set_status(session, faults.not_working_status)
        if faults.timelock_after == 0:
            faults.timelock_after = None
            self.set_timelock(session, 3600)
        if faults.capping_after == 0:
            faults.capping_after = None
            self.set_capping(session, faults.capping_status)
        if faults.delete_after == 0:  # someone ran DELETE /api/sessions/NAME mid-campaign
            self.delete(session.name)

    def delete(self, name: str) -> Session | None:
        """DELETE /api/sessions/NAME: the session is gone (a STOPPED status is announced first)."""
        session = self.sessions.get(name)
        if session is not None:
            self.set_status(session, "STOPPED")
            self.sessions.pop(name, None)
        return session

    def send_fault(self, session: Session, chat_id: str) -> str | None:
        """The engine error a send must fail with now, if any (checked before accepting)."""
        faults = session.faults
        if faults.fail_after == 0:
            return faults.fail_message
        if session.timelock_until is not None and chat_id not in session.chats:
            return "Reach out timelock: server returned error 463"
        if self.config.fail_rate and self.rng.random() < self.config.fail_rate:
            return "Timed Out"
        return None

    def response_shape(self, message: Message) -> dict:
        """The send answer of the configured engine (see CONTRACT.md, "Sending")."""
        engine = self.config.engine
        if engine == "NOWEB":
            jid = message.chat_id.replace("@c.us", "@s.whatsapp.net")
            return {
                "key": {"remoteJid": jid, "fromMe": True, "id": message.short_id},
                "message": {"extendedTextMessage": {"text": message.text}},
                "messageTimestamp": str(message.timestamp), "status": "PENDING",
            }
        if engine == "GOWS":
            return {"id": message.serialized_id, "_data": {"Info": {"ID": message.short_id, "Chat": message.chat_id}}}
        return {
            "id": {"fromMe": True, "remote": message.chat_id, "id": message.short_id, "_serialized": message.serialized_id},
            "ack": 0, "hasMedia": message.kind != "text", "body": message.text, "type": WEBJS_TYPES.get(message.kind, message.kind),
            "timestamp": message.timestamp, "from": (self.sessions[message.session].me or {}).get("id"), "to": message.chat_id,
            "fromMe": True,
        }

    def chat_message(self, session: str, chat_id: str, ident: str) -> dict | None:
        """One message of the chat by serialized or short id, in chat_history's item shape."""
        for item in self.chat_history(session, chat_id, from_me=None, since=None, limit=len(self.messages)):
            if item["id"] == ident or item["id"].endswith("_" + ident):
                return item
        return None

    def chat_history(self, session: str, chat_id: str, *, from_me: bool | None, since: int | None, limit: int) -> list[dict]:
        me = (self.sessions[session].me or {}).get("id")
        found = [
            m for m in reversed(self.messages)
            if m.session == session and m.chat_id == chat_id and (since is None or m.timestamp >= since)
        ]
        ours = [
            {
                "id": m.serialized_id, "timestamp": m.timestamp, "from": me, "fromMe": True, "to": m.chat_id,
                "body": m.text, "hasMedia": m.kind != "text", "ack": m.ack, "ackName": ACK_NAMES.get(m.ack, "PENDING"),
            }
            for m in found
        ] if from_me is not False else []
        theirs = [
            payload for name, chat, payload in reversed(self.incoming)
            if name == session and chat == chat_id and (since is None or payload["timestamp"] >= since)
        ] if from_me is not True else []
        merged = sorted(ours + theirs, key=lambda item: item["timestamp"], reverse=True)  # newest first, as WAHA
        return merged[:limit]

    # --- scripted replies -----------------------------------------------------------------------

    def set_reply_rules(self, body: dict[str, Any]) -> list[dict]:
        """Replace the reply rules with BODY["rules"]; ValueError naming a bad one."""
        rules = body.get("rules")
        if not isinstance(rules, list):
            raise ValueError("rules must be a list")
        self.reply_rules = [ReplyRule.parse(rule, i) for i, rule in enumerate(rules)]
        return [r.describe() for r in self.reply_rules]

    def reply_for(self, message: Message) -> tuple[ReplyRule, str] | None:
        """The first rule matching the send MESSAGE and the chat the reply comes from, when that rule
        picks this message (a share picks exactly that fraction of its matches, in order)."""
        digits = message.chat_id.split("@", 1)[0]
        for rule in self.reply_rules:
            if not rule.matches(digits, message.text):
                continue
            rule.matched += 1
            if int(rule.matched * rule.share + 1e-9) > int((rule.matched - 1) * rule.share + 1e-9):
                return rule, rule.sender or message.chat_id
            return None
        return None

    # --- faults -----------------------------------------------------------------------------------

    def set_faults(self, body: dict[str, Any]) -> dict:
        if "fail_rate" in body:
            self.config.fail_rate = float(body["fail_rate"])
        if "latency_ms" in body:
            self.config.latency_ms = float(body["latency_ms"])
        name = body.get("session")
        if name:
            session = self.sessions.get(name)
            if session is None:
                raise KeyError(name)
            if body.get("clear"):
                session.faults = Faults()
            for key in Faults.__dataclass_fields__:
                if key in body:
                    setattr(session.faults, key, body[key])
            if body.get("timelock"):
                self.set_timelock(session, float(body.get("timelock_seconds", 3600)))
        return self.describe_faults()

    def clear_faults(self) -> None:
        self.config.fail_rate = 0.0
        self.config.latency_ms = 0.0
        for session in self.sessions.values():
            session.faults = Faults()
            session.timelock_until = None
            session.capping = None

    def describe_faults(self) -> dict:
        return {
            "fail_rate": self.config.fail_rate, "latency_ms": self.config.latency_ms,
            "sessions": {n: vars(s.faults) | {"timelocked": s.timelock_until is not None} for n, s in self.sessions.items()},
        }
