"""Shell completion through the real `blast` (bash protocol): session names, campaign ids, contact
lists, AI providers; read lazily and silent when the config or database is missing or broken."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.campaigns.helpers import configure, write_contacts


def _complete(home, line: str, **env) -> subprocess.CompletedProcess:
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {
        "BLAST_HOME": str(home), "_BLAST_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword),
    } | env
    return subprocess.run([sys.executable, "-m", "nexus_blast"], env=environ, capture_output=True, text=True, timeout=60)


def _values(done: subprocess.CompletedProcess) -> list[str]:
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout.split()


def test_names_ids_lists_and_providers_complete(blast, blast_home, sandbox, tmp_path):
    configure(blast_home, {"loja": sandbox.url, "filial": sandbox.url})
    csv = write_contacts(tmp_path / "c.csv", 2)
    assert blast("import", str(csv), "--list", "clientes").exit_code == 0
    assert blast("send", "--list", "clientes", "-m", "Oi {{nome}}", "--at", "+1h", "--yes").exit_code == 0
    assert blast("ai", "add", "ollama", "--yes").exit_code in (0, 3)

    assert sorted(_values(_complete(blast_home, "blast session show "))) == ["filial", "loja"]
    assert _values(_complete(blast_home, "blast session pair f")) == ["filial"]
    assert _values(_complete(blast_home, "blast send c.csv --session loja,")) == ["loja,filial"]
    assert _values(_complete(blast_home, "blast campaign show ")) == ["1"]
    assert _values(_complete(blast_home, "blast send --list c")) == ["clientes"]
    assert _values(_complete(blast_home, "blast contacts show ")) == ["clientes"]
    assert "ollama" in _values(_complete(blast_home, "blast ai add o"))
    assert "ollama" in _values(_complete(blast_home, "blast copy x --provider "))


def test_other_config_given_on_the_line_is_the_one_read(blast_home, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text('[sessions.norte]\nurl = "http://127.0.0.1:1"\n', encoding="utf-8")
    assert _values(_complete(blast_home, f"blast --config {other} session show ")) == ["norte"]


@pytest.mark.parametrize("config, db", [
    (None, None),  # nothing yet
    (b"[sessions\nbroken", b"not a database at all"),
])
def test_missing_or_broken_files_complete_to_nothing_silently(blast_home, config, db):
    if config is not None:
        (blast_home / "config.toml").write_bytes(config)
        (blast_home / "blast.db").write_bytes(db)
    for line in ("blast session show ", "blast campaign show ", "blast send --list ", "blast ai test "):
        assert _values(_complete(blast_home, line)) == [], line
    assert config is not None or not (blast_home / "blast.db").exists()  # completion creates nothing
