"""Contact exports recognised by their header: Google Contacts (old `Phone 1 - Type` and new
`Phone 1 - Label` sets) and Outlook. They gain the columns pt-BR templates use: `nome` (the full
name, when the file has no `nome`) and `primeiro_nome` (the given name)."""

from __future__ import annotations

from dataclasses import dataclass

from nexus_blast.contacts.columns import column_key

FULL_NAME = "nome"
GIVEN_NAME = "primeiro_nome"


@dataclass(frozen=True)
class Export:
    """A recognised export: where its given name and full name are, and the columns it gains."""

    label: str
    given: str | None  # the given-name column
    full: tuple[str, ...]  # the full name column, or the parts to join (first, middle, last)
    added: tuple[str, ...]

    def columns(self, columns: list[str]) -> list[str]:
        return columns + list(self.added)

    def derive(self, fields: dict[str, str]) -> dict[str, str]:
        full = " ".join(v for v in (fields.get(c, "").strip() for c in self.full) if v)
        given = fields.get(self.given, "").strip() if self.given else ""
        derived = {FULL_NAME: full, GIVEN_NAME: given or (full.split()[0] if full else "")}
        fields.update((c, derived[c]) for c in self.added)
        return fields


def recognise(columns: list[str]) -> Export | None:
    """The export these columns come from, or None for any other file."""
    keys = {column_key(c): c for c in columns}
    if "phone 1 value" in keys and ("phone 1 label" in keys or "phone 1 type" in keys):
        if "given name" in keys:  # the export Google offered until 2024
            return _export("Google Contacts export (Phone 1 - Type)", keys, "given name", ("name",))
        return _export("Google Contacts export (Phone 1 - Label)", keys, "first name", ("first name", "middle name", "last name"))
    if "first name" in keys and ("mobile phone" in keys or "e mail address" in keys):
        return _export("Outlook contacts export", keys, "first name", ("first name", "middle name", "last name"))
    return None


def _export(label: str, keys: dict[str, str], given: str, full: tuple[str, ...]) -> Export:
    names = {column_key(c) for c in keys.values()}
    added = tuple(c for c in (FULL_NAME, GIVEN_NAME) if c not in names)
    return Export(label, keys.get(given), tuple(keys[k] for k in full if k in keys), added)
