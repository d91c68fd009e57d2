"""Turning a model's answer into WhatsApp-ready variants: tolerant parsing of the JSON array,
small repairs (markdown → WhatsApp formatting, placeholder spelling) and the checks a variant must
pass (allowed placeholders only, no stray braces, within the length limit)."""

from __future__ import annotations

import json
import re
import unicodedata

from nexus_blast.i18n import _

FENCED_RE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)```", re.DOTALL)
PLACEHOLDER_RE = re.compile(r"\{\{([^{}]*)\}\}")
SINGLE_BRACE_RE = re.compile(r"(?<!\{)\{\s*([^\W\d][\w]*)\s*\}(?!\})")
HEADING_RE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
MD_BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
MD_UNDERLINE_BOLD_RE = re.compile(r"__(?=\S)(.+?)(?<=\S)__", re.DOTALL)
MD_LINK_RE = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
TRAILING_COMMA_RE = re.compile(r",\s*([\]}])")
LIST_KEYS = ("variants", "variantes", "messages", "mensagens", "options", "opcoes")
TEXT_KEYS = ("text", "texto", "message", "mensagem", "content")
QUOTES = {'"': '"', "“": "”", "'": "'", "«": "»"}


class Unparseable(ValueError):
    """The answer holds no list of texts we can recognise."""


def parse_variants(answer: str) -> list[str]:
    """The strings of a JSON array in ANSWER (code fences, prose around it, trailing commas and
    `{"variants": [...]}` / `[{"text": ...}]` shapes tolerated)."""
    text = answer.strip()
    fenced = FENCED_RE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    data = _loads(text)
    if isinstance(data, dict):
        data = next((data[k] for k in LIST_KEYS if isinstance(data.get(k), list)), None) or next(
            (v for v in data.values() if isinstance(v, list)), None
        )
    if not isinstance(data, list):
        raise Unparseable(_("not a JSON array"))
    items = []
    for item in data:
        if isinstance(item, dict):
            item = next((item[k] for k in TEXT_KEYS if isinstance(item.get(k), str)), None)
        if isinstance(item, str) and item.strip():
            items.append(item)
    if not items:
        raise Unparseable(_("no texts in the array"))
    return items


def _loads(text: str):
    candidates = [text]
    start, end = text.find("["), text.rfind("]")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        for attempt in (candidate, TRAILING_COMMA_RE.sub(r"\1", candidate)):
            try:
                return json.loads(attempt)
            except ValueError:
                continue
    raise Unparseable(_("not JSON"))


def repair(text: str, allowed: tuple[str, ...]) -> str:
    """Fix what can be fixed without changing the message: wrapping quotes, markdown headings,
    bold and links → WhatsApp formatting, placeholder spacing/case and single braces."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) >= 2 and QUOTES.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
    text = HEADING_RE.sub(lambda m: f"*{m.group(1).strip('* ')}*", text)
    text = MD_BOLD_RE.sub(r"*\1*", text)
    text = MD_UNDERLINE_BOLD_RE.sub(r"_\1_", text)
    text = MD_LINK_RE.sub(r"\1: \2", text)
    canonical = {_fold(name): name for name in allowed}

    def fix_double(match: re.Match) -> str:
        name, bar, fallback = match.group(1).partition("|")
        canon = canonical.get(_fold(name))
        return "{{" + canon + bar + fallback.strip() + "}}" if canon else match.group(0)

    def fix_single(match: re.Match) -> str:
        name = canonical.get(_fold(match.group(1)))
        return "{{" + name + "}}" if name else match.group(0)

    text = PLACEHOLDER_RE.sub(fix_double, text)
    text = SINGLE_BRACE_RE.sub(fix_single, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def problem(text: str, allowed: tuple[str, ...], max_chars: int) -> str | None:
    """Why TEXT (already repaired) cannot be used, or None when it can (translated, with its
    English kept: the model is told the English, i18n.english)."""
    if not text:
        return _("empty")
    allowed_set = set(allowed)
    for match in PLACEHOLDER_RE.finditer(text):
        # `{{nome|cliente}}`: the column is `nome`; `cliente` is literal fallback text.
        if match.group(1).partition("|")[0].strip() not in allowed_set:
            if allowed:
                return _("uses placeholder {placeholder} (allowed: {allowed})").format(placeholder=match.group(0), allowed=", ".join(allowed))
            return _("uses placeholder {placeholder} (none allowed)").format(placeholder=match.group(0))
    rest = PLACEHOLDER_RE.sub("", text)
    if "{" in rest or "}" in rest:
        return _("contains curly braces (they would be read as a template)")
    if HEADING_RE.search(text):
        return _("contains a markdown heading")
    if len(text) > max_chars:
        return _("too long ({length} > {most} characters)").format(length=len(text), most=max_chars)
    return None


def dedup_key(text: str) -> str:
    """Two variants with the same key are the same message (case, spacing, final punctuation)."""
    return " ".join(text.casefold().split()).strip(" .!?…")


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
