"""The translation catalogs of nexus_blast, managed with Babel: extraction (`_()`, `N_()`,
`ngettext()`, plus the docstrings Typer shows as command help and `cli/lazy.py`'s COMMANDS help
lines), update of the pt-BR `.po`, compilation to `.mo`, and the checks tests/test_i18n_catalog.py
runs (missing translations, placeholders, stale `.mo`). Driven by `scripts/i18n`."""

from __future__ import annotations

import ast
import io
import re
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "nexus_blast"
LOCALE_DIR = PACKAGE / "locale"
DOMAIN = "nexus_blast"
LANGUAGES = ("pt_BR",)
POT = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
COMMENT_TAGS = ("Translators:",)
PLURAL_FORMS = {"pt_BR": (2, "(n != 1)")}
FIXED_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)

# Modules other helpers were editing during the first round: their messages are not translated
# yet. Round two: translate them, remove them from here, and `scripts/i18n check` must pass.
PENDING = (
)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def extract_blast(fileobj, keywords, comment_tags, options):
    """Babel extraction method: Python's `_()`/`N_()`/`ngettext()` calls, and the help texts
    Typer takes from docstrings (functions decorated with `….command(…)` / `….callback(…)`) and
    lazy.py's COMMANDS help lines."""
    from babel.messages.extract import extract_python

    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    tree = ast.parse(source)
    registered = _registered(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (_is_command(node) or node.name in registered) and not node.name.startswith("_"):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.body[0].lineno, None, doc, ["Command help (docstring)."]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _assigns(node, "COMMANDS") and isinstance(node.value, ast.Dict):
            for value in node.value.values:
                if isinstance(value, ast.Tuple) and len(value.elts) == 2 and isinstance(value.elts[1], ast.Constant):
                    yield value.elts[1].lineno, None, value.elts[1].value, ["Command help line (blast --help)."]


def _is_command(node) -> bool:
    for deco in node.decorator_list:
        call = deco.func if isinstance(deco, ast.Call) else deco
        if isinstance(call, ast.Attribute) and call.attr in ("command", "callback"):
            return True
    return False


def _registered(tree) -> set[str]:
    """Names of functions registered as `app.command("name")(function)` (not as decorators)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Call) and node.args and isinstance(node.args[0], ast.Name):
            inner = node.func.func
            if isinstance(inner, ast.Attribute) and inner.attr in ("command", "callback"):
                names.add(node.args[0].id)
    return names


def _assigns(node, name: str) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return any(isinstance(t, ast.Name) and t.id == name for t in targets)


def extract():
    """The template catalog of every message in the code (a babel Catalog)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="nexus-blast", domain=DOMAIN, charset="utf-8")
    method_map = [("nexus_blast/**.py", "i18n_tools:extract_blast")]
    for filename, lineno, message, comments, context in extract_from_dir(
        SRC, method_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _write_po(path: Path, catalog) -> None:
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, include_lineno=False, sort_output=True, ignore_obsolete=True)
    text = re.sub(rb'"POT-Creation-Date: [^"]*\\n"\n', b"", buffer.getvalue())  # no churn on every run
    text = re.sub(rb'"PO-Revision-Date: [^"]*\\n"\n', b"", text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text)


def read(language: str):
    from babel.messages.pofile import read_po

    with po_path(language).open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    # The .po carries no dates (they would change on every run and conflict on every merge); Babel
    # would put "now" in the .mo's header: a fixed date keeps the compiled .mo reproducible.
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    return catalog


def update() -> None:
    """Write the template and merge it into each language's .po (new messages empty, gone ones dropped)."""
    template = extract()
    _write_po(POT, template)
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            catalog = read(language)
        else:
            from babel.messages.catalog import Catalog

            catalog = Catalog(locale=language, domain=DOMAIN, project="nexus-blast", charset="utf-8", fuzzy=False)
        # Two forms, zero plural ("0 mensagens"), as Brazilians write it (CLDR's pt has a third
        # form for exact millions, which nobody writes differently).
        catalog._num_plurals, catalog._plural_expr = PLURAL_FORMS.get(language, (catalog.num_plurals, catalog.plural_expr))
        catalog.update(template, no_fuzzy_matching=True)
        _write_po(path, catalog)


def compiled(language: str) -> bytes:
    """The .mo bytes of LANGUAGE's .po as it is now (fuzzy entries left out)."""
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, read(language), use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> None:
    for language in LANGUAGES:
        mo_path(language).write_bytes(compiled(language))


def is_pending(location: str) -> bool:
    return any(location.startswith(prefix) for prefix in PENDING)


def missing(language: str) -> list[tuple[str, list[str]]]:
    """(msgid, locations) of every message in the code with no translation in LANGUAGE's .po
    (absent, empty or fuzzy), except those only used in PENDING modules."""
    catalog = read(language)
    out = []
    for message in extract():
        if not message.id:
            continue
        locations = [f for f, _ in message.locations]
        if all(is_pending(f) for f in locations):
            continue
        found = catalog.get(message.id)
        strings = () if found is None else (found.string if isinstance(found.string, (list, tuple)) else (found.string,))
        if found is None or found.fuzzy or not all(strings):
            out.append((message.id if isinstance(message.id, str) else message.id[0], locations))
    return out


PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([^)]*\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> list[str]:
    """The `{name}`, `{name!r}`, `%(name)s`, `%s` placeholders of TEXT, sorted (`{{`/`}}` are literal braces)."""
    return sorted(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def placeholder_mismatches(language: str) -> list[tuple[str, str, list[str], list[str]]]:
    """(msgid, translation, english placeholders, translated placeholders) where they differ."""
    out = []
    for message in read(language):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        english = placeholders(ids[-1])
        for text in strings:
            if not text:
                continue
            mine = placeholders(text)
            # a singular may leave out the count its plural names ("1 mensagem" for "{n} messages")
            if mine != english and not (len(ids) > 1 and set(mine) <= set(english) and mine == placeholders(ids[0])):
                out.append((ids[0], text, english, mine))
    return out
