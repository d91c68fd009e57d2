"""vCard rows (.vcf, 2.1/3.0/4.0, parsed by vobject line by line): one contact per card.

A card becomes the columns `nome` (FN, else N), `primeiro_nome` (N's given name, else FN's first
word), `sobrenome`, `telefone` (every TEL, WhatsApp's `waid=` first, then TYPE=CELL, then the
others, joined by " ::: " so each is a candidate), `email` and `empresa`. Quoted-printable
(2.1) and folded lines are vobject's; a file mixing UTF-8 and Latin-1 is refused naming the card.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from nexus_blast.contacts.csvfile import MIXED, sniff_encoding
from nexus_blast.contacts.table import TableSource, close_text
from nexus_blast.errors import InputError
from nexus_blast.i18n import _, ngettext

COLUMNS = ["nome", "primeiro_nome", "sobrenome", "telefone", "email", "empresa"]
PHONE = "telefone"
_ESCAPED = re.compile(r"[\udc80-\udcff]")
_URI = re.compile(r"^tel:", re.IGNORECASE)


class VcardSource(TableSource):
    kind = "vCard"
    excel = True

    def __init__(self, name: str, binary: BinaryIO, encoding: str, phone_column: str | None) -> None:
        self.name = name
        self.encoding = encoding
        self._binary = binary
        self._mixed = encoding == MIXED
        text_encoding, errors = ("utf-8", "surrogateescape") if self._mixed else (encoding, "replace")
        self._text = io.TextIOWrapper(binary, encoding=text_encoding, errors=errors, newline="")
        self.columns = list(COLUMNS)
        self._start(self._cards(), phone_column)

    def _preferred(self) -> list[str]:
        return [PHONE]

    def _cards(self) -> Iterator[tuple[int, dict[str, str]]]:
        import vobject

        number, any_tel = 0, False
        cards = vobject.readComponents(self._text, validate=False, allowQP=True)
        while True:
            try:
                card = next(cards, None)
            except Exception as exc:  # vobject's ParseError and friends: the card is malformed
                raise InputError(_("{file}: card {card}: malformed vCard ({reason})").format(file=self.name, card=number + 1, reason=" ".join(str(exc).split())[:160])) from None
            if card is None:
                break
            if card.name.upper() != "VCARD":
                continue
            number += 1
            fields = card_fields(card)
            if self._mixed and any(_ESCAPED.search(v) for v in fields.values()):
                who = _ESCAPED.sub("?", fields["nome"]) or _("no name")
                raise InputError(
                    _("{file}: card {card} ({who}): the file mixes UTF-8 and Latin-1 text; export it again as UTF-8 (vCard 3.0 or 4.0)").format(
                        file=self.name, card=number, who=who)
                )
            any_tel = any_tel or bool(fields[PHONE])
            yield number, fields
        if number and not any_tel:
            raise InputError(ngettext("{file}: its {count} card has no phone number (TEL)", "{file}: none of its {count} cards has a phone number (TEL)", number).format(file=self.name, count=number))

    def close(self) -> None:
        close_text(self._text, self._binary)


def open_vcard(name: str, binary: BinaryIO, head: bytes, *, phone_column: str | None = None) -> VcardSource:
    encoding = sniff_encoding(name, binary, head)
    binary.seek(0)
    return VcardSource(name, binary, "utf-8-sig" if encoding == "utf-8" else encoding, phone_column)


def card_fields(card) -> dict[str, str]:
    """One vobject card → the COLUMNS as text."""
    contents = card.contents
    full = _first(contents, "fn")
    n = contents.get("n", [None])[0]
    given = family = ""
    if n is not None and not isinstance(n.value, str):
        given = " ".join(_words(n.value.given))
        family = " ".join(_words(n.value.family))
    if not full:
        full = " ".join(x for x in (given, family) if x)
    org = contents.get("org", [None])[0]
    company = ""
    if org is not None:
        company = " ".join(org.value) if isinstance(org.value, list) else str(org.value)
    return {
        "nome": full,
        "primeiro_nome": given or (full.split()[0] if full else ""),
        "sobrenome": family,
        PHONE: " ::: ".join(phones(contents.get("tel", []))),
        "email": _first(contents, "email"),
        "empresa": company.strip(),
    }


def phones(lines) -> list[str]:
    """Every TEL's number, best first: a WhatsApp id (`waid=`), then TYPE=CELL, then the rest."""
    ranked = []
    for position, line in enumerate(lines):
        value = _URI.sub("", str(line.value or "")).split(";")[0].strip()
        waid = "".join(line.params.get("WAID", [])).strip()
        if waid.isdigit():
            ranked.append((0, position, "+" + waid))
            continue
        if not value:
            continue
        types = {t.strip().upper() for raw in line.params.get("TYPE", []) for t in raw.split(",")}
        types |= {t.upper() for t in getattr(line, "singletonparams", [])}  # 2.1: TEL;CELL;PREF
        ranked.append((1 if types & {"CELL", "MOBILE", "IPHONE"} else 2, position, value))
    return list(dict.fromkeys(value for _, _, value in sorted(ranked)))


def _first(contents: dict, key: str) -> str:
    lines = contents.get(key) or []
    return str(lines[0].value).strip() if lines and lines[0].value else ""


def _words(value) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()] if value and str(value).strip() else []
