"""The async WAHA HTTP client: every call to a WAHA server goes through here.

Timeouts on every call, retries (tenacity) with exponential backoff and jitter inside a bounded
total time, WAHA's error answers mapped to the typed errors of waha/errors.py.
"""

from __future__ import annotations

import asyncio
import functools
import random
import ssl
import time
from typing import Any
from json import dumps as json_dumps
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import getproxies

import httpcore
import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, stop_before_delay

from nexus_blast.httputil import parse_retry_after
from nexus_blast.i18n import _
from nexus_blast.waha.errors import (
    WahaBadRequest,
    WahaBadResponse,
    WahaError,
    WahaRateLimited,
    WahaServerError,
    WahaSessionNotFound,
    WahaUnreachable,
    network_reason,
    scrub,
    seconds,
    where,
)
from nexus_blast.waha import wire
from nexus_blast.waha.answers import error_for, message_of
from nexus_blast.waha.outcomes import send_verdict
from nexus_blast.waha.parsing import SentMessage, serialized_id_from
from nexus_blast.waha.wire import Pool

SAFE = "safe"  # idempotent: retried on connection errors, timeouts, 429, 5xx
UNSAFE = "unsafe"  # sends, creation: retried only when the request surely never arrived, or on 429
SEND = "send"  # a message: UNSAFE, and any 2xx is a sent message whatever its body (waha/outcomes.py)


def run_sync(coro):
    """Run one client coroutine to completion from synchronous (CLI) code."""
    return asyncio.run(coro)


