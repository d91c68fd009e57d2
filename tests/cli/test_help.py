"""Every command's `--help` in the conventions of gh, pip and sqlite-utils: usage and metavars that
say what goes there (`NAME`, `URL`, `N`, `MIN-MAX`), never a type (`<str>`, `<int range>`, `{name}`),
one-line summaries that are not cut, and examples on the commands people start with."""

from __future__ import annotations

import re

import pytest

TYPE_METAVAR = re.compile(r"<[^>]*>|\{[^}]*\}")
HINT = "give it metavar= (URL, N, MIN-MAX, NAME[,NAME…], PATH|URL, ID, FILE, [a|b] for choices)"


def _tree() -> list[tuple[tuple[str, ...], object]]:
    """(path, click command) for every command under `blast`, lazy groups built, hidden ones too."""
    import typer

    from nexus_blast.cli.app import app

    found = []

    def walk(path, command):
        found.append((path, command))
        for name in getattr(command, "commands", {}) or {}:
            walk(path + (name,), command.commands[name])

    walk((), typer.main.get_command(app))
    return found


def _sections(text: str) -> dict[str, list[str]]:
    """`Usage`, and each `Name:` section's lines."""
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("Usage:"):
            current = "Usage"
            out[current] = [line]
        elif re.fullmatch(r"[A-Z][A-Za-z ]+:", line):
            current = line[:-1]
            out[current] = []
        elif current and line.strip():
            out[current].append(line)
        elif current == "Usage":
            current = None
    return out


def _rows(lines: list[str]) -> list[tuple[str, str]]:
    """A definition list's rows: (first column, second column) for the lines that start one."""
    rows = []
    for line in lines:
        if re.match(r"^  \S", line):
            first, _, second = line[2:].partition("  ")
            rows.append((first.strip(), second.strip()))
    return rows


@pytest.fixture
def helps(blast, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    rendered = {}
    for path, _ in _tree():
        result = blast(*path, "--help")
        assert result.exit_code == 0, f"blast {' '.join(path)} --help: {result.stderr}"
        rendered[path] = result.stdout
    return rendered


def test_every_help_names_what_goes_there_never_a_type(helps):
    problems = []
    for path, text in helps.items():
        command = " ".join(("blast",) + path)
        sections = _sections(text)
        usage = " ".join(sections.get("Usage", []))
        if TYPE_METAVAR.search(usage) or "..." in usage.replace("COMMAND [ARGS]...", ""):
            problems.append(f"{command}: usage {usage!r}")
        for name in ("Arguments", "Options"):
            for first, _ in _rows(sections.get(name, [])):
                if TYPE_METAVAR.search(first):
                    problems.append(f"{command} {first!r}: {HINT}")
    assert not problems, "\n".join(problems)


def test_every_summary_fits_on_its_line_uncut(helps):
    problems = []
    for path, text in helps.items():
        lines = _sections(text).get("Commands", [])
        for line in lines:
            if not re.match(r"^  \S", line):
                problems.append(f"blast {' '.join(path)} --help: a summary wraps onto {line.strip()!r}")
        for name, summary in _rows(lines):
            if summary.endswith("...") or summary.endswith("…") or not summary:
                problems.append(f"blast {' '.join(path + (name,))}: summary cut {summary!r}: "
                                "shorten the first sentence of its docstring")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", [("send",), ("validate",), ("import",), ("session", "add"), ("session", "pair"),
                                  ("copy",), ("run-due",)])
def test_examples_on_the_commands_people_start_with(blast, path):
    text = blast(*path, "--help").stdout
    examples = _sections(text).get("Examples", [])
    commands = [line.strip() for line in examples if line.strip().startswith("blast ")]
    assert commands, f"blast {' '.join(path)} --help has no Examples block"
    assert all(c.startswith("blast " + " ".join(path)) or c.startswith("blast ") for c in commands)


def test_usage_reads_like_gh(blast):
    assert blast("session", "add", "--help").stdout.startswith("Usage: blast session add NAME --url URL [OPTIONS]")
    assert "--format [csv|json]" in blast("campaign", "report", "--help").stdout
