"""`blast webhook serve` and `blast campaign sync` through the real entry point."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from nexus_blast.store.db import open_database
from tests.waiting import wait_until
from tests.webhook.conftest import PHONES, add_campaign, chat_of, incoming_event, send_through


def write_config(home, text: str) -> None:
    (home / "config.toml").write_text(text)


@pytest.fixture
def home_db(blast_home):
    db = open_database(blast_home / "blast.db")
    yield db
    db.conn.close()


def test_campaign_sync_json(blast, blast_home, home_db, make_sandbox):
    sandbox = make_sandbox(sessions=("s1",), ack_delay=0.01)
    write_config(blast_home, f'[sessions.s1]\nurl = "{sandbox.url}"\n')
    cid = add_campaign(home_db, sent=0)
    send_through(sandbox.url, home_db, cid, PHONES)
    wait_until(lambda: all(m["ack"] == 3 for m in sandbox.sent()), what="the sandbox's acks up to READ")
    result = blast("campaign", "sync", str(cid), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"campaign": cid, "checked": 3, "updated": 3, "delivered": 3, "read": 3, "replies": 0, "optouts": 0, "errors": []}
    human = blast("campaign", "sync", str(cid))
    assert human.exit_code == 0 and "checked" in human.stdout


def test_campaign_sync_unknown_campaign_is_exit_2(blast):
    result = blast("campaign", "sync", "42", "--json")
    assert result.exit_code == 2
    assert result.json()["error"]["code"] == 2
    assert "42" in result.stderr


def test_campaign_sync_unreachable_waha_is_exit_3(blast, blast_home, home_db):
    write_config(
        blast_home,
        '[retry]\nbackoff_initial = 0.01\nbackoff_max = 0.01\n[sessions.s1]\nurl = "http://127.0.0.1:9"\napi_key = "secret-key-abcdef-123"\n',
    )
    cid = add_campaign(home_db, sent=1)
    result = blast("campaign", "sync", str(cid), "--json")
    assert result.exit_code == 3
    doc = result.json()
    assert doc["errors"][0]["session"] == "s1" and doc["checked"] == 0
    assert "secret-key-abcdef-123" not in result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_webhook_serve_receives_events_until_interrupted(blast_home, home_db, stop_signal):
    write_config(blast_home, '[webhook]\noptout_keywords = ["sair", "chega"]\n[sessions.s1]\nurl = "http://127.0.0.1:9"\n')
    add_campaign(home_db, sent=0)
    port = _free_port()
    env = {**os.environ, "BLAST_HOME": str(blast_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "nexus_blast", "webhook", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "receiver did not start"
            time.sleep(0.05)
        body = json.dumps(incoming_event(chat_of(PHONES[2]), "Chega!")).encode()
        response = httpx.post(f"{url}/webhook", content=body, timeout=5)
        assert response.status_code == 200 and response.json()["optout"] == PHONES[2]
        assert httpx.post(f"{url}/webhook", content=b"{", timeout=5).status_code == 400
    finally:
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err  # a signal is the normal way to stop it: a clean exit
    assert out == ""
    assert f"http://127.0.0.1:{port}/webhook" in err
    row = home_db.conn.execute("SELECT reason FROM optouts WHERE phone = ?", (PHONES[2],)).fetchone()
    assert row["reason"] == "keyword:chega"
    assert home_db.conn.execute("SELECT status FROM messages WHERE phone = ?", (PHONES[2],)).fetchone()[0] == "skipped"


def test_end_to_end_sandbox_acks_reach_campaign_show(blast, blast_home, make_sandbox, tmp_path):
    """A campaign sent through the sandbox, whose session webhook (set by `blast session add
    --webhook`, HMAC-signed) posts to the receiver: `campaign show` reports delivered and read."""
    from nexus_blast.config import load_settings
    from nexus_blast.webhook.app import create_app
    from nexus_blast.serving import ThreadedServer

    key = "e2e-hmac-key-0123456789abcdef"
    sandbox = make_sandbox(sessions=("s1",), ack_delay=0.02)
    write_config(
        blast_home,
        '[sending]\ndelay = "0-0"\nlookup_delay = "0-0"\nwindow = "00:00-24:00"\ndays = "mon-sun"\n'
        '[retry]\nbackoff_initial = 0.01\nbackoff_max = 0.05\n',
    )
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/webhook"
    added = blast("session", "add", "s1", "--url", sandbox.url, "--webhook", hook, "--webhook-hmac-key", key, "--json")
    assert added.exit_code == 0, added.stderr
    contacts = tmp_path / "contatos.csv"
    contacts.write_text("nome,telefone\nAna,(11) 98765-4321\nBia,(21) 98765-1234\nCid,(31) 99876-5432\n", encoding="utf-8")

    receiver_db = open_database(blast_home / "blast.db")
    app = create_app(receiver_db, load_settings(blast_home / "config.toml"))
    with ThreadedServer(app, port=port):
        sent = blast("send", str(contacts), "--message", "Oi {{nome}}", "--session", "s1", "--yes", "--json")
        assert sent.exit_code == 0, sent.stderr
        doc = sent.json()
        assert (doc["status"], doc["sent"]) == ("completed", 3)
        cid = doc["campaign"]
        deadline = time.monotonic() + 10
        while True:
            shown = blast("campaign", "show", str(cid), "--json").json()
            if (shown["delivered"], shown["read"]) == (3, 3) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert (shown["sent"], shown["delivered"], shown["read"]) == (3, 3, 3)

        sandbox.incoming("s1", "5511987654321@c.us", "SAIR")  # a signed `message` event
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            listed = blast("optout", "list", "--json").json()
            if listed:
                break
            time.sleep(0.05)
        assert [(o["phone"], o["reason"]) for o in listed] == [("+5511987654321", "keyword:sair")]
        # Every delivery the sandbox started has been answered (none still in flight), each with 200.
        deliveries = wait_until(lambda: (lambda ds: ds if all(d["status_code"] is not None for d in ds) else None)(sandbox.webhooks()),
                                what="the webhook deliveries to finish")
    receiver_db.conn.close()
    assert {d["status_code"] for d in deliveries} == {200}
    report = blast("campaign", "report", str(cid), "--format", "json")
    rows = json.loads(report.stdout)
    assert all(r["delivered_at"] and r["read_at"] for r in rows)


def test_webhook_serve_on_a_busy_port_is_exit_2_in_one_line(blast, blast_home):
    import socket

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        result = blast("webhook", "serve", "--port", str(busy.getsockname()[1]))
    finally:
        busy.close()
    assert result.exit_code == 2
    assert "cannot listen on 127.0.0.1:" in result.stderr and "choose another --port" in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("blast: error:")] == result.stderr.splitlines()[-1:]


class Served:
    """`blast webhook serve` in a subprocess (optionally with a lower open-file limit); its stderr
    lines are collected as they come, so a test can wait for one."""

    def __init__(self, blast_home, *, nofile: int | None = None) -> None:
        import threading

        def limit():
            import resource

            if nofile is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "BLAST_HOME": str(blast_home)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nexus_blast", "webhook", "serve", "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=limit,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(iter(self.proc.stderr.readline, "")), daemon=True)
        self._reader.start()
        self.wait_for(lambda: "receiving WAHA events" in self.stderr, "receiver did not start")

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    def wait_for(self, condition, what: str, bound: float = 20.0) -> None:
        deadline = time.monotonic() + bound
        while not condition():
            assert self.proc.poll() is None, self.stderr
            assert time.monotonic() < deadline, f"{what}: {self.stderr[-2000:]}"
            time.sleep(0.02)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=15)
        self._reader.join(timeout=5)


def test_webhook_serve_warns_loudly_about_unsigned_events(blast_home):
    write_config(blast_home, '[sessions.s1]\nurl = "http://127.0.0.1:9"\n')
    served = Served(blast_home)
    try:
        response = httpx.post(f"{served.url}/webhook", content=json.dumps(incoming_event(chat_of(PHONES[0]), "oi")), timeout=10)
        assert response.status_code == 200
        served.wait_for(lambda: "(UNSIGNED)" in served.stderr, "unsigned event not flagged")
    finally:
        served.stop()
    assert "WARNING: accepting UNSIGNED events for every session" in served.stderr


def test_webhook_serve_with_keys_refuses_unsigned_and_does_not_warn(blast_home):
    write_config(blast_home, '[sessions.s1]\nurl = "http://127.0.0.1:9"\nwebhook_hmac_key = "k-0123456789abcdef"\n'
                             '[sessions.s2]\nurl = "http://127.0.0.1:9"\n')
    served = Served(blast_home)
    try:
        event = incoming_event(chat_of(PHONES[0]), "SAIR", session="s2")
        assert httpx.post(f"{served.url}/webhook", content=json.dumps(event), timeout=10).status_code == 401
    finally:
        served.stop()
    assert "UNSIGNED" not in served.stderr and "k-0123456789abcdef" not in served.stderr


def test_webhook_serve_survives_1100_idle_connections(blast_home):
    """More idle connections than the process may open files: it stays responsive, logs no
    accept() tracebacks, and answers a normal event once they are gone (issue 17, point 7)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1400:  # this test process holds the 1,100 client ends
        if hard != resource.RLIM_INFINITY and hard < 1400:
            pytest.skip(f"RLIMIT_NOFILE hard limit {hard} is too low for 1,100 sockets")
        resource.setrlimit(resource.RLIMIT_NOFILE, (1400 if hard == resource.RLIM_INFINITY else min(hard, 4096), hard))
    write_config(blast_home, '[sessions.s1]\nurl = "http://127.0.0.1:9"\n')
    served = Served(blast_home, nofile=1024)
    idle = []
    try:
        for _ in range(1100):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", served.port))
            idle.append(sock)
        busy = httpx.get(f"{served.url}/health", timeout=15)  # while they are open: answered, not wedged
        assert busy.status_code in (200, 503)
        for sock in idle:
            sock.close()
        idle = []
        started = time.monotonic()
        body = json.dumps(incoming_event(chat_of(PHONES[0]), "SAIR"))
        deadline = started + 20
        while True:  # a 503 while the server is still seeing the closes is fine; a hang is not
            response = httpx.post(f"{served.url}/webhook", content=body, timeout=20)
            if response.status_code != 503 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert response.status_code == 200 and response.json()["status"] in ("applied", "duplicate")
    finally:
        for sock in idle:
            sock.close()
        served.stop()
    assert "Too many open files" not in served.stderr and "Traceback" not in served.stderr


def test_webhook_serve_logs_an_aborted_upload_in_one_line(blast_home):
    write_config(blast_home, '[sessions.s1]\nurl = "http://127.0.0.1:9"\n')
    served = Served(blast_home)
    try:
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
            # half a body, then the connection closes: the abort
            sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{\"event\": \"mess")
        served.wait_for(lambda: "aborted" in served.stderr, "aborted upload not logged")
        assert httpx.get(f"{served.url}/health", timeout=10).status_code == 200
    finally:
        served.stop()
    assert "Traceback" not in served.stderr
    assert len([line for line in served.lines if "aborted" in line]) == 1
