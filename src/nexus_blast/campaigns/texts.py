"""A campaign's texts parsed and bound to the contacts' columns: the measured variants (`-m` given
more than once, `--message-file`), the AI's variants, the footer, the confirm-first question. Each
TemplateError names which text it is about."""

from __future__ import annotations

from dataclasses import replace

from nexus_blast import i18n
from nexus_blast.domain.templates import MAX_MESSAGE_CHARS, Template, TemplateError, parse_template
from nexus_blast.errors import InputError
from nexus_blast.i18n import _


def with_footer(template: Template, footer: str) -> Template:
    """TEMPLATE with FOOTER appended as plain text (braces in it are not spintax), on its own
    paragraph; counted in the length check, which names the footer when it makes a message too long."""
    if not footer.strip():
        return template
    tail = "\n\n" + footer.strip()
    if len(template.source) + len(tail) > MAX_MESSAGE_CHARS:
        raise InputError(_("--footer: the message with the footer is {n} characters, over WhatsApp's limit of {limit}").format(
            n=i18n.number(len(template.source) + len(tail)), limit=i18n.number(MAX_MESSAGE_CHARS)))
    return replace(template, source=template.source + tail, nodes=template.nodes + (tail,))


def parse_variants(variants: tuple[tuple[str, str], ...]) -> list:
    """Each measured variant parsed; TemplateError names the file (or `--message N`)."""
    parsed = []
    for label, text in variants:
        try:
            parsed.append(parse_template(text))
        except TemplateError as exc:
            raise TemplateError(_("{label}: {error}").format(label=label, error=exc.message), hint=exc.hint) from None
    return parsed


def bind_labelled(template, label: str, columns: list[str]):
    try:
        return template.bind(columns)
    except TemplateError as exc:
        raise TemplateError(_("{label}: {error}").format(label=label, error=exc.message), hint=exc.hint) from None


def bind_variant(text: str, number: int, columns: list[str], footer: str = ""):
    try:
        return with_footer(parse_template(text), footer).bind(columns)
    except TemplateError as exc:
        raise TemplateError(_("AI variant {number}: {error}").format(number=number, error=exc.message), hint=exc.hint) from None


def bind_question(text: str, columns: list[str]):
    if not text.strip():
        raise InputError(_("--confirm-first is empty"), hint=_('ask something: --confirm-first "Oi {{nome|}}, posso te mandar a oferta?"'))
    try:
        return parse_template(text).bind(columns)
    except TemplateError as exc:
        raise TemplateError(_("{label}: {error}").format(label="--confirm-first", error=exc.message), hint=exc.hint) from None
