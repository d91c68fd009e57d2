"""The sandbox's control API under /_sandbox/ (no API key): what was sent and asked, pairing, statuses,
faults, scripted replies, deleting a session behind blast's back."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nexus_blast.sandbox.replies import nest
from nexus_blast.sandbox.state import STATUSES


async def _sent(sb, request: Request) -> Response:
    return JSONResponse([m.record() for m in sb.world.messages])


async def _pair_control(sb, request: Request) -> Response:
    session = sb.known(request.path_params["s"])
    sb.world.pair(session)
    return JSONResponse(sb.world.info(session))


async def _status_control(sb, request: Request) -> Response:
    session = sb.known(request.path_params["s"])
    status = str((await sb.body(request)).get("status") or "")
    if status not in STATUSES:
        raise nest(400, [f"status must be one of {', '.join(STATUSES)}"], "Bad Request")
    if status == "WORKING":
        session.me = session.me or sb.world.fake_me(session.name)
    sb.world.set_status(session, status)
    return JSONResponse(sb.world.info(session))


async def _incoming_control(sb, request: Request) -> Response:
    session = sb.known(request.path_params["s"])
    body = await sb.body(request)
    return JSONResponse(sb.emitter.incoming(session, str(body.get("from") or ""), str(body.get("body") or "")))


async def _replies_control(sb, request: Request) -> Response:
    """Scripted replies: POST {"rules": [{"phone"|"contains", "share", "text", "delay", "from"}]}
    replaces the rules, DELETE clears them; every method answers the rules and what they scheduled."""
    if request.method == "DELETE":
        sb.world.reply_rules = []
    elif request.method == "POST":
        try:
            sb.world.set_reply_rules(await sb.body(request))
        except ValueError as exc:
            raise nest(400, [str(exc)], "Bad Request") from None
    return JSONResponse({"rules": [r.describe() for r in sb.world.reply_rules], "scheduled": sb.world.replies_scheduled})


async def _faults_control(sb, request: Request) -> Response:
    if request.method == "DELETE":
        sb.world.clear_faults()
    elif request.method == "POST":
        try:
            sb.world.set_faults(await sb.body(request))
        except KeyError:
            raise nest(404, "Session not found", "Not Found") from None
        except (TypeError, ValueError) as exc:
            raise nest(400, str(exc), "Bad Request") from None
    return JSONResponse(sb.world.describe_faults())


async def _whatsapp_control(sb, request: Request) -> Response:
    body = await sb.body(request)
    phone = str(body.get("phone") or "").lstrip("+")
    if not phone.isdigit():
        raise nest(400, ["phone must be digits"], "Bad Request")
    sb.world.numbers[phone] = {"exists": bool(body.get("exists", True)), "chat_id": body.get("chat_id") or None,
                               "errors": int(body.get("errors") or 0)}  # its next N look-ups answer 500
    return JSONResponse({"phone": phone, **sb.world.numbers[phone]})


async def _capping_control(sb, request: Request) -> Response:
    """WhatsApp's message capping of a session, as `me.messageCapping` then shows it:
    `{"cappingStatus", "totalQuota"?, "usedQuota"?, "cycle_seconds"?}`, or `{"cappingStatus": null}` (not reported)."""
    session = sb.known(request.path_params["s"])
    body = await sb.body(request)
    if body.get("cappingStatus") is None:
        session.capping = None
    else:
        try:
            sb.world.set_capping(
                session, str(body["cappingStatus"]), total=int(body.get("totalQuota", 250)),
                used=None if body.get("usedQuota") is None else int(body["usedQuota"]),
                cycle_seconds=float(body.get("cycle_seconds", 86400)),
            )
        except (TypeError, ValueError) as exc:
            raise nest(400, [str(exc)], "Bad Request") from None
    return JSONResponse(sb.world.me_of(session))


async def _timelock_control(sb, request: Request) -> Response:
    """A reach-out timelock on a session for `{"seconds": N}` (0: lifted): new contacts get 463,
    `me.reachoutTimelock` says until when."""
    session = sb.known(request.path_params["s"])
    body = await sb.body(request)
    try:
        seconds = float(body.get("seconds", 3600))
    except (TypeError, ValueError):
        raise nest(400, ["seconds must be a number"], "Bad Request") from None
    sb.world.set_timelock(session, seconds)
    return JSONResponse(sb.world.me_of(session))


async def _webhooks(sb, request: Request) -> Response:
    return JSONResponse(sb.emitter.deliveries)


async def _requests(sb, request: Request) -> Response:
    return JSONResponse(sb.requests)


async def _delete_control(sb, request: Request) -> Response:
    """Someone else deleted the session on the server (e.g. from WAHA's dashboard), now."""
    session = sb.known(request.path_params["s"])
    sb.world.delete(session.name)
    return JSONResponse({"name": session.name, "deleted": True})


def control_routes(sb, wrap) -> list[Route]:
    """Routes bound to the Sandbox SB, each wrapped by WRAP (clock tick, error replies)."""

    def bind(handler):
        return wrap(lambda request: handler(sb, request))

    return [
        Route("/_sandbox/sent", bind(_sent), methods=["GET"]),
        Route("/_sandbox/webhooks", bind(_webhooks), methods=["GET"]),
        Route("/_sandbox/requests", bind(_requests), methods=["GET"]),
        Route("/_sandbox/sessions/{s}/delete", bind(_delete_control), methods=["POST"]),
        Route("/_sandbox/sessions/{s}/pair", bind(_pair_control), methods=["POST"]),
        Route("/_sandbox/sessions/{s}/status", bind(_status_control), methods=["POST"]),
        Route("/_sandbox/sessions/{s}/incoming", bind(_incoming_control), methods=["POST"]),
        Route("/_sandbox/sessions/{s}/capping", bind(_capping_control), methods=["POST"]),
        Route("/_sandbox/sessions/{s}/timelock", bind(_timelock_control), methods=["POST"]),
        Route("/_sandbox/replies", bind(_replies_control), methods=["GET", "POST", "DELETE"]),
        Route("/_sandbox/faults", bind(_faults_control), methods=["GET", "POST", "DELETE"]),
        Route("/_sandbox/whatsapp", bind(_whatsapp_control), methods=["POST"]),
    ]
