"""Message templates: `{{col}}` placeholders, `{{col:filtro}}`, `{{col|fallback}}`, `{a|b|c}` spintax
(pure; rng passed in).

Parse once with `parse_template`, `bind` it to the CSV's columns, then `render` per contact.

Rules (also in the README):
- A column name matches case-insensitively (`{{Nome}}` reads column `nome`); accents are kept, so
  `{{nome}}` does not read a column `nóme`.
- `{{nome|cliente}}` inserts the literal text `cliente` when the contact's value is empty or blank.
  `{{nome|}}` (an empty fallback) accepts an empty value on purpose.
- `{{nome:primeiro}}` / `{{nome:titulo}}` reshape the value (domain/names.py); a fallback combines:
  `{{nome:primeiro|cliente}}` (the fallback is inserted as written). An unknown filter is an error.
- A placeholder whose column is missing, or whose value is empty for some contact, with no
  fallback, is an input error before anything is sent: half-personalised messages
  ("Olá , tudo bem?") look like spam. The error names the position and suggests a column.
- `{Olá|Oi|E aí}` picks one option per message; options may hold placeholders and nested groups
  (at most MAX_NESTING deep). Every placeholder in every option is checked for every contact.
- Braces that are not a group (`{ok}`, a lone `{` or `}`) are kept as written, except typos that
  would be sent to everyone as written: a stray `}}` (`Oi {nome}}`), an unclosed `{{`, and a
  single-brace word naming a column (`{nome}`, refused by `bind`).

Parsing is one left-to-right pass with an explicit stack of open braces (linear in the length):
a `}` closes the innermost open `{`; a closed group with a `|` is spintax, any other is text.
"""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from nexus_blast.domain.names import FILTERS
from nexus_blast.errors import InputError
from nexus_blast.i18n import _, join, number

MAX_NESTING = 20  # open `{` at once; deeper is a generated or broken template, not a message
MAX_MESSAGE_CHARS = 65_536  # WhatsApp's cap on a text message
_TOKEN = re.compile(r"\{\{|[{}|]")


class TemplateError(InputError):
    """A template that cannot be rendered for some contact."""


@dataclass(frozen=True)
class Placeholder:
    """`{{name}}`, `{{name:filter}}`, `{{name|fallback}}` (fallback None when absent, "" when written
    `{{name|}}`); POS is its 0-based offset in the template (for error messages only)."""

    name: str
    fallback: str | None
    filter: str | None = None
    pos: int = field(default=0, compare=False)

    @property
    def key(self) -> str:
        return self.name.casefold()

    def __str__(self) -> str:
        name = self.name + (f":{self.filter}" if self.filter else "")
        return "{{" + name + ("" if self.fallback is None else "|" + self.fallback) + "}}"


@dataclass(frozen=True)
class Spin:
    """`{a|b|c}`: each option is a sequence of nodes."""

    options: tuple[tuple[Node, ...], ...]


Node = str | Placeholder | Spin


@dataclass(frozen=True)
class Template:
    """A parsed template: nodes in order, every placeholder it mentions (first occurrence first),
    and the single-brace words kept as text (`{ok}`: offset, inner text), checked against columns."""

    source: str
    nodes: tuple[Node, ...]
    placeholders: tuple[Placeholder, ...]
    braced_words: tuple[tuple[int, str], ...] = ()

    def bind(self, columns: Sequence[str]) -> BoundTemplate:
        """Match placeholders to COLUMNS; a placeholder with no column and no fallback is an error
        reported at the first data row (every row lacks it), as is `{col}` naming a column."""
        by_key: dict[str, str] = {}
        for column in columns:
            by_key.setdefault(column.strip().casefold(), column)
        self._refuse_braced_columns(by_key)
        mapping: dict[str, str | None] = {}
        for ph in self.placeholders:
            column = by_key.get(ph.key)
            if column is None and ph.fallback is None and ph.key not in mapping:
                raise TemplateError(
                    join("", (_("placeholder {placeholder} at character {pos} has no column (first row lacking it: 1)").format(
                        placeholder=ph, pos=ph.pos + 1), _did_you_mean(ph, by_key))),
                    hint=_("columns are: {columns}; or write {{{{{name}|fallback}}}}").format(
                        columns=", ".join(columns) or _("(none)"), name=ph.name),
                )
            mapping[ph.key] = column
        return BoundTemplate(self, mapping)

    def _refuse_braced_columns(self, by_key: Mapping[str, str]) -> None:
        for pos, inner in self.braced_words:
            word = inner.strip()
            column = by_key.get(word.partition(":")[0].strip().casefold())
            if column is not None:
                raise TemplateError(
                    _("{{{inner}}} at character {pos} names the column {column!r} with single braces "
                      "(it would be sent as written)").format(inner=inner, pos=pos + 1, column=column),
                    hint=_("write {{{{{word}}}}}").format(word=word),
                )


