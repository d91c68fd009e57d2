"""Campaign copy: the prompt, the generate → parse → repair → check loop, and the record of every
generation. `generate_variants` is the entry point for other packages (e.g. `send --ai-brief`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nexus_blast.ai.client import AIClient, BadCompletion, Endpoint, Limits
from nexus_blast.ai.variants import Unparseable, dedup_key, parse_variants, problem, repair
from nexus_blast.errors import InputError
from nexus_blast.i18n import _, english, join

DEFAULT_TONE = "amigável e direto"
DEFAULT_MAX_CHARS = 600
DEFAULT_LANG = "pt-BR"
MAX_VARIANTS = 10
MAX_ROUNDS = 3  # completions asked for one request, all causes together
MALFORMED_RETRIES = 1  # a malformed or empty completion is retried once, then it is an error
TEMPERATURE = 0.9
PLACEHOLDER_NAME_RE = re.compile(r"^[^\W\d]\w*$")


@dataclass(frozen=True)
class CopyRequest:
    """What to write: the brief and the rules every variant must follow."""

    brief: str
    variants: int = 3
    tone: str = DEFAULT_TONE
    max_chars: int = DEFAULT_MAX_CHARS
    lang: str = DEFAULT_LANG
    placeholders: tuple[str, ...] = ()

    def validated(self) -> CopyRequest:
        if not self.brief.strip():
            raise InputError(_("the brief is empty"), hint=_('describe the campaign: blast copy "promoção de ..."'))
        if not 1 <= self.variants <= MAX_VARIANTS:
            raise InputError(_("--variants must be between 1 and {max}").format(max=MAX_VARIANTS))
        if not 40 <= self.max_chars <= 4096:
            raise InputError(_("--max-chars must be between 40 and 4096"))
        for name in self.placeholders:
            if not PLACEHOLDER_NAME_RE.match(name):
                raise InputError(_("invalid placeholder name {name!r}").format(name=name), hint=_("use column names: --placeholders nome,cidade"))
        return self


@dataclass
class CopyResult:
    variants: list[str]
    provider: str
    model: str
    requested: int
    rejected: list[str] = field(default_factory=list)  # one reason per discarded draft
    generations: list[int] = field(default_factory=list)  # ai_generations ids
    prompt_tokens: int = 0
    completion_tokens: int = 0


def parse_placeholders(value: str | None) -> tuple[str, ...]:
    """`nome, cidade` → ("nome", "cidade"); braces tolerated, duplicates dropped."""
    names: list[str] = []
    for part in (value or "").split(","):
        name = part.strip().strip("{}").strip()
        if name and name not in names:
            names.append(name)
    return tuple(names)


def system_prompt(request: CopyRequest) -> str:
    if request.placeholders:
        tokens = ", ".join("{{" + p + "}}" for p in request.placeholders)
        placeholders = (
            f"- You may personalise with these placeholders, written exactly like this, double braces included: {tokens}. "
            "Each is replaced by the contact's data, so the sentence must read well with it. "
            "Use no other placeholder and no other curly braces."
        )
    else:
        placeholders = "- Use no placeholders and no curly braces: every contact gets the same text."
    return "\n".join(
        [
            "You write WhatsApp marketing messages for small businesses in Brazil.",
            "Rules for every message:",
            f"- Language: {request.lang}. Tone: {request.tone}.",
            f"- At most {request.max_chars} characters, spaces and emoji included; shorter is better.",
            "- Plain text ready to paste into WhatsApp. WhatsApp formatting is allowed: *bold*, _italic_, ~strikethrough~.",
            "- No markdown: no # headings, no **double asterisks**, no [text](link), no tables.",
            placeholders,
            "- Do not invent facts (prices, dates, addresses, phone numbers, links) that are not in the brief.",
            "- End with a clear call to action.",
            "Each message must take a different approach (opening, angle, call to action).",
            "Answer with only a JSON array of strings, one string per message, and nothing else. "
            "Write line breaks inside a string as \\n.",
        ]
    )


def user_prompt(request: CopyRequest, count: int, written: list[str], rejected: list[str]) -> str:
    parts = [f"Write {count} distinct message{'s' if count > 1 else ''} for this campaign brief:", request.brief.strip()]
    if written:
        parts.append("Already written (write different ones):\n" + "\n---\n".join(written))
    if rejected:
        said = dict.fromkeys(english(reason) for reason in rejected)  # the model reads English
        parts.append("Earlier drafts were rejected because: " + "; ".join(said) + ". Avoid that.")
    return "\n\n".join(parts)


def draft(db, endpoint: Endpoint, request: CopyRequest, *, limits: Limits | None = None, transport=None) -> CopyResult:
    """Ask ENDPOINT for the variants of REQUEST, repairing, checking and de-duplicating them;
    asks again (up to MAX_ROUNDS completions) for the ones that were missing or rejected."""
    from nexus_blast.store.ai import record_generation

    request = request.validated()
    result = CopyResult(variants=[], provider=endpoint.name, model=endpoint.model, requested=request.variants)
    seen: set[str] = set()
    malformed = 0
    max_tokens = min(8192, request.variants * request.max_chars // 2 + 512)
    with AIClient(endpoint, limits, transport=transport) as client:
        for _round in range(MAX_ROUNDS):
            missing = request.variants - len(result.variants)
            if missing <= 0:
                break
            messages = [
                {"role": "system", "content": system_prompt(request)},
                {"role": "user", "content": user_prompt(request, missing, result.variants, result.rejected)},
            ]
            try:
                completion = client.complete(messages, temperature=TEMPERATURE, max_tokens=max_tokens)
                result.model = completion.model
                result.prompt_tokens += completion.prompt_tokens or 0
                result.completion_tokens += completion.completion_tokens or 0
                result.generations.append(
                    record_generation(
                        db,
                        provider=endpoint.name,
                        model=completion.model,
                        prompt=_as_text(messages),
                        output=completion.text,
                        prompt_tokens=completion.prompt_tokens,
                        completion_tokens=completion.completion_tokens,
                    )
                )
                drafts = parse_variants(completion.text)
            except (BadCompletion, Unparseable) as exc:
                malformed += 1
                if malformed > MALFORMED_RETRIES:
                    raise BadCompletion(
                        _("{name} gave no usable answer twice ({reason})").format(name=endpoint.name, reason=exc),
                        hint=_("try again, or another model: blast copy ... --model M"),
                    ) from None
                continue
            for text in drafts:  # extras are welcome: they stand in for rejected ones
                if len(result.variants) >= request.variants:
                    break
                text = repair(text, request.placeholders)
                reason = problem(text, request.placeholders, request.max_chars)
                if reason is None and dedup_key(text) in seen:
                    reason = _("repeats another variant")
                if reason:
                    result.rejected.append(reason)
                    continue
                seen.add(dedup_key(text))
                result.variants.append(text)
    if not result.variants:
        reasons = join("; ", dict.fromkeys(result.rejected)) or _("no answer")
        raise BadCompletion(_("{name} produced no usable variant ({reasons})").format(name=endpoint.name, reasons=reasons), hint=_("reword the brief or raise --max-chars"))
    return result


def generate_variants(
    settings,
    db,
    brief: str,
    *,
    provider: str | None = None,
    model: str | None = None,
    n: int = 3,
    placeholders: tuple[str, ...] | list[str] = (),
    tone: str = DEFAULT_TONE,
    max_chars: int = DEFAULT_MAX_CHARS,
    lang: str = DEFAULT_LANG,
    limits: Limits | None = None,
    transport=None,
) -> list[str]:
    """Up to N distinct, checked message texts for BRIEF from PROVIDER (default: the configured
    default), each recorded in ai_generations. Only PLACEHOLDERS may appear, as `{{name}}`.
    Raises ConfigError/NotFound/ModelNotFound (exit 2) or KeyRefused/Unreachable/RateLimited/
    BadCompletion (exit 3). May return fewer than N when drafts kept failing the checks."""
    from nexus_blast.ai.providers import endpoint

    target = endpoint(settings, provider, model=model)
    request = CopyRequest(
        brief=brief, variants=n, tone=tone, max_chars=max_chars, lang=lang, placeholders=tuple(placeholders)
    )
    return draft(db, target, request, limits=limits, transport=transport).variants


def _as_text(messages: list[dict[str, str]]) -> str:
    return "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in messages)
