"""pt-BR for the servers: `blast sandbox serve` and `blast webhook serve` announce, warn and fail in
Portuguese under LANG=pt_BR.UTF-8 and in English under LANG=C (the sandbox's HTTP answers stay English)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

BLAST = str(Path(sys.executable).parent / "blast")
PT = {"LANG": "pt_BR.UTF-8"}
C = {"LANG": "C"}


def _env(home: Path, lang: dict[str, str]) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BLAST_", "LC_", "LANG"))}
    return {**clean, "BLAST_HOME": str(home), "COLUMNS": "100", "PYTHONUNBUFFERED": "1", **lang}


def run(home: Path, lang: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BLAST, *args], env=_env(home, lang), capture_output=True, text=True, timeout=120)


def serve(home: Path, lang: dict[str, str], *args: str, lines: int) -> tuple[subprocess.Popen, list[str]]:
    """Start `blast ARGS`, read its first LINES stderr lines (readline blocks until each arrives)."""
    proc = subprocess.Popen([BLAST, *args], env=_env(home, lang), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = [proc.stderr.readline().rstrip("\n") for _ in range(lines)]
    return proc, seen


@pytest.fixture
def busy_port():
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    yield busy.getsockname()[1]
    busy.close()


@pytest.mark.parametrize(("lang", "expected"), [
    (PT, "blast: erro: a engine deve ser uma destas: WEBJS, NOWEB, GOWS"),
    (C, "blast: error: engine must be one of WEBJS, NOWEB, GOWS"),
])
def test_sandbox_bad_engine(blast_home, lang, expected):
    result = run(blast_home, lang, "sandbox", "serve", "--engine", "FOO")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == expected


@pytest.mark.parametrize(("lang", "start", "hint"), [
    (PT, "blast: erro: não é possível escutar em 127.0.0.1:", "escolha outra --port"),
    (C, "blast: error: cannot listen on 127.0.0.1:", "choose another --port"),
])
@pytest.mark.parametrize("command", ["sandbox", "webhook"])
def test_busy_port(blast_home, busy_port, lang, start, hint, command):
    result = run(blast_home, lang, command, "serve", "--port", str(busy_port))
    assert result.returncode == 2
    assert result.stderr.startswith(start) and hint in result.stderr


@pytest.mark.parametrize(("lang", "lines", "stopped"), [
    (PT, ["sandbox do WAHA escutando em {url}  (engine WEBJS, tier PLUS, sessões: nenhuma ainda)",
          "nenhuma chave de API exigida",
          "experimente: blast session add NAME --url {url}   — Ctrl-C para o servidor"], "sandbox parado"),
    (C, ["WAHA sandbox listening on {url}  (engine WEBJS, tier PLUS, sessions: none yet)",
         "no API key required",
         "try: blast session add NAME --url {url}   — Ctrl-C stops it"], "sandbox stopped"),
])
def test_sandbox_announces_in_the_language(blast_home, lang, lines, stopped):
    proc, seen = serve(blast_home, lang, "sandbox", "serve", "--port", "0", lines=3)
    try:
        url = re.search(r"(http://127\.0\.0\.1:\d+)", seen[0]).group(1)
        assert seen == [line.format(url=url) for line in lines]
        assert httpx.get(f"{url}/api/sessions").json() == []  # HTTP answers are WAHA's, untouched
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and err.strip().splitlines()[-1] == stopped


@pytest.mark.parametrize(("lang", "receiving", "warning"), [
    (PT, "recebendo eventos do WAHA em {url}/webhook (Ctrl-C para)",
     "ATENÇÃO: aceitando eventos SEM ASSINATURA para todas as sessões (nenhuma sessão tem webhook_hmac_key): "
     "qualquer um que alcance esta porta pode forjar confirmações, status das sessões e descadastros. "
     "Defina uma chave: blast session update NAME --webhook URL --webhook-hmac-key KEY"),
    (C, "receiving WAHA events on {url}/webhook (Ctrl-C stops)",
     "WARNING: accepting UNSIGNED events for every session (no session has webhook_hmac_key): anyone who can "
     "reach this port can forge receipts, session status and opt-outs. "
     "Set a key: blast session update NAME --webhook URL --webhook-hmac-key KEY"),
])
def test_webhook_serve_announces_and_warns_in_the_language(blast_home, lang, receiving, warning):
    proc, seen = serve(blast_home, lang, "webhook", "serve", "--host", "127.0.0.1", "--port", "0", lines=2)
    try:
        url = re.search(r"(http://127\.0\.0\.1:\d+)", seen[0]).group(1)
        assert seen == [receiving.format(url=url), warning]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
