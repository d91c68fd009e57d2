"""WAHA's errors in pt-BR (LANG=pt_BR.UTF-8) and English (LANG=C) through `blast`, against the
sandbox: an unreachable server, a refused API key, a session missing on the server, a pairing
timeout, and a domain error (a bad `sending.delay`, a bad `--confirm-window`); `--json`
byte-identical in both languages (its messages stay English)."""

from __future__ import annotations

import pytest

from tests.campaigns.helpers import configure, write_contacts
from tests.waha.loopback import closed_port_url

KEY = "sandbox-key-5e2b91c0aa"
PT, EN = "pt_BR.UTF-8", "C"


@pytest.fixture
def speak(monkeypatch):
    """speak(LANG, blast, *args): one `blast` run in that locale."""

    def run(lang, blast, *args):
        monkeypatch.setenv("LANG", lang)
        return blast(*args)

    return run


def _both(speak, blast, *args, code):
    """(pt-BR run, English run) of `blast ARGS`, both exiting CODE; their --json identical."""
    pt, en = speak(PT, blast, *args), speak(EN, blast, *args)
    assert (pt.exit_code, en.exit_code) == (code, code), pt.stderr + en.stderr
    pt_json, en_json = speak(PT, blast, *args, "--json"), speak(EN, blast, *args, "--json")
    assert pt_json.exit_code == en_json.exit_code == code
    assert pt_json.stdout == en_json.stdout
    return pt, en, en_json


def test_an_unreachable_server_speaks_portuguese_and_english(blast, speak):
    url = closed_port_url()
    assert blast("session", "add", "dead", "--url", url, "--no-check").exit_code == 0
    pt, en, doc = _both(speak, blast, "session", "show", "dead", code=3)
    assert pt.stderr == (f"blast: erro: WAHA {url}: não foi possível conectar (todas as tentativas de conexão falharam) "
                         "(o servidor está rodando e a URL está certa?)\n")
    assert en.stderr == (f"blast: error: WAHA {url}: cannot connect (All connection attempts failed) "
                         "(is the server running and the URL right?)\n")
    assert doc.json() == {"error": {"code": 3, "message": f"WAHA {url}: cannot connect (All connection attempts failed)",
                                    "hint": "is the server running and the URL right?"}}


def test_a_refused_api_key_speaks_portuguese_and_english(blast, make_sandbox, speak):
    sb = make_sandbox(sessions=("s1",), api_key=KEY)
    assert blast("session", "add", "bad", "--url", sb.url, "--waha-session", "s1", "--api-key", "wrong-key-0000aaaa1111",
                 "--no-check").exit_code == 0
    pt, en, doc = _both(speak, blast, "session", "show", "bad", code=3)
    assert pt.stderr == f"blast: erro: WAHA {sb.url}: chave de API recusada (HTTP 401) (confira o api_key ou o api_key_env da sessão)\n"
    assert en.stderr == f"blast: error: WAHA {sb.url}: API key refused (HTTP 401) (check the session's api_key or api_key_env)\n"
    assert doc.json()["error"]["message"] == f"WAHA {sb.url}: API key refused (HTTP 401)"
    assert "wrong-key-0000aaaa1111" not in pt.stderr + en.stderr + doc.stdout


def test_a_session_missing_on_the_server_speaks_portuguese_and_english(blast, make_sandbox, speak):
    sb = make_sandbox(sessions=("s1",))
    assert blast("session", "add", "gone", "--url", sb.url, "--no-check").exit_code == 0
    pt, en, doc = _both(speak, blast, "session", "restart", "gone", code=2)
    assert pt.stderr == (f"blast: erro: WAHA {sb.url} sessão 'gone': sessão não encontrada ou não iniciada no servidor "
                         "(crie ou inicie a sessão: blast session start NAME)\n")
    assert en.stderr == (f"blast: error: WAHA {sb.url} session 'gone': session not found or not started on the server "
                         "(create or start it: blast session start NAME)\n")
    assert doc.json()["error"] == {"code": 2, "message": f"WAHA {sb.url} session 'gone': session not found or not started on the server",
                                   "hint": "create or start it: blast session start NAME"}