def _did_you_mean(ph: Placeholder, by_key: Mapping[str, str]) -> str:
    close = difflib.get_close_matches(ph.key, list(by_key), n=1, cutoff=0.6)
    if not close:
        return ""
    suggestion = Placeholder(by_key[close[0]], ph.fallback, ph.filter)
    return _("; did you mean {suggestion}?").format(suggestion=suggestion)


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
                    _("placeholder {placeholder} is empty in row {row} (first row lacking it)").format(placeholder=ph, row=row),
                    hint=_("fill the column or write {{{{{name}|fallback}}}}").format(name=ph.name),
                )

    def render(self, fields: Mapping[str, str], rng: random.Random, row: int = 0) -> str:
        """The message for one contact (checked first, so an error names ROW)."""
        self.check(fields, row)
        out: list[str] = []
        self._render(self.template.nodes, fields, rng, out)
        text = "".join(out)
        if len(text) > MAX_MESSAGE_CHARS:
            raise TemplateError(
                _("the message for row {row} is {n} characters, over WhatsApp's limit of {limit}").format(
                    row=row, n=number(len(text)), limit=number(MAX_MESSAGE_CHARS)),
                hint=_("shorten the message or the column values it inserts"),
            )
        return text

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
                if value and node.filter:
                    value = FILTERS[node.filter](value)
                out.append(value if value else (node.fallback or ""))
            else:
                self._render(node.options[rng.randrange(len(node.options))], fields, rng, out)


def parse_template(source: str) -> Template:
    """Parse SOURCE once; raises TemplateError naming the position for an empty, too long or
    malformed template (unclosed `{{`, stray `}}`, unknown filter, braces nested too deep)."""
    if not source.strip():
        raise TemplateError(_("the message is empty"))
    if len(source) > MAX_MESSAGE_CHARS:
        raise TemplateError(
            _("the message is {n} characters, over WhatsApp's limit of {limit}").format(n=number(len(source)), limit=number(MAX_MESSAGE_CHARS)),
            hint=_("shorten it"),
        )
    parser = _Parser(source)
    nodes = parser.parse()
    seen: dict[str, Placeholder] = {}
    for ph in parser.placeholders:
        # A required use wins over a fallback use of the same column.
        if ph.key not in seen or (seen[ph.key].fallback is not None and ph.fallback is None):
            seen[ph.key] = ph
    ordered = tuple(seen[key] for key in dict.fromkeys(ph.key for ph in parser.placeholders))
    return Template(source, nodes, ordered, tuple(parser.braced_words))


class _Group:
    """An open `{`: where it started and the options read so far (lists of parts)."""

    __slots__ = ("options", "start")

    def __init__(self, start: int) -> None:
        self.start = start
        self.options: list[list[Node]] = [[]]


