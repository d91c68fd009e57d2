"""Shared fixtures: an isolated BLAST_HOME per test and an in-process `blast` runner."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

DATA = Path(__file__).parent / "data"

# Property tests have no per-example deadline: on a loaded 2-core machine one example can take
# longer than hypothesis' default 200 ms (seen: 304 ms), and a deadline then fails a correct test.
settings.register_profile("blast", deadline=None)
settings.load_profile("blast")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        import json

        return json.loads(self.stdout)


class _FakeStdin(io.TextIOWrapper):
    def isatty(self) -> bool:  # tests never have a terminal
        return False


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Every test speaks English unless it sets LANG / general.language (i18n): the machine's
    locale must not change what the suite sees; the language is resolved again per test."""
    from nexus_blast import i18n

    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.configure()
    yield
    i18n.configure()


@pytest.fixture
def portuguese():
    """This process's i18n speaks pt-BR during the test (English after)."""
    from nexus_blast import i18n

    i18n.configure(language="pt_BR")
    yield
    i18n.configure(language="en")


@pytest.fixture
def blast_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("BLAST_HOME", str(home))
    for name in list(__import__("os").environ):
        if name.startswith("BLAST_") and name != "BLAST_HOME":
            monkeypatch.delenv(name)
    return home


@pytest.fixture
def blast(blast_home, monkeypatch):
    """Run `blast ARGS...` in-process through the real entry point (main → exit code)."""
    from nexus_blast.cli.app import main

    def run(*args: str, input: str | bytes | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        raw = input.encode() if isinstance(input, str) else (input or b"")
        stdin = _FakeStdin(io.BytesIO(raw), encoding="utf-8")
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        monkeypatch.setattr(sys, "stdin", stdin)
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            monkeypatch.setattr(sys, "stdout", sys.__stdout__)
            monkeypatch.setattr(sys, "stderr", sys.__stderr__)
            monkeypatch.setattr(sys, "stdin", sys.__stdin__)
        return Result(code, out.getvalue(), err.getvalue())

    return run


# --- WAHA sandbox (issue 4) -------------------------------------------------------------------


@pytest.fixture
def make_sandbox():
    """Factory: `make_sandbox(sessions=("s1",), engine="NOWEB", api_key="k", tier="CORE", ...)` →
    a started SandboxServer (options of nexus_blast.sandbox.state.SandboxConfig); all are
    stopped at the end of the test."""
    from nexus_blast.sandbox.server import SandboxServer

    started = []

    def make(**options):
        options.setdefault("ack_delay", 0.02)
        options.setdefault("wait_scale", 0.02)  # WAHA's 5 s / 10 s waits as 0.1 s / 0.2 s: the suite stays fast
        server = SandboxServer(**options).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def sandbox(make_sandbox):
    """A running sandbox (no API key) with sessions s1, s2, s3 paired and WORKING; `.url`, `.sent()`."""
    return make_sandbox(sessions=("s1", "s2", "s3"))
