"""The command tree, config, init and error mapping, through the real entry point."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

# Each issue adds its commands here as they land: copy, validate, import, send, run-due, worker.
GROUPS = ["init", "config", "session", "ai", "copy", "contacts", "optout", "validate", "import", "campaign", "webhook", "sandbox", "send", "run-due", "worker"]


def _all_command_paths():
    import typer

    from nexus_blast.cli.app import app

    root = typer.main.get_command(app)

    def walk(cmd, path):
        yield path
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, path + [name])

    return list(walk(root, []))


def test_every_command_of_the_tree_exists():
    top = {p[0] for p in _all_command_paths() if p}
    assert set(GROUPS) <= top


@pytest.mark.parametrize("path", _all_command_paths(), ids=lambda p: " ".join(p) or "blast")
def test_every_command_has_help(blast, path):
    result = blast(*path, "--help")
    assert result.exit_code == 0, result.stderr
    assert "Usage:" in result.stdout


def test_version(blast):
    result = blast("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("blast ")


def test_init_writes_private_config_and_database(blast, blast_home):
    result = blast("init", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["config_written"] is True
    mode = stat.S_IMODE(os.stat(blast_home / "config.toml").st_mode)
    assert mode == 0o600
    assert (blast_home / "blast.db").exists()
    again = blast("init", "--json")
    assert again.json()["config_written"] is False


def test_init_force_without_terminal_needs_yes(blast, blast_home):
    blast("init")
    result = blast("init", "--force")
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert blast("init", "--force", "--yes").exit_code == 0


def test_config_show_defaults_env_override_and_masking(blast, blast_home, monkeypatch):
    (blast_home / "config.toml").write_text(
        '[sessions.loja1]\nurl = "http://x"\napi_key = "waha_secret_key_9f2a"\n'
    )
    monkeypatch.setenv("BLAST_SENDING__DAILY_CAP", "77")
    result = blast("config", "show", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["general"]["timezone"] == "America/Sao_Paulo"
    assert doc["sending"]["daily_cap"] == 77
    assert doc["sessions"]["loja1"]["api_key"] == "waha…9f2a"
    assert "waha_secret_key_9f2a" not in result.stdout + result.stderr
    human = blast("config", "show")
    assert "waha_secret_key_9f2a" not in human.stdout + human.stderr


def test_missing_config_is_not_an_error(blast):
    assert blast("config", "show", "--json").exit_code == 0


def test_bad_config_is_exit_2_naming_file_and_key(blast, blast_home):
    (blast_home / "config.toml").write_text('[sending]\ndelay = "fast"\n')
    result = blast("config", "show", "--json")
    assert result.exit_code == 2
    assert "config.toml" in result.stderr and "sending.delay" in result.stderr
    assert result.json()["error"]["code"] == 2
    assert "Traceback" not in result.stderr
    (blast_home / "config.toml").write_text("not toml [")
    assert blast("config", "show").exit_code == 2


def test_bad_environment_override_names_the_variable_not_the_file(blast, blast_home, monkeypatch):
    (blast_home / "config.toml").write_text("[sending]\ndaily_cap = 10\n")
    monkeypatch.setenv("BLAST_SENDING__DAILY_CAP", "lots")
    result = blast("config", "show", "--json")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "BLAST_SENDING__DAILY_CAP" in result.stderr and "sending.daily_cap" in result.stderr
    assert "config.toml" not in result.stderr and "lots" not in result.stderr
    assert result.json()["error"]["code"] == 2


def test_config_and_db_options_override_home(blast, tmp_path):
    cfg, db = tmp_path / "c.toml", tmp_path / "d.db"
    result = blast("--config", cfg, "--db", db, "config", "path", "--json")
    assert result.json() == {"config": str(cfg), "db": str(db)}


def test_xdg_defaults(monkeypatch, tmp_path):
    from nexus_blast.paths import resolve_paths

    monkeypatch.delenv("BLAST_HOME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    paths = resolve_paths()
    assert paths.config == tmp_path / "cfg" / "nexus-blast" / "config.toml"
    assert paths.db == tmp_path / "data" / "nexus-blast" / "blast.db"


def test_unknown_command_is_usage_error_with_json(blast):
    result = blast("bogus", "--json")
    assert result.exit_code == 2
    assert result.json()["error"]["code"] == 2
    assert result.stderr.count("\n") == 1


def test_cli_import_is_light():
    """`blast --help` must not import httpx, phonenumbers, pydantic or sqlite_utils."""
    code = (
        "import sys; import nexus_blast.cli.app; "
        "heavy = [m for m in ('httpx', 'phonenumbers', 'pydantic', 'sqlite_utils', 'tomlkit', 'starlette', 'uvicorn') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_example_config_documents_every_key():
    import tomllib
    from pathlib import Path

    from nexus_blast.config import Settings

    root = Path(__file__).resolve().parents[2]
    example = tomllib.loads((root / "config.example.toml").read_text())
    defaults = Settings().model_dump()
    for section, values in defaults.items():
        if section in ("sessions",):
            continue
        for key, value in values.items():
            if key == "providers":
                continue
            assert example[section][key] == value, f"{section}.{key}"


def test_interrupt_is_exit_130_without_traceback(blast, monkeypatch):
    from nexus_blast.cli import config_cmd

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(config_cmd, "_flatten", interrupted)
    result = blast("config", "show")
    assert result.exit_code == 130
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "secret, shown",
    [("", ""), ("abc", "…"), ("12345678", "…78"), ("short_key_12", "…12"), ("gsk_abcdefghijklmnop9f2a", "gsk_…9f2a")],
)
def test_mask_never_shows_most_of_a_key(secret, shown):
    from nexus_blast.config import mask

    assert mask(secret) == shown
    assert len(shown.replace("…", "")) <= len(secret) // 2


def test_secrets_stay_out_of_reprs():
    from nexus_blast.config import ProviderConfig, SessionConfig, Settings

    session = SessionConfig(url="http://x", api_key="waha-secret-1234567890", webhook_hmac_key="hmac-secret-1234567890")
    provider = ProviderConfig(provider="groq", api_key="gsk_secret_1234567890")
    settings = Settings(sessions={"s": session.model_dump()}, ai={"providers": {"g": provider.model_dump()}})
    for text in (repr(session), str(session), repr(provider), repr(settings)):
        assert "secret" not in text


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_terminal_that_cannot_show_a_character_gets_a_replacement_not_a_traceback(blast_home, tmp_path, encoding):
    contacts = tmp_path / "c.csv"
    contacts.write_text("nome;telefone\nJosé — Conceição ✓;11987654321\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {
        "BLAST_HOME": str(blast_home), "PYTHONIOENCODING": encoding,
    }
    run = [sys.executable, "-m", "nexus_blast"]
    assert subprocess.run([*run, "import", str(contacts), "--list", "x"], env=env, capture_output=True).returncode == 0
    shown = subprocess.run([*run, "contacts", "show", "x"], env=env, capture_output=True)
    assert shown.returncode == 0, shown.stderr
    assert b"Traceback" not in shown.stderr and b"+5511987654321" in shown.stdout
    assert b"Concei" in shown.stdout


def test_blast_home_without_config_warns_when_one_sits_in_the_default_place(blast, blast_home, tmp_path, monkeypatch):
    """`blast init` wrote ~/.config/…, cron runs with BLAST_HOME=/srv/blast: say so, every run."""
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    (xdg / "nexus-blast").mkdir(parents=True)
    (xdg / "nexus-blast" / "config.toml").write_text("[general]\n")
    for args in (["run-due"], ["run-due", "--json"], ["session", "list"]):
        result = blast(*args)
        assert result.exit_code == 0, result.stderr
        warning = f"no config file at {blast_home / 'config.toml'} (BLAST_HOME={blast_home}); the one at {xdg / 'nexus-blast' / 'config.toml'} is not used"
        assert result.stderr.count(warning) == 1, (args, result.stderr)
    assert blast("init").exit_code == 0
    assert "warning" not in blast("run-due").stderr
