"""`blast sandbox serve` as a real process: URL on stderr, key enforced, clean stop on SIGTERM/SIGINT."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest


def _start(*args: str) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "nexus_blast", "sandbox", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    deadline = time.monotonic() + 20
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen += line
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            return proc, match.group(1)
        if proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"sandbox did not announce its URL: {seen}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_announces_url_enforces_key_and_stops_cleanly(sig):
    proc, url = _start("--sessions", "a,b", "--api-key", "cli-key-123456789", "--engine", "NOWEB", "--tier", "PLUS")
    try:
        assert httpx.get(f"{url}/api/sessions").status_code == 401
        sessions = httpx.get(f"{url}/api/sessions", headers={"X-Api-Key": "cli-key-123456789"}).json()
        assert [(s["name"], s["status"]) for s in sessions] == [("a", "WORKING"), ("b", "WORKING")]
        assert all(s["me"]["id"].endswith("@c.us") for s in sessions)
        sent = httpx.post(f"{url}/api/sendText", headers={"X-Api-Key": "cli-key-123456789"},
                          json={"session": "a", "chatId": "5511987654321@c.us", "text": "oi"})
        assert sent.status_code == 201 and "key" in sent.json()
        assert httpx.get(f"{url}/_sandbox/sent").json()[0]["text"] == "oi"
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "cli-key-123456789" not in out + err


def test_serve_without_key_accepts_requests_and_bad_options_exit_2():
    proc, url = _start()
    try:
        assert httpx.get(f"{url}/api/server/version").json()["tier"] == "PLUS"
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    assert proc.returncode == 0
    bad = subprocess.run([sys.executable, "-m", "nexus_blast", "sandbox", "serve", "--engine", "FOO"],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "engine" in bad.stderr


def test_serve_core_tier_has_default_from_boot_and_scales_wahas_waits():
    proc, url = _start("--tier", "CORE", "--engine", "NOWEB", "--wait-scale", "0.02", "--offline", "--waha-version", "2026.2.1")
    try:
        sessions = httpx.get(f"{url}/api/sessions", params={"all": "true"}).json()
        assert sessions == [{"name": "default", "status": "STOPPED", "config": None, "me": None,
                             "presence": None, "timestamps": {"activity": None}}]
        other = httpx.get(f"{url}/api/sessions/loja")
        assert other.status_code == 422 and "only 'default'" in other.json()["message"]
        started = time.monotonic()
        answer = httpx.post(f"{url}/api/sendText", json={"session": "default", "chatId": "5511987654321@c.us", "text": "oi"}, timeout=30)
        assert answer.status_code == 422 and answer.json()["status"] == "STOPPED"
        assert time.monotonic() - started < 4  # 5 s × 0.02, with room for a busy machine
        assert httpx.get(f"{url}/api/server/version").json()["version"] == "2026.2.1"
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    assert proc.returncode == 0
