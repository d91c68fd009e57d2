"""`blast ai ...` (providers) and `blast copy` (campaign copy)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from nexus_blast.cli import complete
from nexus_blast.cli.output import confirm, confirm_overwrite, info, print_json, table
from nexus_blast.cli.state import current
from nexus_blast.errors import InputError
from nexus_blast.i18n import N_, _, english, format_number, join, ngettext, os_reason

ai_app = typer.Typer(help=N_("AI providers: Ollama (local), Groq, OpenRouter and others."), no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout."))]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask for confirmation."))]
TimeoutOpt = Annotated[float, typer.Option("--timeout", metavar="SECONDS", min=0.1, help=N_("Seconds to wait for the provider's answer."))]
NameArg = Annotated[str, typer.Argument(metavar="NAME", help=N_("The provider's name in the config (see: blast ai list)."), show_default=False, autocompletion=complete.provider_names)]


def _limits(timeout: float):
    from nexus_blast.ai.client import Limits

    return Limits(timeout=timeout, connect_timeout=min(timeout, 10.0))


@ai_app.command("add")
def add(
    provider: Annotated[str, typer.Argument(metavar="PROVIDER", autocompletion=complete.provider_kinds, help=N_("[groq|openrouter|deepseek|mistral|qwen|ollama]; ollama is free and local."), show_default=False)],
    name: Annotated[Optional[str], typer.Option("--name", help=N_("Name in the config (default: the provider)."), show_default=False)] = None,
    api_key: Annotated[Optional[str], typer.Option("--api-key", help=N_("The key itself (stored in the 0600 config file)."), show_default=False)] = None,
    api_key_env: Annotated[Optional[str], typer.Option("--api-key-env", metavar="VAR", help=N_("Environment variable holding the key (default: the provider's usual one, e.g. GROQ_API_KEY)."), show_default=False)] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help=N_("Override the provider's API base URL."), show_default=False)] = None,
    model: Annotated[Optional[str], typer.Option("--model", help=N_("Model to use (default: the provider's preset)."), show_default=False)] = None,
    yes: YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Add an AI provider to the config.

    The first one added becomes the default."""
    from nexus_blast.ai import providers
    from nexus_blast.ai.presets import preset

    path = current().paths.config
    target = name or preset(provider).provider
    if providers.exists(path, target):
        confirm(_("Replace AI provider {name!r}?").format(name=target), yes)
    added, became_default = providers.add(
        path, provider, name=name, api_key=api_key, api_key_env=api_key_env, base_url=base_url, model=model
    )
    row = next(r for r in providers.describe(current().reload_settings()) if r.name == added)
    if json:
        print_json(row.as_dict())
        return
    info(_("added AI provider {name} ({provider}, model {model}, key from {source})").format(
        name=added, provider=row.provider, model=row.model, source=row.key_source))
    if became_default:
        info(_("{name} is the default provider").format(name=added))
    if not row.key_set and row.key_source != "none":
        info(_("note: {variable} is not set in this environment").format(variable=row.key_source[4:]))
    info(_("next: blast ai test {name}").format(name=added))


@ai_app.command("list")
def list_(json: JsonOpt = False) -> None:
    """List the configured AI providers, keys masked.

    With where each key comes from."""
    from nexus_blast.ai.providers import describe

    rows = describe(current().settings())
    if json:
        print_json([r.as_dict() for r in rows])
        return
    if not rows:
        from nexus_blast.ai.providers import add_hint

        info(_("no AI provider configured; {hint}").format(hint=add_hint()))
        return
    table(
        None,
        [N_("name"), N_("provider"), N_("model"), N_("base url"), N_("key"), N_("default")],
        [[r.name, r.provider, r.model, r.base_url, f"{r.api_key or '-'} ({r.key_source})", "*" if r.default else ""] for r in rows],
    )


@ai_app.command("test")
def test(name: Annotated[Optional[str], typer.Argument(metavar="NAME", help=N_("Provider name (default: the default provider)."), show_default=False, autocompletion=complete.provider_names)] = None, timeout: TimeoutOpt = 30.0, json: JsonOpt = False) -> None:
    """Check a provider: its models and one completion.

    Reports the latency."""
    from nexus_blast.ai.probe import probe
    from nexus_blast.ai.providers import endpoint

    result = probe(endpoint(current().settings(), name), _limits(timeout))
    if json:
        print_json(result.as_dict())
        return
    typer.echo(_("{name}: ok ({provider}, {url})").format(name=result.name, provider=result.provider, url=result.base_url))
    models = _("  models:     {count} listed in {ms} ms") if result.model_listed else _("  models:     {count} listed in {ms} ms — not in the model list!")
    typer.echo(models.format(count=format_number(result.models), ms=format_number(result.models_ms)))
    typer.echo(_("  completion: {model} answered {reply!r} in {ms} ms").format(model=result.model, reply=result.reply, ms=format_number(result.completion_ms)))


@ai_app.command("models")
def models(name: NameArg, timeout: TimeoutOpt = 30.0, json: JsonOpt = False) -> None:
    """List the models a provider offers (one id per line)."""
    from nexus_blast.ai.client import AIClient
    from nexus_blast.ai.providers import endpoint

    target = endpoint(current().settings(), name)
    with AIClient(target, _limits(timeout)) as client:
        ids = client.models()
    if json:
        from nexus_blast.ai.probe import model_listed

        print_json([{"id": model, "configured": model_listed(target.model, [model])} for model in ids])
        return
    for model in ids:
        typer.echo(model)
    info(ngettext("{count} model; {name} uses {model}", "{count} models; {name} uses {model}", len(ids)).format(
        count=format_number(len(ids)), name=name, model=target.model))


