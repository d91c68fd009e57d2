"""Opt-out keywords: how an incoming WhatsApp text is compared with the configured words.

Semantics (documented in the README): the WHOLE message must be the keyword. Case, accents,
surrounding punctuation, whitespace and emoji are ignored, and runs of inner whitespace count as one
space; any other word makes it a normal reply ("sair amanhã?" is not an opt-out, "Sair!" is).
"""

from __future__ import annotations

import unicodedata


def normalize_text(text: str) -> str:
    """`" NÃO  Quero!! 🙏"` → `"nao quero"`: the form keywords and messages are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    # Drop accents (combining marks) and invisible format characters (ZWJ, direction marks).
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Cf"))
    folded = kept.casefold()
    start, end = 0, len(folded)
    while start < end and not folded[start].isalnum():
        start += 1
    while end > start and not folded[end - 1].isalnum():
        end -= 1
    return " ".join(folded[start:end].split())


def match_keyword(text: str, keywords: list[str] | tuple[str, ...]) -> str | None:
    """The normalised keyword TEXT equals, or None (empty keywords never match)."""
    body = normalize_text(text)
    if not body:
        return None
    for keyword in keywords:
        word = normalize_text(keyword)
        if word and word == body:
            return word
    return None
