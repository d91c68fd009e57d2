"""Translation of human-facing text (gettext). Wrap every text a person reads in `_()` (and counts in
`ngettext`); `--json` documents, field names, status values and reason codes are never translated.

This module is the single entry point; the catalogs (pt-BR) and the language choice live here.

- The language: `general.language` of the config file ("pt_BR"; "en" forces English; "" or unset:
  the locale), else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, the first one set): Portuguese
  when it starts with `pt`, English otherwise. It is resolved before settings are loaded (help is
  rendered before the config is read): the environment first, the config file read cheaply
  (tomllib, only when it mentions `language`), never pydantic.
- Resolved lazily, on the first `_()` of an invocation; `cli/app.py`'s main() calls `configure()`
  with `--config` so the right file is read. Call `_()` when the text is used, never at module
  level (a module-level constant would keep the language of the first import).
- The catalog: `locale/pt_BR/LC_MESSAGES/nexus_blast.mo`, read by stdlib gettext (Babel builds it;
  `scripts/i18n` extracts, updates, compiles and checks; see LEIA-ME.md / README.md "Translating").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

DOMAIN = "nexus_blast"
LOCALE_DIR = Path(__file__).parent / "locale"
ENGLISH = "en"
PORTUGUESE = "pt_BR"
LANGUAGES = (ENGLISH, PORTUGUESE)
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX precedence: the first one set wins

_config_path: Path | None = None
_language: str | None = None
_catalog: Any = None  # gettext.GNUTranslations, or None for English


def configure(config_path: Path | None = None, language: str | None = None) -> None:
    """Start a new invocation: the language is resolved again on the next `_()`, from LANGUAGE
    when given, else from CONFIG_PATH's `general.language` (default path when None) and the locale."""
    global _config_path, _language, _catalog
    _config_path = config_path
    _language = normalize_language(language) if language else None
    _catalog = None
    if _language is not None:
        _catalog = _load(_language)


def normalize_language(value: str) -> str:
    """A configured language as one of LANGUAGES ("" when unset); ValueError for an unknown one."""
    text = str(value).strip().replace("-", "_")
    if not text:
        return ""
    if text.lower() in ("en", "en_us", "en_gb", "c", "posix"):
        return ENGLISH
    if text.lower() in ("pt", "pt_br"):
        return PORTUGUESE
    raise ValueError(f"unknown language {value!r} (use pt_BR, en, or \"\" for the system locale)")


def choose_language(configured: str, environ: Mapping[str, str]) -> str:
    """The language to speak: CONFIGURED when set, else the locale of ENVIRON (pure)."""
    if configured:
        return configured
    for name in LOCALE_VARS:
        value = environ.get(name)
        if value:
            return PORTUGUESE if value.lower().startswith("pt") else ENGLISH
    return ENGLISH


def configured_language(config_path: Path) -> str:
    """`general.language` of CONFIG_PATH, read without pydantic ("" when absent, unreadable or
    invalid: the settings loader reports a bad file later, in the user's language or not)."""
    try:
        data = config_path.read_bytes()
    except OSError:
        return ""
    if b"language" not in data:  # the common case: no need to parse TOML at all
        return ""
    import re

    values = re.findall(rb"(?m)^[ \t]*language[ \t]*=[ \t]*(.*?)[ \t]*(?:#.*)?$", data)
    if all(v in (b'""', b"''") for v in values):  # commented out, or unset (the starter config)
        return ""
    import tomllib

    try:
        general = tomllib.loads(data.decode("utf-8")).get("general", {})
        return normalize_language(general.get("language", "")) if isinstance(general, dict) else ""
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError, AttributeError):
        return ""


def language() -> str:
    """The language of this invocation (resolved on first use)."""
    global _language, _catalog
    if _language is None:
        if _config_path is not None:
            path = _config_path
        else:
            from nexus_blast.paths import resolve_paths

            path = resolve_paths().config
        configured = os.environ.get("BLAST_GENERAL__LANGUAGE")  # the settings' override, as pydantic reads it
        try:
            configured = normalize_language(configured) if configured else configured_language(path)
        except ValueError:  # reported by the settings loader when they are loaded
            configured = ""
        _language = choose_language(configured, os.environ)
        _catalog = _load(_language)
    return _language


def _load(lang: str):
    if lang == ENGLISH:
        return None
    import gettext

    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


class Message(str):
    """A translated text that remembers its English (`.english`), so a `--json` document (an
    error's message, a doctor check) stays the same in every language while people read theirs.
    `.format()` keeps both; other str operations give a plain (translated) str."""

    __slots__ = ("english",)

    def __new__(cls, text: str, english: str) -> Message:
        self = super().__new__(cls, text)
        self.english = english
        return self

    def __reduce__(self):  # copy, deepcopy, pickle keep both texts
        return (Message, (str(self), self.english))

    def format(self, *args: Any, **kwargs: Any) -> Message:
        # An exception given as a value is said as i18n.reason says it (translated here, English
        # in the English): `str(exc)` would put the translated text into both.
        args = tuple(_said(a) for a in args)
        kwargs = {k: _said(v) for k, v in kwargs.items()}
        return Message(
            str.format(self, *args, **kwargs),
            str.format(self.english, *map(english, args), **{k: english(v) for k, v in kwargs.items()}),
        )


