"""The sandbox's pairing and message routes (QR, pairing code, sends, typing, look-ups, chat history)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nexus_blast.sandbox.replies import nest, not_started
from nexus_blast.sandbox.state import CHAT_RE, Session

GROUP_RE = re.compile(r"^[\d-]{6,40}@g\.us$")
PLUS_ONLY = "The feature is available only in Plus version. Check this out: https://waha.devlike.pro/"


async def qr(sb, request: Request) -> Response:
    session = await sb.running(request.path_params["s"], expected="SCAN_QR_CODE")
    value = sb.world.qr_value(session)
    if request.query_params.get("format", "image") == "raw":
        return JSONResponse({"value": value})
    import segno

    buffer = io.BytesIO()
    segno.make(value, error="l").save(buffer, kind="png", scale=4)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"mimetype": "image/png", "data": base64.b64encode(buffer.getvalue()).decode()})
    return Response(buffer.getvalue(), media_type="image/png")


async def request_code(sb, request: Request) -> Response:
    name = sb.allowed(request.path_params["s"])
    session = sb.world.sessions.get(name)
    if session is None or session.status == "STOPPED":
        raise not_started(name)
    if sb.config.engine == "NOWEB" and session.status == "STARTING":
        # NOWEB 2026.2.1 never answers this while STARTING (the client times out): hang until shutdown.
        while not sb.closing:
            await sb.pause(1.0)
    session = await sb.running(name, expected="SCAN_QR_CODE")
    body = await sb.body(request)
    phone = str(body.get("phoneNumber") or "")
    if not phone.isdigit():
        raise nest(400, ["phoneNumber must be digits"], "Bad Request")
    digest = hashlib.sha256(f"{session.name}:{phone}:{session.qr_since}".encode()).hexdigest().upper()
    code = "".join(c for c in digest if c.isalpha() or c.isdigit())[:8]
    session.codes.append(f"{code[:4]}-{code[4:]}")
    return JSONResponse({"code": session.codes[-1]}, status_code=201)


async def _send_target(sb, request: Request, fields: tuple[str, ...]) -> tuple[Session, dict, str]:
    body = await sb.body(request)
    session = await sb.running(str(body.get("session") or "default"))
    missing = [f for f in fields if body.get(f) in (None, "")]
    if missing:
        raise nest(400, [f"{f} should not be empty" for f in missing], "Bad Request")
    chat_id = body["chatId"]
    if not isinstance(chat_id, str) or not (CHAT_RE.match(chat_id) or GROUP_RE.match(chat_id)):
        raise sb.engine_error("invalid wid", request)
    return session, body, chat_id


async def send_text(sb, request: Request) -> Response:
    session, body, chat_id = await _send_target(sb, request, ("chatId", "text"))
    if not isinstance(body["text"], str):
        raise sb.engine_error("text must be a string", request)
    preview = body.get("linkPreview")
    return _accept(sb, request, session, chat_id, body["text"], short_id=_own_id(sb, body),
                   link_preview=preview if isinstance(preview, bool) else None)


async def send_file(sb, request: Request) -> Response:
    session, body, chat_id = await _send_target(sb, request, ("chatId", "file"))
    if sb.config.tier == "CORE":  # after the session checks, as WAHA 2026.2.1 Core answered
        raise nest(422, PLUS_ONLY, "Unprocessable Entity")
    file = body["file"]
    if not isinstance(file, dict) or not file.get("mimetype") or not (file.get("data") or file.get("url")):
        raise nest(400, ["file must have mimetype and data or url"], "Bad Request")
    digest, url, size = "", str(file.get("url") or ""), 0
    if file.get("data"):
        try:
            data = base64.b64decode(str(file["data"]), validate=True)
        except (binascii.Error, ValueError):
            raise sb.engine_error("Invalid base64 data in file.data", request) from None
        digest, size = hashlib.sha256(data).hexdigest(), len(data)
    kind = MEDIA_KINDS[request.url.path.rsplit("/", 1)[-1]]
    if session.faults.hang_media == kind:  # a send stuck in the engine: it never goes out
        while session.faults.hang_media == kind and not sb.closing:
            await asyncio.sleep(0.02)
        raise sb.engine_error("Timed Out", request)
    caption = "" if kind == "voice" else str(body.get("caption") or "")  # WhatsApp: no caption on a voice note
    return _accept(
        sb, request, session, chat_id, caption, kind=kind,
        mimetype=str(file["mimetype"]), filename=str(file.get("filename") or ""), sha256=digest, url=url,
        size=size, convert=bool(body.get("convert")), short_id=_own_id(sb, body),
    )


MEDIA_KINDS = {"sendImage": "image", "sendFile": "file", "sendVideo": "video", "sendVoice": "voice"}


def _own_id(sb, body: dict) -> str | None:
    """The caller's pre-generated message id, on a version that takes one (older ones ignore it)."""
    from nexus_blast.waha.parsing import accepts_own_ids

    ident = body.get("id")
    return ident if isinstance(ident, str) and ident and accepts_own_ids(sb._version()) else None


