"""Name filters for placeholders (`{{nome:primeiro}}`, `{{nome:titulo}}`): CRM exports write names
in ALL CAPS or lower case, and "Olá ADRIANA FERREIRA" reads as spam (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable

# Kept lower case inside a name by `titulo` (pt-BR): "MARIA DA SILVA" -> "Maria da Silva".
PARTICLES = frozenset({"da", "de", "do", "das", "dos", "e"})
_WORD = re.compile(r"\S+")
_SEGMENT = re.compile(r"[^\W\d_]+", re.UNICODE)  # letters between hyphens and apostrophes


def title_word(word: str) -> str:
    """`ANA-MARIA` -> `Ana-Maria`, `D'ÁVILA` -> `D'Ávila`: each run of letters capitalised."""
    return _SEGMENT.sub(lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), word)


def first_name(value: str) -> str:
    """The first word of VALUE in title case."""
    match = _WORD.search(value)
    return title_word(match.group(0)) if match else ""


def title_name(value: str) -> str:
    """VALUE in title case, with the particles of PARTICLES lower case after the first word
    (spacing kept as written)."""
    seen_first = False

    def one(match: re.Match) -> str:
        nonlocal seen_first
        word = match.group(0)
        if seen_first and word.casefold() in PARTICLES:
            return word.lower()
        seen_first = True
        return title_word(word)

    return _WORD.sub(one, value)


FILTERS: dict[str, Callable[[str], str]] = {"primeiro": first_name, "titulo": title_name}
