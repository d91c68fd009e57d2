"""A WAHA session's calls on the wire: an httpcore connection pool on an asyncio-native network
backend, and the light answer it gives.

httpx drives httpcore through anyio: every socket read and write opens a cancel scope, and every
request and answer is rebuilt as httpx models (URL, headers, streams, decoders). For a campaign's
per-message calls (a look-up and a send) that was most of the client's own CPU. Measured on this
2-core machine, 4 sessions, 6,000 messages against the sandbox, CPU per message: a bare httpx loop
2.24 ms, httpcore with its anyio backend 1.20 ms, httpcore with the backend below 0.81 ms.

httpcore still speaks HTTP (h11), keeps the connections alive, expires them and enforces the
timeouts it is given; the backend only moves bytes between h11 and an asyncio transport, so a
read that finds data waiting costs no event-loop round trip and no timer. Its errors are
httpcore's (ConnectError, ReadTimeout, ...), as its anyio backend raises them; `NOT_SENT`,
`TIMEOUTS` and `BROKEN` sort them as the client sorts httpx's.
"""

from __future__ import annotations

import asyncio
import json
import select
import socket
import ssl
import zlib
from typing import Any

import httpcore
import httpx

# Connection failures: the request never left (safe to repeat, even a send).
NOT_SENT = (httpcore.ConnectError, httpcore.ConnectTimeout, httpcore.PoolTimeout, httpcore.UnsupportedProtocol)
TIMEOUTS = httpcore.TimeoutException  # no answer in time: the request may have arrived
BROKEN = (httpcore.NetworkError, httpcore.ProtocolError)  # the connection failed mid-exchange

READ_LIMIT = 1 << 20  # bytes buffered from a connection before it stops reading (until h11 takes them)


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection's incoming bytes and state, as asyncio delivers them."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.closed = False  # the peer closed it, or it broke
        self.error: BaseException | None = None
        self.reading: asyncio.Future | None = None  # set while a read waits for data
        self.draining: asyncio.Future | None = None  # set while a write waits for the buffer to drain
        self.paused = False  # asyncio's write buffer is over its high-water mark
        self.stopped = False  # reading paused: READ_LIMIT bytes are waiting

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > READ_LIMIT and not self.stopped:
            self.stopped = True
            self.transport.pause_reading()
        _wake(self.reading)

    def eof_received(self) -> bool:
        self.closed = True
        _wake(self.reading)
        return False  # let asyncio close the transport

    def connection_lost(self, exc: BaseException | None) -> None:
        self.closed, self.error = True, exc
        _wake(self.reading)
        _wake(self.draining)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        _wake(self.draining)