def _said(value: Any) -> Any:
    return reason(value) if isinstance(value, BaseException) else value


def english(text: Any) -> Any:
    """TEXT as English when it is a translated Message (anything else as it is): for --json."""
    return text.english if isinstance(text, Message) else text


def join(separator: str, texts: Any) -> str:
    """TEXTS joined by SEPARATOR; a Message (English joined too) when any of them is one."""
    items = list(texts)
    joined = separator.join(items)
    if not any(isinstance(t, Message) for t in items):
        return joined
    return Message(joined, separator.join(english(t) for t in items))


def first_line(text: str, limit: int) -> str:
    """TEXT's first line, at most LIMIT characters (its English cut the same way)."""
    return transform(text, lambda s: s.splitlines()[0][:limit] if s else s)


def number(value: float | int, decimals: int | None = None) -> str:
    """`format_number(VALUE)` in a message that may end up in --json: remembers its English spelling."""
    text = format_number(value, decimals)
    if language() == ENGLISH:
        return text
    from nexus_blast.domain.numbers import ENGLISH as EN_STYLE, format_number as fmt

    return Message(text, fmt(value, EN_STYLE, decimals))


def moment(dt: datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """DT for people: PATTERN (strftime) in English; in pt-BR `format_datetime` (seconds when
    PATTERN has `%S`, the zone when it has `%Z`), remembering the English spelling."""
    text = dt.strftime(pattern)
    if language() == ENGLISH:
        return text
    pt = format_datetime(dt, seconds="%S" in pattern) + (dt.strftime(" %Z") if "%Z" in pattern else "")
    return Message(pt, text)


def transform(text: str, change) -> str:
    """CHANGE(TEXT) (a str → str function: cut, first line, …) done to a Message's English too, so
    it stays a Message; any other str is simply changed."""
    if isinstance(text, Message):
        return Message(change(str(text)), change(text.english))
    return change(text)


def reason(exc: BaseException) -> str:
    """EXC's message for a person, in the user's language with its English kept (a Message):
    a domain Problem's template translated and filled, a BlastError's message, a ValueError raised
    with a translated text (which `str(exc)` would turn into a plain str); else `str(exc)`."""
    template = getattr(exc, "template", None)
    if isinstance(template, str) and isinstance(getattr(exc, "values", None), dict):
        return _(template).format(**exc.values)
    message = getattr(exc, "message", None)
    if isinstance(message, str):
        return message
    if len(exc.args) == 1 and isinstance(exc.args[0], Message):
        return exc.args[0]
    return str(exc)


def _(message: str) -> str:
    """MESSAGE in the user's language."""
    if _language is None:
        language()
    if _catalog is None or isinstance(message, Message):  # already translated: keep its English
        return message
    return Message(_catalog.gettext(message), message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """SINGULAR or PLURAL (by N) in the user's language."""
    if _language is None:
        language()
    chosen = singular if n == 1 else plural
    if _catalog is None:
        return chosen
    return Message(_catalog.ngettext(singular, plural, n), chosen)


def N_(message: str) -> str:
    """MESSAGE unchanged, marked for extraction: translated later with `_()` where it is shown."""
    return message


def format_number(value: float | int, decimals: int | None = None) -> str:
    """VALUE for a person: `1,234.5` in English, `1.234,5` in pt-BR."""
    from nexus_blast.domain.numbers import BRAZILIAN, ENGLISH as EN_STYLE, format_number as fmt

    return fmt(value, BRAZILIAN if language() == PORTUGUESE else EN_STYLE, decimals)


def format_datetime(moment: datetime, seconds: bool = False) -> str:
    """MOMENT for a person, in its own timezone: `2026-12-07 09:00` in English, `07/12/2026 09:00`
    in pt-BR (SECONDS: `09:00:05`)."""
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return moment.strftime(("%d/%m/%Y " if language() == PORTUGUESE else "%Y-%m-%d ") + clock)


# The operating system's reasons (OSError.strerror) that blast's messages quote, marked so the
# catalog says them too (the C library speaks English unless the process calls setlocale).
OS_REASONS = (
    N_("No such file or directory"),
    N_("Permission denied"),
    N_("Is a directory"),
    N_("Not a directory"),
    N_("No space left on device"),
    N_("Read-only file system"),
    N_("File exists"),
    N_("Connection refused"),
)


def os_reason(exc: OSError) -> str:
    """EXC's reason (`No such file or directory`) in the user's language."""
    reason = exc.strerror or str(exc)
    return _(reason) if reason in OS_REASONS else reason
