"""Message templates: `{{col}}` placeholders, `{{col|fallback}}`, `{a|b|c}` spintax (pure; rng passed in).

Parse once with `parse_template`, `bind` it to the CSV's columns, then `render` per contact.

Rules (also in the README):
- A column name matches case-insensitively (`{{Nome}}` reads column `nome`); accents are kept, so
  `{{nome}}` does not read a column `nóme`.
- `{{nome|cliente}}` inserts the literal text `cliente` when the contact's value is empty or blank.
  `{{nome|}}` (an empty fallback) accepts an empty value on purpose.
- A placeholder whose column is missing, or whose value is empty for some contact, with no
  fallback, is an input error before anything is sent: half-personalised messages
  ("Olá , tudo bem?") look like spam.
- `{Olá|Oi|E aí}` picks one option per message; options may hold placeholders and nested groups.
  Every placeholder in every option is checked for every contact, whatever the draw.
- Braces that are not a group (`{ok}`, a lone `{` or `}`) are kept as written.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nexus_blast.errors import InputError


class TemplateError(InputError):
    """A template that cannot be rendered for some contact."""


@dataclass(frozen=True)
class Placeholder:
    """`{{name}}` or `{{name|fallback}}` (fallback None when absent, "" when written `{{name|}}`)."""

    name: str
    fallback: str | None

    @property
    def key(self) -> str:
        return self.name.casefold()

    def __str__(self) -> str:
        return "{{" + self.name + ("" if self.fallback is None else "|" + self.fallback) + "}}"


@dataclass(frozen=True)
class Spin:
    """`{a|b|c}`: each option is a sequence of nodes."""

    options: tuple[tuple[Node, ...], ...]


Node = str | Placeholder | Spin


@dataclass(frozen=True)
class Template:
    """A parsed template: nodes in order, and every placeholder it mentions (first occurrence first)."""

    source: str
    nodes: tuple[Node, ...]
    placeholders: tuple[Placeholder, ...]

    def bind(self, columns: Sequence[str]) -> BoundTemplate:
        """Match placeholders to COLUMNS; a placeholder with no column and no fallback is an error
        reported at the first data row (every row lacks it)."""
        by_key: dict[str, str] = {}
        for column in columns:
            by_key.setdefault(column.strip().casefold(), column)
        mapping: dict[str, str | None] = {}
        for ph in self.placeholders:
            column = by_key.get(ph.key)
            if column is None and ph.fallback is None and ph.key not in mapping:
                raise TemplateError(
                    f"placeholder {ph} has no column (first row lacking it: 1)",
                    hint=f"columns are: {', '.join(columns) or '(none)'}; or write {{{{{ph.name}|fallback}}}}",
                )
            mapping[ph.key] = column
        return BoundTemplate(self, mapping)


@dataclass(frozen=True)
class BoundTemplate:
    """A template tied to a set of columns, ready to render per contact."""

    template: Template
    columns: Mapping[str, str | None]  # placeholder key -> column name (None: fallback only)

    def check(self, fields: Mapping[str, str], row: int) -> None:
        """Raise TemplateError naming the placeholder and ROW when a required value is empty."""
        for ph in self.template.placeholders:
            if ph.fallback is not None:
                continue
            if not self._value(ph, fields):
                raise TemplateError(
                    f"placeholder {ph} is empty in row {row} (first row lacking it)",
                    hint=f"fill the column or write {{{{{ph.name}|fallback}}}}",
                )

    def render(self, fields: Mapping[str, str], rng: random.Random, row: int = 0) -> str:
        """The message for one contact (checked first, so an error names ROW)."""
        self.check(fields, row)
        out: list[str] = []
        self._render(self.template.nodes, fields, rng, out)
        return "".join(out)

    def _value(self, ph: Placeholder, fields: Mapping[str, str]) -> str:
        column = self.columns.get(ph.key)
        if column is None:
            return ""
        return (fields.get(column) or "").strip()

    def _render(self, nodes: Sequence[Node], fields: Mapping[str, str], rng: random.Random, out: list[str]) -> None:
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif isinstance(node, Placeholder):
                value = self._value(node, fields)
                out.append(value if value else (node.fallback or ""))
            else:
                self._render(node.options[rng.randrange(len(node.options))], fields, rng, out)


def parse_template(source: str) -> Template:
    """Parse SOURCE once; raises TemplateError for an empty template or an unclosed placeholder."""
    if not source.strip():
        raise TemplateError("the message is empty")
    parser = _Parser(source)
    nodes = parser.sequence(top=True)
    seen: dict[str, Placeholder] = {}
    for ph in parser.placeholders:
        # A required use wins over a fallback use of the same column.
        if ph.key not in seen or (seen[ph.key].fallback is not None and ph.fallback is None):
            seen[ph.key] = ph
    ordered = tuple(seen[key] for key in dict.fromkeys(ph.key for ph in parser.placeholders))
    return Template(source, nodes, ordered)


class _Parser:
    """Recursive descent over the template text: text, `{{...}}`, `{...|...}`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.placeholders: list[Placeholder] = []

    def sequence(self, top: bool) -> tuple[Node, ...]:
        nodes: list[Node] = []
        buf: list[str] = []

        def flush() -> None:
            if buf:
                nodes.append("".join(buf))
                buf.clear()

        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if not top and ch in "|}":
                break
            if text.startswith("{{", self.pos):
                flush()
                nodes.append(self.placeholder())
            elif ch == "{":
                spin = self.spin()
                if spin is None:
                    buf.append("{")
                    self.pos += 1
                else:
                    flush()
                    nodes.append(spin)
            else:
                buf.append(ch)
                self.pos += 1
        flush()
        return tuple(nodes)

    def placeholder(self) -> Placeholder:
        start = self.pos
        end = self.text.find("}}", start + 2)
        if end < 0:
            raise TemplateError(f"unclosed placeholder at character {start + 1}: {self.text[start:start + 20]!r}")
        inner = self.text[start + 2 : end]
        name, bar, fallback = inner.partition("|")
        name = name.strip()
        if not name or "{" in name:
            raise TemplateError(f"empty or malformed placeholder {self.text[start:end + 2]!r}")
        ph = Placeholder(name, fallback if bar else None)
        self.placeholders.append(ph)
        self.pos = end + 2
        return ph

    def spin(self) -> Spin | None:
        """A group `{a|b}` starting at pos, or None (pos unchanged) when the brace is plain text."""
        start, mark = self.pos, len(self.placeholders)
        self.pos += 1
        options: list[tuple[Node, ...]] = []
        while True:
            options.append(self.sequence(top=False))
            if self.pos >= len(self.text):
                break
            if self.text[self.pos] == "|":
                self.pos += 1
                continue
            self.pos += 1  # the closing brace
            if len(options) > 1:
                return Spin(tuple(options))
            break
        self.pos = start
        del self.placeholders[mark:]
        return None