def _wake(waiter: asyncio.Future | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


async def _until(waiter: asyncio.Future, timeout: float | None, error: type[Exception]) -> None:
    """Wait for WAITER; after TIMEOUT seconds, fail with ERROR (httpcore's ReadTimeout, ...)."""
    if timeout is None:
        await waiter
        return

    def expire() -> None:
        if not waiter.done():
            waiter.set_exception(error(f"timed out after {timeout:g}s"))

    timer = asyncio.get_running_loop().call_later(timeout, expire)
    try:
        await waiter
    finally:
        timer.cancel()


class _Stream(httpcore.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, connection: _Connection) -> None:
        self._transport = transport
        self._connection = connection
        connection.transport = transport  # after start_tls, the TLS transport is the one to pause and resume

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        conn = self._connection
        if not conn.buffer and not conn.closed:
            conn.reading = asyncio.get_running_loop().create_future()
            try:
                await _until(conn.reading, timeout, httpcore.ReadTimeout)
            finally:
                conn.reading = None
        if conn.buffer:
            data = bytes(conn.buffer[:max_bytes])
            del conn.buffer[:max_bytes]
            if conn.stopped and len(conn.buffer) < READ_LIMIT // 2:
                conn.stopped = False
                self._transport.resume_reading()
            return data
        if conn.error is not None:
            raise httpcore.ReadError(str(conn.error) or type(conn.error).__name__)
        return b""  # the peer closed the connection: h11 decides what that means

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        conn = self._connection
        if conn.closed or self._transport.is_closing():
            raise httpcore.WriteError(str(conn.error) if conn.error else "the connection is closed")
        self._transport.write(buffer)
        if conn.paused:
            conn.draining = asyncio.get_running_loop().create_future()
            try:
                await _until(conn.draining, timeout, httpcore.WriteTimeout)
            finally:
                conn.draining = None
            if conn.error is not None:
                raise httpcore.WriteError(str(conn.error))

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(self._transport, self._connection, ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout(f"TLS handshake timed out after {timeout:g}s") from None
        except (OSError, ssl.SSLError) as exc:
            self._transport.close()
            raise httpcore.ConnectError(str(exc)) from exc
        return _Stream(transport, self._connection)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # an idle connection with bytes or an EOF waiting is dead to httpcore
            conn = self._connection
            return bool(conn.buffer) or conn.closed or _readable(self._transport.get_extra_info("socket"))
        names = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername", "socket": "socket"}
        return self._transport.get_extra_info(names[info]) if info in names else None


def _readable(sock) -> bool:
    """Bytes or an EOF wait on SOCK that the event loop has not read yet: the server closed a kept
    connection while this process was busy (a long commit) and the loop has not run since. Asked
    of the socket, as httpcore's own backends ask it, so such a connection is never reused."""
    if sock is None or sock.fileno() < 0:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class Backend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on plain asyncio transports."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options=None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        return await _connected(loop.create_connection(_Connection, host, port, local_addr=local, happy_eyeballs_delay=0.25),
                                timeout, socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None) -> httpcore.AsyncNetworkStream:
        return await _connected(asyncio.get_running_loop().create_unix_connection(_Connection, path), timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _connected(connecting, timeout: float | None, socket_options) -> _Stream:
    """The stream of a connection being made by CONNECTING, with httpcore's errors: a name that
    does not resolve keeps its resolver's message; any other failure is worded as httpcore's anyio
    backend words it ("All connection attempts failed"), which the client translates."""
    try:
        async with asyncio.timeout(timeout):
            transport, connection = await connecting
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"connection timed out after {timeout:g}s") from None
    except socket.gaierror as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    except OSError as exc:
        raise httpcore.ConnectError("All connection attempts failed") from exc
    sock = transport.get_extra_info("socket")
    for option in socket_options or ():
        sock.setsockopt(*option)
    return _Stream(transport, connection)


_BACKEND = Backend()


class Answer:
    """What a call answered: `status_code`, `headers`, `content` (decoded if the server compressed
    it), `json()`, `text`, as much of httpx.Response as the client reads."""

    __slots__ = ("status_code", "_raw", "content")

    def __init__(self, status_code: int, raw_headers: list[tuple[bytes, bytes]], content: bytes) -> None:
        self.status_code = status_code
        self._raw = raw_headers
        for name, value in raw_headers:  # we ask for no compression; a proxy may compress anyway
            if name.lower() == b"content-encoding" and value.strip().lower() in (b"gzip", b"deflate"):
                content = zlib.decompress(content, zlib.MAX_WBITS | 32)  # gzip or zlib, by its header
        self.content = content

    @property
    def headers(self) -> httpx.Headers:
        return httpx.Headers(self._raw)

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        charset = self.headers.get("content-type", "").partition("charset=")[2].split(";")[0].strip(' "')
        try:
            return self.content.decode(charset or "utf-8", "replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", "replace")


class Pool:
    """One WAHA session's connection pool (a lane's calls are sequential: one connection, kept
    alive as httpx's default transport keeps it, 5 s)."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._pool = httpcore.AsyncConnectionPool(ssl_context=ssl_context, network_backend=_BACKEND, keepalive_expiry=5.0)

    async def exchange(self, request: httpcore.Request) -> Answer:
        """REQUEST's answer, its body read in full."""
        response = await self._pool.handle_async_request(request)
        try:
            content = await response.aread()
        finally:
            await response.aclose()
        return Answer(response.status, response.headers, content)

    async def aclose(self) -> None:
        await self._pool.aclose()