def _accept(sb, request: Request, session: Session, chat_id: str, text: str, short_id: str | None = None, **media) -> Response:
    fault = sb.world.send_fault(session, chat_id)
    if fault:
        raise sb.engine_error(fault, request)
    message = sb.world.accept(session, chat_id, text, short_id=short_id, **media)
    sb.emitter.schedule_acks(message)
    if message.delivers:
        sb.emitter.schedule_reply(message)
    shape = sb.world.response_shape(message)
    sb.world.after_send(session)  # count-down faults apply once this send is answered
    return JSONResponse(shape, status_code=201)


async def chat_action(sb, request: Request) -> Response:
    await _send_target(sb, request, ("chatId",))
    typing = not request.url.path.endswith("sendSeen")
    return JSONResponse({"result": True} if typing else {}, status_code=201)


async def check_exists(sb, request: Request) -> Response:
    await sb.running(request.query_params.get("session") or "default")
    phone = request.query_params.get("phone", "").lstrip("+")
    if not phone.isdigit():
        raise sb.engine_error("invalid wid", request)
    known = sb.world.numbers.get(phone)
    if known and known.get("errors", 0) > 0:  # POST /_sandbox/whatsapp {"errors": N}
        known["errors"] -= 1
        raise sb.engine_error("Internal server error", request)
    exists, chat_id = sb.world.lookup(phone)
    return JSONResponse({"numberExists": True, "chatId": chat_id} if exists else {"numberExists": False})


async def chat_messages(sb, request: Request) -> Response:
    name = request.path_params["s"]
    await sb.running(name)
    q = request.query_params
    try:
        limit = int(q.get("limit", "10"))
        since = int(q["filter.timestamp.gte"]) if q.get("filter.timestamp.gte") else None
    except ValueError:
        raise nest(400, ["limit and filter.timestamp.gte must be integers"], "Bad Request") from None
    from_me = {"true": True, "false": False}.get(q.get("filter.fromMe", "").lower())
    history = sb.world.chat_history(name, request.path_params["chat"], from_me=from_me, since=since, limit=limit)
    return JSONResponse(history)


async def chat_message(sb, request: Request) -> Response:
    """GET /api/{s}/chats/{chat}/messages/{id}: one message by serialized or short id (servers
    from 2026.4.3; older ones have no such route: NestJS's 404)."""
    from nexus_blast.waha.parsing import accepts_own_ids

    if not accepts_own_ids(sb._version()):
        path = request.url.path
        return JSONResponse({"message": f"Cannot GET {path}", "error": "Not Found", "statusCode": 404}, status_code=404)
    name = request.path_params["s"]
    await sb.running(name)
    found = sb.world.chat_message(name, request.path_params["chat"], request.path_params["mid"])
    if found is None:
        raise nest(404, "Message not found", "Not Found")
    return JSONResponse(found)


def routes(sb, wrap) -> list[Route]:
    """Routes bound to the Sandbox SB, each wrapped by WRAP (API key, latency, error replies)."""

    def bind(handler):
        return wrap(lambda request: handler(sb, request))

    return [
        Route("/api/{s}/auth/qr", bind(qr), methods=["GET"]),
        Route("/api/{s}/auth/request-code", bind(request_code), methods=["POST"]),
        Route("/api/sendText", bind(send_text), methods=["POST"]),
        Route("/api/sendImage", bind(send_file), methods=["POST"]),
        Route("/api/sendFile", bind(send_file), methods=["POST"]),
        Route("/api/sendVideo", bind(send_file), methods=["POST"]),
        Route("/api/sendVoice", bind(send_file), methods=["POST"]),
        Route("/api/sendSeen", bind(chat_action), methods=["POST"]),
        Route("/api/startTyping", bind(chat_action), methods=["POST"]),
        Route("/api/stopTyping", bind(chat_action), methods=["POST"]),
        Route("/api/contacts/check-exists", bind(check_exists), methods=["GET"]),
        Route("/api/{s}/chats/{chat}/messages", bind(chat_messages), methods=["GET"]),
        Route("/api/{s}/chats/{chat}/messages/{mid}", bind(chat_message), methods=["GET"]),
    ]