def test_session_show_and_list_keep_waha_errors_english_in_json(blast, make_sandbox, speak):
    sb = make_sandbox(sessions=("s1",), api_key=KEY)
    assert blast("session", "add", "gone", "--url", sb.url, "--api-key", KEY, "--no-check").exit_code == 0
    assert blast("session", "add", "bad", "--url", sb.url, "--waha-session", "s1", "--api-key", "nope-nope-nope-0000",
                 "--no-check").exit_code == 0
    shown = _both(speak, blast, "session", "show", "gone", code=3)[2].json()
    assert shown["error"] == f"WAHA {sb.url} session 'gone': session not found or not started on the server"
    rows = {r["name"]: r for r in speak(PT, blast, "session", "list", "--json").json()}
    assert speak(EN, blast, "session", "list", "--json").json() == list(rows.values())
    assert rows["bad"]["status"] == "UNAUTHORIZED"
    assert rows["bad"]["error"] == rows["bad"]["health"] == f"WAHA {sb.url} session 's1': API key refused (HTTP 401)"
    listed = speak(PT, blast, "session", "list").stdout.splitlines()
    bad = next(line for line in listed if line.startswith("bad\t"))
    assert f"\tWAHA {sb.url} sessão 's1': chave de API recusada (HTTP 401)\t" in bad


def test_a_pairing_timeout_speaks_portuguese_and_english(blast, make_sandbox, speak):
    sb = make_sandbox(engine="NOWEB", offline=True)  # never reaches SCAN_QR_CODE
    assert blast("session", "add", "loja", "--url", sb.url).exit_code == 0
    args = ("session", "pair", "loja", "--interval", "0.05", "--timeout", "1")
    pt, en, doc = _both(speak, blast, *args, code=3)
    assert pt.stderr.splitlines()[-1] == (
        f"blast: erro: WAHA {sb.url} sessão 'loja': a sessão nunca chegou a SCAN_QR_CODE (ainda em STARTING): o servidor "
        "WAHA está online? (confira se o servidor WAHA consegue acessar o WhatsApp (o log dele, o acesso à internet) e pareie de novo)")
    assert en.stderr.splitlines()[-1] == (
        f"blast: error: WAHA {sb.url} session 'loja': the session never reached SCAN_QR_CODE (still STARTING): is the WAHA "
        "server online? (check that the WAHA server can reach WhatsApp (its log, its internet access), then pair again)")
    assert doc.json()["error"]["hint"] == "check that the WAHA server can reach WhatsApp (its log, its internet access), then pair again"


def test_a_qr_never_scanned_times_out_in_portuguese(blast, make_sandbox, speak):
    sb = make_sandbox(start_seconds=0.01)
    assert blast("session", "add", "novo", "--url", sb.url).exit_code == 0
    result = speak(PT, blast, "session", "pair", "novo", "--interval", "0.05", "--timeout", "1")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == (
        f"blast: erro: WAHA {sb.url} sessão 'novo': não pareada em 1s (status SCAN_QR_CODE) (rode de novo e leia o QR mais rápido)")


def test_a_bad_delay_setting_speaks_portuguese_and_english(blast, speak, monkeypatch):
    monkeypatch.setenv("BLAST_SENDING__DELAY", "depressa")
    pt, en, doc = _both(speak, blast, "session", "list", code=2)
    assert pt.stderr == ("blast: erro: variável de ambiente BLAST_SENDING__DELAY: sending.delay: o intervalo 'depressa' não "
                         "está no formato MIN-MAX em segundos (ex.: 30-60)\n")
    assert en.stderr == ("blast: error: environment variable BLAST_SENDING__DELAY: sending.delay: delay 'depressa' is not "
                         "MIN-MAX in seconds (e.g. 30-60)\n")
    assert doc.json()["error"]["message"] == en.stderr.removeprefix("blast: error: ").rstrip("\n")


def test_a_bad_confirm_window_speaks_portuguese_and_english(blast, sandbox, blast_home, tmp_path, speak):
    configure(blast_home, {"s1": sandbox.url})
    csv = write_contacts(tmp_path / "contatos.csv", 2)
    pt, en, doc = _both(speak, blast, "send", csv, "-m", "Oi {{nome}}", "--confirm-first", "Posso mandar?",
                        "--confirm-window", "logo", "--yes", code=2)
    assert pt.stderr == ("blast: erro: --confirm-window: não foi possível entender a duração 'logo' "
                         "(use, por exemplo, 72h, 2h30m, 3d, 90m)\n")
    assert en.stderr == "blast: error: --confirm-window: cannot read duration 'logo' (use e.g. 72h, 2h30m, 3d, 90m)\n"
    assert doc.json()["error"]["message"] == "--confirm-window: cannot read duration 'logo' (use e.g. 72h, 2h30m, 3d, 90m)"
    assert sandbox.sent() == []