@ai_app.command("remove")
def remove(name: NameArg, yes: YesOpt = False, json: JsonOpt = False) -> None:
    """Remove an AI provider from the config."""
    from nexus_blast.ai import providers

    path = current().paths.config
    if not providers.exists(path, name):
        from nexus_blast.errors import NotFound

        raise NotFound(_("unknown AI provider {name!r}").format(name=name), hint=_("see: blast ai list"))
    confirm(_("Remove AI provider {name!r}?").format(name=name), yes)
    default = providers.remove(path, name)
    if json:
        print_json({"removed": name, "default": default})
        return
    if default:
        info(_("removed AI provider {name}; default is now {default}").format(name=name, default=default))
    else:
        info(_("removed AI provider {name}; no provider left").format(name=name))


@ai_app.command("default")
def default(name: NameArg, json: JsonOpt = False) -> None:
    """Make NAME the provider `blast copy` uses without --provider."""
    from nexus_blast.ai import providers

    providers.set_default(current().paths.config, name)
    if json:
        print_json({"default": name})
        return
    info(_("{name} is the default AI provider").format(name=name))


def copy(
    brief: Annotated[str, typer.Argument(help=N_("What the campaign is about ('-' reads it from stdin)."), show_default=False)],
    provider: Annotated[Optional[str], typer.Option("--provider", metavar="NAME", autocompletion=complete.provider_names, help=N_("Provider name (default: the default provider)."), show_default=False)] = None,
    model: Annotated[Optional[str], typer.Option("--model", help=N_("Model (default: the provider's)."), show_default=False)] = None,
    variants: Annotated[int, typer.Option("--variants", "-n", min=1, max=10, help=N_("How many distinct messages."))] = 3,
    tone: Annotated[str, typer.Option("--tone", metavar="TEXT", help=N_("Tone of voice, in words."))] = "amigável e direto",
    max_chars: Annotated[int, typer.Option("--max-chars", min=40, max=4096, help=N_("Longest message, in characters."))] = 600,
    lang: Annotated[str, typer.Option("--lang", metavar="LANG", help=N_("Language of the messages."))] = "pt-BR",
    placeholders: Annotated[Optional[str], typer.Option("--placeholders", metavar="NAME[,NAME…]", help=N_("Contact columns the text may use as {{name}}: nome,cidade."), show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help=N_("Write one variant to FILE (for blast send --message-file)."), show_default=False)] = None,
    pick: Annotated[int, typer.Option("--pick", min=1, help=N_("Which variant -o writes."))] = 1,
    timeout: TimeoutOpt = 60.0,
    yes: YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Draft campaign messages with AI.

    N checked variants, {{placeholders}} kept."""
    from nexus_blast.ai.copywriter import CopyRequest, draft, parse_placeholders
    from nexus_blast.ai.providers import endpoint

    if brief == "-":
        brief = sys.stdin.read()
    if pick > variants:
        raise InputError(_("--pick {pick} is more than --variants {variants}").format(pick=pick, variants=variants))
    confirm_overwrite(yes, output)
    request = CopyRequest(
        brief=brief, variants=variants, tone=tone, max_chars=max_chars, lang=lang, placeholders=parse_placeholders(placeholders)
    ).validated()
    state = current()
    target = endpoint(state.settings(), provider, model=model)
    result = draft(state.db(), target, request, limits=_limits(timeout))
    written = None
    if output is not None:
        if pick > len(result.variants):
            raise InputError(ngettext("--pick {pick}: only {count} variant passed the checks", "--pick {pick}: only {count} variants passed the checks",
                                      len(result.variants)).format(pick=pick, count=len(result.variants)))
        _write_message(output, result.variants[pick - 1])
        written = str(output)
    if json:
        print_json(
            {
                "variants": result.variants,
                "provider": result.provider,
                "model": result.model,
                "requested": result.requested,
                "rejected": [english(reason) for reason in result.rejected],
                "tokens": {"prompt": result.prompt_tokens, "completion": result.completion_tokens},
                "file": written,
            }
        )
    else:
        for number, text in enumerate(result.variants, 1):
            typer.echo(ngettext("--- {number} ({count} char) ---", "--- {number} ({count} chars) ---", len(text)).format(
                number=number, count=format_number(len(text))) + f"\n{text}\n")
        info(_("{provider} · {model} · {count} tokens").format(
            provider=result.provider, model=result.model, count=format_number(result.prompt_tokens + result.completion_tokens)))
    if len(result.variants) < result.requested:
        info(_("only {passed} of {requested} variants passed the checks ({reasons})").format(
            passed=len(result.variants), requested=result.requested, reasons=join("; ", dict.fromkeys(result.rejected))))
    if written:
        info(_("wrote variant {pick} to {file}; send it with: blast send CONTACTS.csv --message-file {file}").format(pick=pick, file=written))


def _write_message(path: Path, text: str) -> None:
    try:
        from nexus_blast.paths import ensure_private_dir

        ensure_private_dir(path.parent)
        path.write_text(text, encoding="utf-8")  # the file is the message, byte for byte
    except OSError as exc:
        raise InputError(_("{file}: cannot write ({reason})").format(file=path, reason=os_reason(exc))) from None


COPY_EXAMPLES = N_("""Examples:
  blast copy "promoção de pizza sexta-feira, 20% off" --placeholders nome
  # three variants in a friendlier tone, the second written to a file
  blast copy "lembrete da consulta" -n 3 --tone "carinhoso" -o msg.txt --pick 2
  blast send contatos.csv --message-file msg.txt""")


def register(app: typer.Typer) -> None:
    app.add_typer(ai_app, name="ai")
    app.command("copy", epilog=COPY_EXAMPLES)(copy)
