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
    time.sleep(0.1)
    result = blast("campaign", "sync", str(cid), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"campaign": cid, "checked": 3, "updated": 3, "delivered": 3, "read": 3, "errors": []}
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


def test_webhook_serve_receives_events_until_interrupted(blast_home, home_db):
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
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
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
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    assert out == ""
    assert f"http://127.0.0.1:{port}/webhook" in err
    row = home_db.conn.execute("SELECT reason FROM optouts WHERE phone = ?", (PHONES[2],)).fetchone()
    assert row["reason"] == "keyword:chega"
    assert home_db.conn.execute("SELECT status FROM messages WHERE phone = ?", (PHONES[2],)).fetchone()[0] == "skipped"
