"""The pt-BR catalog cannot rot: every message of the code has a translation (except the modules
still listed as PENDING in scripts/i18n_tools.py), placeholders match the English, the committed
.mo is the compilation of the .po, and the wheel ships it. `scripts/i18n check` lists the same."""

from __future__ import annotations

import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import i18n_tools  # noqa: E402

pytest.importorskip("babel")


@pytest.mark.parametrize("language", i18n_tools.LANGUAGES)
def test_every_message_in_the_code_has_a_translation(language):
    missing = i18n_tools.missing(language)
    assert not missing, (
        f"{len(missing)} message(s) without a {language} translation; run `scripts/i18n update`, translate "
        f"them in {i18n_tools.po_path(language).relative_to(ROOT)}, then `scripts/i18n compile`:\n"
        + "\n".join(f"  {msgid!r}  ({', '.join(where)})" for msgid, where in missing)
    )


@pytest.mark.parametrize("language", i18n_tools.LANGUAGES)
def test_translations_keep_the_placeholders_of_the_english(language):
    wrong = i18n_tools.placeholder_mismatches(language)
    assert not wrong, "\n".join(f"  {msgid!r}: English {english}, translation {text!r} has {mine}" for msgid, text, english, mine in wrong)


@pytest.mark.parametrize("language", i18n_tools.LANGUAGES)
def test_the_committed_mo_is_the_compiled_po(language):
    assert i18n_tools.mo_path(language).read_bytes() == i18n_tools.compiled(language), (
        f"{i18n_tools.mo_path(language).relative_to(ROOT)} is stale: run `scripts/i18n compile` and commit it"
    )


def test_the_po_holds_every_message_of_the_code_and_no_gone_one():
    """`scripts/i18n update` was run after the last change of a message (the .po is not stale)."""
    code = {m.id if isinstance(m.id, str) else m.id[0] for m in i18n_tools.extract() if m.id}
    catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in i18n_tools.read("pt_BR") if m.id}
    assert code - catalog == set(), "run `scripts/i18n update`"
    assert catalog - code == set(), "run `scripts/i18n update` (messages no longer in the code)"


def test_the_wheel_ships_the_compiled_catalogs():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["nexus_blast"]
    for language in i18n_tools.LANGUAGES:
        mo = i18n_tools.mo_path(language).relative_to(ROOT / "src" / "nexus_blast").as_posix()
        assert any(fnmatch(mo, pattern) for pattern in data), mo


def test_placeholders_are_found_in_every_style():
    assert i18n_tools.placeholders("{file}: {count!r} %s %(name)s %d {{literal}}") == ["%(name)s", "%d", "%s", "{count!r}", "{file}"]


def test_a_missing_translation_is_reported_with_its_place(tmp_path, monkeypatch):
    """The check itself works: a message added to the code without translation is named."""
    template = i18n_tools.extract()
    template.add("a brand new message {x}", locations=[("nexus_blast/cli/contacts.py", 1)])
    monkeypatch.setattr(i18n_tools, "extract", lambda: template)
    assert ("a brand new message {x}", ["nexus_blast/cli/contacts.py"]) in i18n_tools.missing("pt_BR")
    pending = i18n_tools.extract()
    pending.add("pending {y}", locations=[("nexus_blast/cli/unfinished.py", 1)])
    monkeypatch.setattr(i18n_tools, "PENDING", ("nexus_blast/cli/unfinished.py",))  # a module still being written
    monkeypatch.setattr(i18n_tools, "extract", lambda: pending)
    assert all(msgid != "pending {y}" for msgid, _ in i18n_tools.missing("pt_BR"))


def test_command_docstrings_and_lazy_help_lines_are_extracted():
    ids = {m.id for m in i18n_tools.extract() if isinstance(m.id, str)}
    from nexus_blast.cli.lazy import COMMANDS

    assert {help for _, help in COMMANDS.values()} <= ids
    assert "Every imported contact list with its counts." in ids  # @contacts_app.command docstring
    assert "Show this message and exit." in ids  # Click's own words


def _calls_underscore(func) -> bool:
    import ast

    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_" for n in ast.walk(func))


def test_no_function_shadows_the_translation_function():
    """`for _ in …` / `x, _ = …` inside a function that also calls `_()` (in a module that imports
    it) makes that call fail (`_` becomes a local): name the throwaway something else."""
    import ast

    offenders = []
    for path in (ROOT / "src" / "nexus_blast").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports_it = any(isinstance(n, ast.ImportFrom) and n.module == "nexus_blast.i18n" and any(a.name == "_" for a in n.names) for n in ast.walk(tree))
        if not imports_it:
            continue
        for func in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for node in ast.walk(func):
                targets = [node.target] if isinstance(node, (ast.For, ast.AsyncFor, ast.AugAssign, ast.AnnAssign)) else getattr(node, "targets", []) if isinstance(node, ast.Assign) else []
                names = [t for target in targets for t in ast.walk(target) if isinstance(t, ast.Name) and t.id == "_"]
                if names and _calls_underscore(func):
                    offenders += [f"{path.relative_to(ROOT)}:{n.lineno}" for n in names]
    assert not offenders, offenders
