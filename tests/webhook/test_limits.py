"""The receiver on a real loopback server holds up against slow, huge and abandoned requests
(issue 17, point 7): raw sockets, because an HTTP client would not misbehave on purpose."""

from __future__ import annotations

import json
import select
import socket
import time
from urllib.parse import urlsplit

from nexus_blast.serving import Limits
from tests.webhook.conftest import PHONES, chat_of, incoming_event

BOUND = 15.0  # generous: a busy 2-core machine


def connect(receiver) -> socket.socket:
    parts = urlsplit(receiver.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=BOUND)
    return sock


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (or BOUND passes)."""
    sock.settimeout(BOUND)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(BOUND)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_chunked_50_mb_body_is_refused_while_it_is_read(receiver):
    sock = connect(receiver)
    sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"a" * 64 * 1024)
    sent, total = 0, 50 * 1024 * 1024
    reply = b""
    sock.setblocking(False)
    deadline = time.monotonic() + BOUND
    while sent < total and time.monotonic() < deadline:
        readable, writable, _ = select.select([sock], [sock], [], 1)
        if readable:
            reply = sock.recv(65536)
            break
        if writable:
            try:
                sent += sock.send(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
    sock.setblocking(True)
    reply += answer(sock)
    sock.close()
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert sent < 8 * 1024 * 1024  # answered long before the 50 MB were sent: nothing was buffered


def test_idle_and_trickling_connections_are_closed_by_the_header_deadline(start_receiver):
    receiver = start_receiver(limits=Limits(header_timeout=0.5))
    idle = connect(receiver)
    trickle = connect(receiver)
    trickle.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
    assert closed_by_server(idle) and closed_by_server(trickle)
    idle.close()
    trickle.close()
    body = json.dumps(incoming_event(chat_of(PHONES[0]), "oi")).encode()
    ok = connect(receiver)
    ok.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    assert answer(ok).startswith(b"HTTP/1.1 200")
    ok.close()


def test_slow_body_is_408(start_receiver):
    receiver = start_receiver(body_timeout=0.5)
    sock = connect(receiver)
    sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"event\": ")
    reply = answer(sock)
    sock.close()
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]


def test_connections_over_the_cap_get_503_and_the_rest_are_served(start_receiver):
    receiver = start_receiver(limits=Limits(max_connections=20))
    held = [connect(receiver) for _ in range(20)]
    try:
        deadline = time.monotonic() + BOUND
        while True:  # the server sees them asynchronously: wait until one more is turned away
            extra = connect(receiver)
            extra.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reply = answer(extra)
            extra.close()
            if reply.startswith(b"HTTP/1.1 503") or time.monotonic() > deadline:
                break
        assert reply.startswith(b"HTTP/1.1 503"), reply[:200]
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + BOUND
    while True:
        sock = connect(receiver)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = answer(sock)
        sock.close()
        if reply.startswith(b"HTTP/1.1 200") or time.monotonic() > deadline:
            break
    assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