class _Parser:
    """One pass over the text with a stack of open groups (no backtracking, no recursion)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.placeholders: list[Placeholder] = []
        self.braced_words: list[tuple[int, str]] = []

    def parse(self) -> tuple[Node, ...]:
        text = self.text
        top: list[Node] = []
        stack: list[_Group] = []
        pos = 0
        while True:
            match = _TOKEN.search(text, pos)
            current = stack[-1].options[-1] if stack else top
            if match is None:
                current.append(text[pos:])
                break
            start = match.start()
            current.append(text[pos:start])
            token = match.group(0)
            if token == "{{":
                current.append(self._placeholder(start))
                pos = text.index("}}", start + 2) + 2
            elif token == "{":
                if len(stack) >= MAX_NESTING:
                    raise TemplateError(
                        _("braces nested more than {n} deep at character {pos}").format(n=MAX_NESTING, pos=start + 1),
                        hint=_("spintax groups {a|b} may nest, but not that deep"),
                    )
                stack.append(_Group(start))
                pos = start + 1
            elif token == "|":
                if stack:
                    stack[-1].options.append([])
                else:
                    current.append("|")
                pos = start + 1
            else:  # "}"
                if stack:
                    self._close(stack.pop(), stack[-1].options[-1] if stack else top)
                elif start > 0 and text[start - 1] == "}":
                    raise TemplateError(
                        _("unbalanced '}}}}' at character {pos}: no '{{{{' opens it").format(pos=start),
                        hint=_("a placeholder is written {{coluna}}"),
                    )
                else:
                    current.append("}")
                pos = start + 1
        while stack:  # never closed: the braces and bars were text
            group = stack.pop()
            (stack[-1].options[-1] if stack else top).extend(_as_text(group, closed=False))
        return _merge(top)

    def _close(self, group: _Group, parent: list[Node]) -> None:
        if len(group.options) > 1:
            parent.append(Spin(tuple(_merge(option) for option in group.options)))
            return
        parts = group.options[0]
        if all(isinstance(p, str) for p in parts):
            self.braced_words.append((group.start, "".join(parts)))  # type: ignore[arg-type]
        parent.extend(_as_text(group, closed=True))

    def _placeholder(self, start: int) -> Placeholder:
        text = self.text
        end = text.find("}}", start + 2)
        inner = text[start + 2 : end] if end >= 0 else ""
        if end < 0 or "{" in inner or "}" in inner:
            raise TemplateError(
                _("unclosed placeholder at character {pos}: {text!r}").format(pos=start + 1, text=text[start:start + 20]),
                hint=_("a placeholder is written {{coluna}}"),
            )
        raw = text[start : end + 2]
        head, bar, fallback = inner.partition("|")
        name, colon, filter_name = head.rpartition(":") if ":" in head else (head, "", "")
        name, filter_name = name.strip(), filter_name.strip().casefold()
        if not name:
            raise TemplateError(_("empty or malformed placeholder {raw!r} at character {pos}").format(raw=raw, pos=start + 1))
        if colon and filter_name not in FILTERS:
            raise TemplateError(
                _("unknown filter {filter!r} in {raw} at character {pos}").format(filter=filter_name, raw=raw, pos=start + 1),
                hint=_("filters are: {filters} (e.g. {{{{{name}:primeiro}}}})").format(filters=", ".join(FILTERS), name=name),
            )
        ph = Placeholder(name, fallback if bar else None, filter_name or None, pos=start)
        self.placeholders.append(ph)
        return ph


def _as_text(group: _Group, closed: bool) -> list[Node]:
    """A group that is not spintax, back as its text (its placeholders and inner groups kept)."""
    parts: list[Node] = ["{"]
    for number, option in enumerate(group.options):
        if number:
            parts.append("|")
        parts.extend(option)
    if closed:
        parts.append("}")
    return parts


def _merge(parts: list[Node]) -> tuple[Node, ...]:
    """PARTS with adjacent strings joined and empty ones dropped."""
    out: list[Node] = []
    run: list[str] = []
    for part in parts:
        if isinstance(part, str):
            run.append(part)
            continue
        if run:
            joined = "".join(run)
            if joined:
                out.append(joined)
            run = []
        out.append(part)
    joined = "".join(run)
    if joined:
        out.append(joined)
    return tuple(out)
