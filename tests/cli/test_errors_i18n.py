"""Errors that used to reach pt-BR users in English, now in Portuguese (LANG=pt_BR.UTF-8), English
with LANG=C, `--json` byte-identical: a file that is not a database, syncing an unknown campaign, a
notify URL without https, a bad sending window."""

from __future__ import annotations

import pytest

PT, EN = "pt_BR.UTF-8", "C"


@pytest.fixture
def both(blast, monkeypatch):
    """both(*args, code=N): (pt-BR stderr, English stderr, the --json document), --json identical."""

    def run(*args, code):
        out = {}
        for lang in (PT, EN):
            monkeypatch.setenv("LANG", lang)
            human, doc = blast(*args), blast(*args, "--json")
            assert human.exit_code == doc.exit_code == code, human.stderr
            out[lang] = human.stderr, doc.stdout
        assert out[PT][1] == out[EN][1]
        return out[PT][0], out[EN][0], out[EN][1]

    return run


def test_a_file_that_is_not_a_database(blast_home, both):
    db = blast_home / "blast.db"
    db.write_text("nome;telefone\nAna;11 98100-0001\n" * 50, encoding="utf-8")
    pt, en, doc = both("campaign", "list", code=2)
    assert pt == (f"blast: erro: {db}: não é um banco de dados do nexus_blast (o arquivo não é SQLite) "
                  "(aponte --db ou BLAST_HOME para o arquivo certo, ou tire este do lugar)\n")
    assert en == (f"blast: error: {db}: not a nexus_blast database (the file is not SQLite) "
                  "(point --db or BLAST_HOME at the right file, or move this one away)\n")
    assert f'"message": "{db}: not a nexus_blast database (the file is not SQLite)"' in doc


def test_syncing_an_unknown_campaign(both):
    pt, en, doc = both("campaign", "sync", "99", code=2)
    assert pt == "blast: erro: campanha 99 desconhecida (veja: blast campaign list)\n"
    assert en == "blast: error: unknown campaign 99 (see: blast campaign list)\n"


def test_a_notify_url_without_https(both, monkeypatch):
    monkeypatch.setenv("BLAST_NOTIFY__URL", "http://example.com/hook")
    pt, en, doc = both("session", "list", code=2)
    assert pt == ("blast: erro: variável de ambiente BLAST_NOTIFY__URL: notify.url: 'http://example.com/hook': use https "
                  "(http simples só no loopback: 127.0.0.1, localhost)\n")
    assert en == ("blast: error: environment variable BLAST_NOTIFY__URL: notify.url: 'http://example.com/hook': use https "
                  "(plain http only on loopback: 127.0.0.1, localhost)\n")


def test_a_bad_sending_window_in_the_config_file(blast_home, both):
    (blast_home / "config.toml").write_text('[sending]\nwindow = "8h às 20h"\n', encoding="utf-8")
    pt, en, doc = both("session", "list", code=2)
    path = blast_home / "config.toml"
    assert pt == f"blast: erro: {path}: sending.window: a janela '8h às 20h' não está no formato HH:MM-HH:MM\n"
    assert en == f"blast: error: {path}: sending.window: window '8h às 20h' is not HH:MM-HH:MM\n"


def test_the_dry_run_plan_speaks_portuguese_and_its_json_stays_identical(blast, sandbox, blast_home, tmp_path, monkeypatch):
    from tests.campaigns.helpers import configure, write_contacts

    configure(blast_home, {"s1": sandbox.url})
    csv = write_contacts(tmp_path / "c.csv", 2, ["Zé;123;X"])
    args = ("send", csv, "-m", "Oi {{nome}}", "--dry-run")
    monkeypatch.setenv("LANG", PT)
    pt, pt_json = blast(*args), blast(*args, "--json")
    monkeypatch.setenv("LANG", EN)
    en, en_json = blast(*args), blast(*args, "--json")
    assert pt.exit_code == en.exit_code == 0 and pt_json.stdout == en_json.stdout
    for line in ("linhas rejeitadas (too_short 1)\t1\t", "RISCO ALTO (delay_short): o intervalo entre dois envios começa em 0 s, abaixo de 20 s",
                 "--- linha 1 → +5511981000000 pela sessão s1", "simulação: nada foi guardado, nada foi enviado"):
        assert line in pt.stdout.splitlines()
    for line in ("rejected rows (too_short 1)\t1\t", "HIGH RISK (delay_short): the delay between two sends starts at 0 s, below 20 s",
                 "--- row 1 → +5511981000000 via s1", "dry run: nothing stored, nothing sent"):
        assert line in en.stdout.splitlines()
    assert ": 2 mensagens, intervalo de " in pt.stderr and ": 2 messages, delay " in en.stderr