def _json_or_text(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


class WahaClient:
    """One WAHA server. Use as `async with WahaClient(url, key) as waha: ...`."""

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        retries: int = 3,
        backoff_initial: float = 0.5,
        backoff_max: float = 10.0,
        total_timeout: float | None = None,
        transport=None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = api_key
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)
        self.retries = max(0, retries)
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        # Bounded total time per call, retries and waits included.
        self.total_timeout = total_timeout if total_timeout is not None else 2 * timeout + backoff_max
        headers = {"Accept": "application/json"}
        if api_key:
            headers["X-Api-Key"] = api_key
        self._timeout = httpx.Timeout(timeout, connect=self.connect_timeout)  # a call's first attempt
        # Each WAHA session's calls get a connection pool of their own (see `_pool`); not with a
        # given transport (tests) or an environment proxy for the server's scheme: then every
        # call goes through the client, as httpx routes it.
        proxied = bool({urlsplit(self.base_url).scheme, "all"} & set(getproxies()))
        self._pools: dict[str, Pool] | None = None if transport is not None or proxied else {}
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=self._timeout,
            transport=transport,
            follow_redirects=False,
            verify=_tls(),
        )
        self._urls: dict[str, httpx.URL] = {}  # path -> absolute URL (waha/client.py `_request`)
        self._json_headers = self._http.headers.copy()
        self._json_headers["Content-Type"] = "application/json"
        self._extensions = {"timeout": self._timeout.as_dict()}
        # The same request's parts for a session pool (`_wire`): the server's scheme, host and
        # port, its base path, and the headers httpx would send but for User-Agent and
        # Accept-Encoding (an answer comes uncompressed) and Connection (HTTP/1.1 keeps it alive).
        base = self._http.base_url
        self._origin = (base.raw_scheme, base.raw_host, base.port or (443 if base.scheme == "https" else 80))
        self._base_path = base.raw_path.rstrip(b"/")
        self._wire_headers = [(b"Host", base.netloc), (b"Accept", b"application/json")] + (
            [(b"X-Api-Key", api_key.encode("latin-1"))] if api_key else [])
        self._targets: dict[str, httpcore.URL] = {}  # path -> its URL on the wire

    async def aclose(self) -> None:
        for pool in (self._pools or {}).values():
            await pool.aclose()
        if self._pools:
            self._pools.clear()
        await self._http.aclose()

    async def __aenter__(self) -> WahaClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    # --- server and sessions ------------------------------------------------------------------

    async def server_version(self) -> dict:
        return await self._json("GET", "/api/server/version")

    async def list_sessions(self, all: bool = True) -> list[dict]:
        params = {"all": "true"} if all else None
        return await self._json("GET", "/api/sessions", params=params) or []

    async def get_session(self, name: str) -> dict:
        return await self._json("GET", f"/api/sessions/{_seg(name)}", session=name)

    async def create_session(self, name: str, *, start: bool = True, config: dict | None = None) -> dict:
        body: dict[str, Any] = {"name": name, "start": start}
        if config is not None:
            body["config"] = config
        return await self._json("POST", "/api/sessions", session=name, json=body, policy=UNSAFE)

    async def update_session(self, name: str, config: dict) -> dict:
        return await self._json("PUT", f"/api/sessions/{_seg(name)}", session=name, json={"config": config})

    async def start_session(self, name: str) -> dict:
        """Start NAME; one already STARTING, SCAN_QR_CODE or WORKING is what was asked (its info)."""
        try:
            return await self._json("POST", f"/api/sessions/{_seg(name)}/start", session=name)
        except WahaBadRequest as exc:
            if "is already started" not in exc.detail:  # WAHA 2026: 422 "Session 'X' is already started."
                raise
        return await self.get_session(name)

    async def stop_session(self, name: str) -> dict:
        return await self._json("POST", f"/api/sessions/{_seg(name)}/stop", session=name)

    async def restart_session(self, name: str) -> dict:
        return await self._json("POST", f"/api/sessions/{_seg(name)}/restart", session=name)

    async def logout_session(self, name: str) -> dict:
        return await self._json("POST", f"/api/sessions/{_seg(name)}/logout", session=name)

    async def delete_session(self, name: str) -> None:
        await self._json("DELETE", f"/api/sessions/{_seg(name)}", session=name)

    async def me(self, name: str) -> dict | None:
        body = await self._json("GET", f"/api/sessions/{_seg(name)}/me", session=name)
        return body if isinstance(body, dict) else None

    async def qr_raw(self, name: str) -> str:
        body = await self._json("GET", f"/api/{_seg(name)}/auth/qr", session=name, params={"format": "raw"})
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            raise WahaBadResponse(_("{where}: QR answer has no 'value'").format(where=where(self.base_url, name)), server=self.base_url, session=name)
        return body["value"]

    async def request_code(self, name: str, phone: str) -> str:
        body = await self._json(
            "POST", f"/api/{_seg(name)}/auth/request-code", session=name, json={"phoneNumber": phone}, policy=UNSAFE
        )
        if not isinstance(body, dict) or not body.get("code"):
            raise WahaBadResponse(_("{where}: pairing-code answer has no 'code'").format(where=where(self.base_url, name)), server=self.base_url, session=name)
        return str(body["code"])

    # --- messages -------------------------------------------------------------------------------

    async def send_text(
        self, session: str, chat_id: str, text: str, *, message_id: str | None = None, link_preview: bool | None = None
    ) -> SentMessage:
        """Send TEXT; MESSAGE_ID (a pre-generated short id, servers that accept one) names it;
        LINK_PREVIEW (None: the server's default) is WAHA's `linkPreview`."""
        body: dict[str, Any] = {"session": session, "chatId": chat_id, "text": text}
        if link_preview is not None:
            body["linkPreview"] = link_preview
        if message_id:
            body["id"] = message_id
        return self._sent(await self._json("POST", "/api/sendText", session=session, json=body, policy=SEND), chat_id)

    async def send_image(
        self,
        session: str,
        chat_id: str,
        *,
        mimetype: str,
        filename: str,
        data_b64: str | None = None,
        url: str | None = None,
        caption: str = "",
        message_id: str | None = None,
    ) -> SentMessage:
        if (data_b64 is None) == (url is None):
            raise ValueError("send_image needs exactly one of data_b64 and url")
        return await self.send_media(
            "image", session, chat_id, mimetype=mimetype, filename=filename,
            data_b64=data_b64.encode("ascii") if data_b64 is not None else None, url=url, caption=caption,
            message_id=message_id,
        )

    async def send_media(
        self,
        kind: str,
        session: str,
        chat_id: str,
        *,
        mimetype: str,
        filename: str,
        data_b64: bytes | bytearray | None = None,
        url: str | None = None,
        caption: str = "",
        convert: bool = False,
        message_id: str | None = None,
    ) -> SentMessage:
        """Send a media of KIND (image | file | video | voice) as `/api/sendImage|File|Video|Voice`:
        `file` {mimetype, filename, url | data}, `caption` (not for a voice note), `convert` (video
        and voice). DATA_B64 (base64 ASCII, read once per run) is streamed into the body, never
        copied per message."""
        if (data_b64 is None) == (url is None):
            raise ValueError("send_media needs exactly one of data_b64 and url")
        path = MEDIA_PATHS[kind]
        body: dict[str, Any] = {"session": session, "chatId": chat_id}
        if kind != "voice":
            body["caption"] = caption
        if kind in ("video", "voice"):
            body["convert"] = convert
        if message_id:
            body["id"] = message_id
        file: dict[str, str] = {"mimetype": mimetype, "filename": filename}
        if url is not None:
            body["file"] = file | {"url": url}
            return self._sent(await self._json("POST", path, session=session, json=body, policy=SEND), chat_id)
        content = _BlobBody(body, file, data_b64)
        return self._sent(await self._json("POST", path, session=session, content=content, policy=SEND), chat_id)

    async def send_seen(self, session: str, chat_id: str) -> None:
        await self._json("POST", "/api/sendSeen", session=session, json={"session": session, "chatId": chat_id})

    async def start_typing(self, session: str, chat_id: str) -> None:
        await self._json("POST", "/api/startTyping", session=session, json={"session": session, "chatId": chat_id})

    async def stop_typing(self, session: str, chat_id: str) -> None:
        await self._json("POST", "/api/stopTyping", session=session, json={"session": session, "chatId": chat_id})

    async def check_exists(self, session: str, phone_digits: str) -> tuple[bool, str | None]:
        body = await self._json(
            "GET", "/api/contacts/check-exists", session=session, params={"phone": phone_digits, "session": session}
        )
        if not isinstance(body, dict) or "numberExists" not in body:
            raise WahaBadResponse(_("{where}: check-exists answer has no 'numberExists'").format(where=where(self.base_url, session)), server=self.base_url, session=session)
        exists = bool(body["numberExists"])
        return exists, (body.get("chatId") or None) if exists else None

    async def chat_messages(
        self, session: str, chat_id: str, *, limit: int = 20, since: int | None = None, from_me: bool = True
    ) -> list[dict]:
        params: dict[str, Any] = {"limit": limit, "downloadMedia": "false", "filter.fromMe": "true" if from_me else "false"}
        if since is not None:
            params["filter.timestamp.gte"] = int(since)
        body = await self._json("GET", f"/api/{_seg(session)}/chats/{_seg(chat_id)}/messages", session=session, params=params)
        return body if isinstance(body, list) else []

    async def get_message(self, session: str, chat_id: str, message_id: str) -> dict | None:
        """One message of the chat by its serialized id; None when the server has no such message
        (`GET /api/{session}/chats/{chatId}/messages/{messageId}`)."""
        path = f"/api/{_seg(session)}/chats/{_seg(chat_id)}/messages/{_seg(message_id)}"
        try:
            body = await self._json("GET", path, session=session, params={"downloadMedia": "false"})
        except WahaSessionNotFound as exc:
            if exc.status_code == 404 and "session" not in exc.detail.lower():
                return None  # the message is not there (the session is: WAHA names it otherwise)
            raise
        return body if isinstance(body, dict) and body else None

    # --- machinery ------------------------------------------------------------------------------

    def _sent(self, body: Any, chat_id: str) -> SentMessage:
        # The message went out (2xx): an unreadable id must not look like a failure (it would be resent).
        try:
            return SentMessage(serialized_id_from(body, chat_id), body if isinstance(body, dict) else {})
        except ValueError:
            return SentMessage("", body if isinstance(body, dict) else {})

    async def _json(
        self,
        method: str,
        path: str,
        *,
        session: str | None = None,
        json: Any = None,
        params: dict | None = None,
        policy: str = SAFE,
        content: _BlobBody | None = None,
    ) -> Any:
        response = await self._with_retries(method, path, session=session, json=json, params=params, policy=policy, content=content)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            if policy == SEND:
                return None  # a 2xx that is not JSON (a proxy's page, a truncated 201): still sent
            raise WahaBadResponse(
                _("{where}: {method} {path} answered non-JSON (HTTP {code})").format(
                    where=where(self.base_url, session), method=method, path=path, code=response.status_code),
                server=self.base_url,
                session=session,
            ) from None

    async def _with_retries(self, method, path, *, session, json, params, policy, content=None) -> httpx.Response | wire.Answer:
        started = time.monotonic()
        # The first attempt runs outside tenacity (most calls succeed at once, and building and
        # driving a retrier costs more than the request's own bookkeeping); its failure is then
        # handed to tenacity as attempt 1, so the stop, wait and retry decisions are the same.
        try:
            return await self._once(method, path, session=session, json=json, params=params, budget=self.total_timeout, content=content)
        except WahaError as exc:
            if not self._retryable(exc, policy):
                raise
            first: list[BaseException] = [exc]
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retries + 1) | stop_before_delay(self.total_timeout - (time.monotonic() - started)),
            wait=self._wait,
            retry=retry_if_exception(lambda exc: self._retryable(exc, policy)),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if first:
                    raise first.pop()
                remaining = self.total_timeout - (time.monotonic() - started)
                return await self._once(method, path, session=session, json=json, params=params, budget=remaining, content=content)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def _retryable(self, exc: BaseException, policy: str) -> bool:
        if policy == SEND and not (isinstance(exc, WahaError) and send_verdict(exc).may_retry_blindly):
            return False  # only what the outcome table proves never arrived (waha/outcomes.py)
        if isinstance(exc, WahaRateLimited):
            return exc.retry_after is None or exc.retry_after <= self.backoff_max
        if isinstance(exc, WahaUnreachable):
            return policy == SAFE or not exc.sent
        if isinstance(exc, WahaServerError) and policy == SAFE:
            # A timelock or WhatsApp's look-up throttle does not clear in seconds: the caller paces.
            return not (exc.is_timelock or exc.is_rate_overlimit)
        return False

    def _wait(self, retry_state) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, WahaRateLimited) and exc.retry_after is not None:
            return exc.retry_after + random.uniform(0, self.backoff_initial / 4)
        ceiling = min(self.backoff_max, self.backoff_initial * 2 ** (retry_state.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)  # "equal jitter": never zero, never in lock-step

    async def _once(self, method, path, *, session, json, params, budget: float, content=None) -> httpx.Response | wire.Answer:
        read = max(0.01, min(self.timeout, budget))
        timeout = self._timeout if read == self.timeout else httpx.Timeout(read, connect=min(self.connect_timeout, read))
        try:
            if content is not None:  # a media body streamed from the run's one copy of the data
                response = await self._http.request(
                    method, path, content=content, params=params, timeout=timeout, headers=content.headers()
                )
            else:
                pool = self._pool(session)
                if pool is None:
                    response = await self._http.send(self._request(method, path, json, params, timeout))
                else:
                    response = await pool.exchange(self._wire(method, path, json, params, timeout))
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol, *wire.NOT_SENT) as exc:
            raise WahaUnreachable(
                _("{where}: cannot connect ({reason})").format(where=where(self.base_url, session), reason=network_reason(self._scrub(exc)) or type(exc).__name__),
                server=self.base_url, session=session, sent=False,
                hint=_("is the server running and the URL right?"),
            ) from None
        except (httpx.TimeoutException, wire.TIMEOUTS):
            raise WahaUnreachable(
                _("{where}: no answer to {method} {path} within {seconds}s").format(
                    where=where(self.base_url, session), method=method, path=path, seconds=seconds(read)),
                server=self.base_url, session=session, sent=True,
            ) from None
        except (httpx.TransportError, *wire.BROKEN) as exc:
            raise WahaUnreachable(
                _("{where}: connection failed during {method} {path} ({reason})").format(
                    where=where(self.base_url, session), method=method, path=path, reason=network_reason(self._scrub(exc)) or type(exc).__name__),
                server=self.base_url, session=session, sent=True,
            ) from None
        if response.status_code >= 400:
            raise self._error(response, method, path, session)
        return response

    def _pool(self, session: str | None) -> Pool | None:
        """SESSION's own connection pool (None: the client's), on the wire of waha/wire.py. A
        lane's calls are sequential, so its pool keeps one connection alive; httpcore looks at
        every connection of a pool on each request, and 16 sessions sharing one pool cost twice
        as much per call as 16 pools."""
        if session is None or self._pools is None:
            return None
        pool = self._pools.get(session)
        if pool is None:
            pool = self._pools[session] = Pool(_tls())
        return pool

    def _wire(self, method: str, path: str, json: Any, params: dict | None, timeout: httpx.Timeout) -> httpcore.Request:
        """`_request`'s request for a session pool: the same URL and body, the headers of
        `_wire_headers`, Content-Length and Content-Type with a body."""
        url = self._targets.get(path)
        if url is None:
            url = self._targets[path] = httpcore.URL(
                scheme=self._origin[0], host=self._origin[1], port=self._origin[2],
                target=self._base_path + b"/" + path.lstrip("/").encode("ascii"))
        if params:
            url = httpcore.URL(scheme=url.scheme, host=url.host, port=url.port, target=url.target + b"?" + _query(params))
        extensions = self._extensions if timeout is self._timeout else {"timeout": timeout.as_dict()}
        if json is None:
            return httpcore.Request(method, url, headers=self._wire_headers, extensions=extensions)
        body = json_dumps(json, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        headers = [*self._wire_headers, (b"Content-Type", b"application/json"), (b"Content-Length", b"%d" % len(body))]
        return httpcore.Request(method, url, headers=headers, content=body, extensions=extensions)

    def _request(self, method: str, path: str, json: Any, params: dict | None, timeout: httpx.Timeout) -> httpx.Request:
        """The request `httpx.AsyncClient.request` would build (the client's headers, base URL and
        JSON encoding), from parts made once per client: httpx's generic merging of URL, headers,
        cookies and query costs more per call than the send's own bookkeeping."""
        url = self._urls.get(path)
        if url is None:
            base = self._http.base_url
            url = self._urls[path] = base.copy_with(raw_path=base.raw_path + path.lstrip("/").encode("ascii"))
        if params:
            url = url.copy_with(raw_path=url.raw_path + b"?" + _query(params))
        extensions = self._extensions if timeout is self._timeout else {"timeout": timeout.as_dict()}
        if json is None:
            return httpx.Request(method, url, headers=self._http.headers, extensions=extensions)
        body = json_dumps(json, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        return httpx.Request(method, url, headers=self._json_headers, content=body, extensions=extensions)

    def _scrub(self, value: Any) -> str:
        from nexus_blast.masking import mask_url

        return scrub(str(value), self._key).replace(self.base_url, mask_url(self.base_url))

    def _error(self, response: httpx.Response, method: str, path: str, session: str | None) -> WahaError:
        body = _json_or_text(response)
        message = self._scrub(message_of(body))
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        error = error_for(response.status_code, body, message, retry_after, method=method, path=path, server=self.base_url, session=session)
        error.status_code = response.status_code
        error.detail = error.detail or message
        return error



MEDIA_PATHS = {"image": "/api/sendImage", "file": "/api/sendFile", "video": "/api/sendVideo", "voice": "/api/sendVoice"}


SLICE = 1024 * 1024


class _BlobBody:
    """A JSON send body whose `file.data` is a large base64 value: the small JSON around it is
    encoded per message, the data itself is handed to the socket as it is (one copy per run, not
    one per message). Iterable again for each retry."""

    def __init__(self, body: dict, file: dict, data_b64) -> None:
        import json

        head = json.dumps({**body, "file": {**file, "data": ""}}, ensure_ascii=False)
        marker = '"data": ""}'
        cut = head.rindex(marker) + len('"data": "')
        self.parts = (head[:cut].encode("utf-8"), data_b64, head[cut:].encode("utf-8"))

    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Content-Length": str(sum(len(p) for p in self.parts))}

    async def __aiter__(self):
        head, data, tail = self.parts
        yield head
        view = memoryview(data)
        for at in range(0, len(view), SLICE):  # slices, not copies: the socket drains each in turn
            yield view[at : at + SLICE]
        yield tail


@functools.cache
def _tls() -> ssl.SSLContext:
    """The process's one TLS context (httpx's default verification), shared by every client and
    pool: building one loads the CA bundle, ~35 ms each."""
    return httpx.create_ssl_context()


def _query(params: dict) -> bytes:
    """PARAMS as httpx encodes a query (booleans as true/false, None as empty)."""
    return urlencode(
        [(k, "true" if v is True else "false" if v is False else "" if v is None else v) for k, v in params.items()]
    ).encode("ascii")


def _seg(value: str) -> str:
    """One path segment (session names and chat ids like `5511…@c.us`)."""
    return quote(value, safe="@.")
