"""Files with personal data and URLs with credentials (issue 17, point 8): formula cells escaped in
every CSV blast writes, owner-only files and directories, session URLs masked wherever printed."""

from __future__ import annotations

import csv
import os
import stat

import pytest

from tests.campaigns.helpers import configure, write_contacts
from tests.waha.loopback import closed_port_url


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def wide_umask():
    previous = os.umask(0o022)  # what most shells have: files 0644, directories 0755 by default
    yield
    os.umask(previous)


def test_validate_output_and_rejects_escape_formula_cells_and_read_back(blast, tmp_path):
    source = tmp_path / "c.csv"
    source.write_text(
        "nome,telefone,nota\n"
        '"=HYPERLINK(""http://x"",""oi"")",+55 11 98765-4321,@SUM(A1)\n'
        "Bia,+55 21 98765-1234,-2+3\n"
        '"\tTab",abc,"\rcr"\n'
        "+Cid,999,ok\n",
        encoding="utf-8",
    )
    out, rej = tmp_path / "out.csv", tmp_path / "rej.csv"
    assert blast("validate", source, "--output", out, "--rejects", rej, "--json").exit_code == 1
    with open(out, encoding="utf-8", newline="") as handle:
        valid = list(csv.DictReader(handle))
    assert [(r["nome"], r["telefone"], r["nota"], r["phone_e164"]) for r in valid] == [
        ("'=HYPERLINK(\"http://x\",\"oi\")", "'+55 11 98765-4321", "'@SUM(A1)", "'+5511987654321"),
        ("Bia", "'+55 21 98765-1234", "'-2+3", "'+5521987651234"),
    ]
    rejected = rej.read_bytes().decode("utf-8")  # as written: a CR stays a CR
    assert "'\tTab" in rejected and "'\rcr" in rejected and "\n'+Cid," in rejected
    again = blast("validate", out, "--json")  # blast reads its own escaped phones back
    assert again.exit_code == 0, again.stdout + again.stderr
    assert (again.json()["valid"], again.json()["invalid"]) == (2, 0)


def test_campaign_report_file_is_0600(blast, sandbox, blast_home, tmp_path, wide_umask):
    configure(blast_home, {"s1": sandbox.url})
    sent = blast("send", write_contacts(tmp_path / "c.csv", 2), "-m", "Oi {{nome}}", "--yes", "--json")
    assert sent.exit_code == 0, sent.stderr
    cid = str(sent.json()["campaign"])
    out = tmp_path / "r.csv"
    assert blast("campaign", "report", cid, "-o", out).exit_code == 0
    assert mode(out) == 0o600
    out.chmod(0o644)  # an existing, wider file is narrowed when replaced
    assert blast("campaign", "report", cid, "-o", out, "--format", "json", "--yes").exit_code == 0
    assert mode(out) == 0o600


def test_directories_blast_creates_are_0700(blast, tmp_path, monkeypatch, wide_umask):
    home = tmp_path / "deep" / "blast-home"
    monkeypatch.setenv("BLAST_HOME", str(home))
    result = blast("session", "add", "s1", "--url", "http://127.0.0.1:9", "--no-check", "--json")
    assert result.exit_code == 0, result.stderr
    assert blast("campaign", "list", "--json").exit_code == 0  # opens (creates) the database
    assert (home / "config.toml").exists() and (home / "blast.db").exists()
    assert mode(home) == mode(home.parent) == 0o700
    monkeypatch.delenv("BLAST_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    assert blast("campaign", "list", "--json").exit_code == 0
    assert mode(tmp_path / "xdg-data") == mode(tmp_path / "xdg-data" / "nexus-blast") == 0o700


def test_session_url_credentials_are_masked_wherever_printed(blast, blast_home, make_sandbox):
    sandbox = make_sandbox(sessions=("s1",))
    host = sandbox.url.split("//", 1)[1]
    good = f"http://admin:pa55word-secret@{host}"
    dead = closed_port_url().replace("//", "//tok3n-secret@") + "/?api_key=query-secret&plain"
    outputs = []

    def run(*args):
        result = blast(*args)
        outputs.append(result.stdout + result.stderr)
        return result

    added = run("session", "add", "s1", "--url", good, "--json")
    assert added.exit_code == 0, added.stderr
    assert added.json()["url"] == f"http://admin:…@{host}"
    run("session", "add", "s2", "--url", good, "--waha-session", "s1")
    assert run("session", "add", "dead", "--url", dead, "--no-check", "--json").json()["url"].endswith("/?api_key=…&…")
    for args in (("list",), ("list", "--json"), ("show", "s1"), ("show", "s1", "--json"), ("show", "dead"),
                 ("show", "dead", "--json"), ("start", "dead"), ("stop", "s1", "--json"), ("update", "s1", "--weight", "2", "--json")):
        run("session", *args)
    run("config", "show")
    run("config", "show", "--json")
    everything = "\n".join(outputs)
    assert f"admin:…@{host}" in everything and "…@127.0.0.1" in everything
    for secret in ("pa55word-secret", "tok3n-secret", "query-secret", "plain"):
        assert secret not in everything, secret
