"""pt-BR: `LANG=pt_BR.UTF-8` (or `general.language = "pt_BR"`) makes blast speak Portuguese —
help, errors, validate's report, doctor — and `LANG=C` English; `--json` stays byte-identical."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BLAST = str(Path(sys.executable).parent / "blast")
PT = {"LANG": "pt_BR.UTF-8"}


def run(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`blast ARGS` as a new process (help texts are built once per process)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BLAST_", "LC_", "LANG"))}
    return subprocess.run([BLAST, *args], env={**clean, "BLAST_HOME": str(home), "COLUMNS": "100", **(env or {"LANG": "C"})},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def rejects_file(tmp_path) -> Path:
    path = tmp_path / "contatos.csv"
    path.write_text("nome;telefone\nAna;11987654321\nBia;190\nCaio;abc\n", encoding="utf-8")
    return path


def test_help_speaks_portuguese_with_lang_pt_br(blast_home):
    result = run(blast_home, "--help", env=PT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Uso: blast [OPTIONS] COMMAND [ARGS]...\n")
    assert "Campanhas de WhatsApp em massa pelo WAHA" in out
    assert "\nOpções:\n" in out and "\nComandos:\n" in out
    assert "-h, --help            Mostrar esta mensagem e sair." in out
    assert "--version             Mostrar a versão e sair." in out
    assert "  contacts  Listas de contatos importadas.\n" in out


def test_a_command_help_speaks_portuguese(blast_home):
    out = run(blast_home, "validate", "--help", env=PT).stdout
    assert out.startswith("Uso: blast validate FILE [OPTIONS]\n\n  Verificar os telefones de um arquivo de contatos.\n\n"
                          "  Sai com 1 quando há linhas inválidas.\n")
    assert "\nArgumentos:\n" in out and "[obrigatório]" in out
    assert "Não pedir confirmação." in out
    out = run(blast_home, "contacts", "show", "--help", env=PT).stdout
    assert "Contatos a mostrar (0 = todos).  [padrão: 20" in out


def test_help_speaks_english_with_lang_c(blast_home):
    out = run(blast_home, "--help").stdout
    assert out.startswith("Usage: blast [OPTIONS] COMMAND [ARGS]...\n")
    assert "\nOptions:\n" in out and "\nCommands:\n" in out and "Show this message and exit." in out
    assert "Validate a contacts file" in run(blast_home, "import", "--help").stdout


def test_general_language_in_the_config_wins_over_the_locale(blast_home):
    (blast_home / "config.toml").write_text('[general]\nlanguage = "pt_BR"\n')
    assert run(blast_home, "--help").stdout.startswith("Uso: ")
    (blast_home / "config.toml").write_text('[general]\nlanguage = "en"\n')
    assert run(blast_home, "--help", env=PT).stdout.startswith("Usage: ")
    other = blast_home / "outro.toml"
    other.write_text('[general]\nlanguage = "pt_BR"\n')
    assert run(blast_home, "--config", str(other), "--help").stdout.startswith("Uso: ")


def test_validate_with_rejects_speaks_portuguese(blast, rejects_file, monkeypatch):
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    result = blast("validate", rejects_file)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "\trows", "total\t3", "válidos\t1", "inválidos\t2", "  not_a_number\t1", "  too_short\t1", "duplicados\t0",
        "row\tphone\treason", "2\t190\ttoo_short", "3\tabc\tnot_a_number",  # piped: headers as scripts read them
    ]
    assert result.stderr.splitlines() == [f"{rejects_file} (coluna de telefone: telefone)", "primeiras 2 linhas rejeitadas"]


def test_validate_with_rejects_speaks_english_with_lang_c(blast, rejects_file):
    result = blast("validate", rejects_file)
    assert result.exit_code == 1
    assert "\trows" in result.stdout and "valid\t1" in result.stdout and "invalid\t2" in result.stdout
    assert result.stderr.splitlines() == [f"{rejects_file} (phone column: telefone)", "first 2 rejected rows"]


def test_numbers_in_human_output_use_the_brazilian_separators(blast, tmp_path, monkeypatch):
    path = tmp_path / "muitos.csv"
    path.write_text("telefone\n" + "".join(f"1198{i:07d}\n" for i in range(1234)), encoding="utf-8")
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    assert "total\t1.234" in blast("validate", path).stdout
    monkeypatch.setenv("LANG", "C")
    assert "total\t1,234" in blast("validate", path).stdout


def test_a_missing_file_speaks_portuguese(blast, tmp_path, monkeypatch):
    missing = tmp_path / "nao-existe.csv"
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    result = blast("validate", missing)
    assert result.exit_code == 2
    assert result.stderr == f"blast: erro: {missing}: não foi possível ler (arquivo ou pasta inexistente)\n"
    monkeypatch.setenv("LANG", "C")
    assert blast("validate", missing).stderr == f"blast: error: {missing}: cannot read (No such file or directory)\n"


def test_usage_errors_speak_portuguese(blast, monkeypatch):
    monkeypatch.setenv("LC_ALL", "pt_BR.UTF-8")
    assert blast("validate").stderr == "blast: erro: Falta o argumento 'FILE'. (veja: blast validate --help)\n"
    assert blast("validate", "x.csv", "--bogus").stderr == "blast: erro: Opção inexistente: --bogus (veja: blast validate --help)\n"
    assert blast("contacts", "show", "x", "--limit", "abc").stderr == (
        "blast: erro: Valor inválido para '--limit': esperado um número inteiro (veja: blast contacts show --help)\n"
    )
    assert blast("nada").stderr == "blast: erro: Comando 'nada' não existe. (veja: blast --help)\n"


def test_a_missing_yes_without_a_terminal_speaks_portuguese(blast, blast_home, rejects_file, monkeypatch):
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    out = blast_home / "saida.csv"
    out.write_text("x")
    result = blast("validate", rejects_file, "--output", out)
    assert result.exit_code == 2
    assert result.stderr == f"blast: erro: Sobrescrever {out}? — a entrada padrão não é um terminal; use --yes para confirmar\n"


def test_doctor_speaks_portuguese(blast, blast_home, monkeypatch):
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    result = blast("doctor")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "check\t\twhat\tfix"  # piped: the header as scripts read it
    assert lines[1] == f"config\twarn\tnenhum arquivo de configuração em {blast_home / 'config.toml'} (usando os padrões)\tblast init"
    assert lines[2] == f"database\twarn\tnenhum banco de dados ainda em {blast_home / 'blast.db'}\tblast init (ou qualquer comando que grave)"
    assert re.fullmatch(r"window\tok\t08:00-20:00 mon-sat \(America/Sao_Paulo\): (aberta agora|fechada agora, abre \d\d/\d\d/\d{4} \d\d:\d\d)"
                        r" \(hora local \d\d/\d\d/\d{4} \d\d:\d\d\)\t", lines[3]), lines[3]
    assert lines[4] == "sessions\twarn\tnenhuma sessão configurada\tblast session add NAME --url URL"


def _same_minute(text: str) -> str:
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "DATE", text)


@pytest.mark.parametrize("args", [
    ("validate", "{rejects}", "--json"),
    ("validate", "{missing}", "--json"),
    ("contacts", "show", "nada", "--json"),
    ("doctor", "--json"),
    ("config", "path", "--json"),
    ("validate", "--json"),
    ("nada", "--json"),
    ("contacts", "show", "x", "--limit", "abc", "--json"),
])
def test_json_is_byte_identical_in_both_languages(blast, monkeypatch, rejects_file, tmp_path, args):
    args = [a.format(rejects=rejects_file, missing=tmp_path / "nao-existe.csv") for a in args]
    english = blast(*args)
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    portuguese = blast(*args)
    assert portuguese.exit_code == english.exit_code
    assert _same_minute(portuguese.stdout) == _same_minute(english.stdout)
    assert english.stdout.strip()  # a document, not nothing
    if english.stderr:
        assert portuguese.stderr != english.stderr  # the human line did change


def test_delays_typed_with_a_decimal_comma(blast, blast_home, sandbox, tmp_path):
    """`--delay 30,5-60` (and `sending.delay = "0,5-2"`) as a Brazilian types them."""
    from tests.campaigns.helpers import configure, write_contacts

    configure(blast_home, {"s1": sandbox.url}, sending={"delay": "0,5-2"})
    csv = write_contacts(tmp_path / "c.csv", 3)
    result = blast("send", csv, "-m", "Oi", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["delay"] == "0.5-2"
    result = blast("send", csv, "-m", "Oi", "--dry-run", "--delay", "30,5-60", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["delay"] == "30.5-60"
    assert blast("send", csv, "-m", "Oi", "--dry-run", "--delay", "1.234,5-2000", "--json").exit_code == 2


def test_help_follows_the_language_of_each_invocation_in_one_process(blast, monkeypatch):
    """Commands are built once per process; their help is translated when shown, not when built."""
    english = blast("contacts", "--help").stdout
    assert "Every imported contact list with its counts." in english and "Show this message and exit." in english
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    portuguese = blast("contacts", "--help").stdout
    assert portuguese.startswith("Uso: blast contacts [OPTIONS] COMMAND [ARGS]...\n\n  Listas de contatos importadas.\n")
    assert "  lists   Todas as listas de contatos importadas, com suas contagens.\n" in portuguese
    assert "Mostrar esta mensagem e sair." in portuguese
    assert "Imprimir um documento JSON na saída padrão." in blast("contacts", "lists", "--help").stdout
    monkeypatch.setenv("LANG", "C")
    assert blast("contacts", "--help").stdout == english


def test_float_options_take_a_decimal_comma(blast, monkeypatch):
    """`--timeout 2,5` as typed in Brazil (every float option: the tree of commands is adapted once)."""
    result = blast("ai", "test", "nada", "--timeout", "2,5")
    assert result.exit_code == 2 and result.stderr.startswith("blast: error: unknown AI provider 'nada'")  # --timeout accepted
    assert "Invalid value for '--timeout'" in blast("ai", "test", "nada", "--timeout", "2;5").stderr
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    assert blast("ai", "test", "nada", "--timeout", "0,05").stderr.startswith("blast: erro: Valor inválido para '--timeout': deve ser no mínimo 0.1")
