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

ai_app = typer.Typer(help="AI providers: Ollama (local), Groq, OpenRouter and others.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", metavar="SECONDS", min=0.1, help="Seconds to wait for the provider's answer.")]
NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The provider's name in the config (see: blast ai list).", show_default=False, autocompletion=complete.provider_names)]


def _limits(timeout: float):
    from nexus_blast.ai.client import Limits

    return Limits(timeout=timeout, connect_timeout=min(timeout, 10.0))


@ai_app.command("add")
def add(
    provider: Annotated[str, typer.Argument(metavar="PROVIDER", autocompletion=complete.provider_kinds, help="[groq|openrouter|deepseek|mistral|qwen|ollama]; ollama is free and local.", show_default=False)],
    name: Annotated[Optional[str], typer.Option("--name", help="Name in the config (default: the provider).", show_default=False)] = None,
    api_key: Annotated[Optional[str], typer.Option("--api-key", help="The key itself (stored in the 0600 config file).", show_default=False)] = None,
    api_key_env: Annotated[Optional[str], typer.Option("--api-key-env", metavar="VAR", help="Environment variable holding the key (default: the provider's usual one, e.g. GROQ_API_KEY).", show_default=False)] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="Override the provider's API base URL.", show_default=False)] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Model to use (default: the provider's preset).", show_default=False)] = None,
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
        confirm(f"Replace AI provider {target!r}?", yes)
    added, became_default = providers.add(
        path, provider, name=name, api_key=api_key, api_key_env=api_key_env, base_url=base_url, model=model
    )
    row = next(r for r in providers.describe(current().reload_settings()) if r.name == added)
    if json:
        print_json(row.as_dict())
        return
    info(f"added AI provider {added} ({row.provider}, model {row.model}, key from {row.key_source})")
    if became_default:
        info(f"{added} is the default provider")
    if not row.key_set and row.key_source != "none":
        info(f"note: {row.key_source[4:]} is not set in this environment")
    info(f"next: blast ai test {added}")


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
        from nexus_blast.ai.providers import ADD_HINT

        info(f"no AI provider configured; {ADD_HINT}")
        return
    table(
        None,
        ["name", "provider", "model", "base url", "key", "default"],
        [[r.name, r.provider, r.model, r.base_url, f"{r.api_key or '-'} ({r.key_source})", "*" if r.default else ""] for r in rows],
    )


@ai_app.command("test")
def test(name: Annotated[Optional[str], typer.Argument(metavar="NAME", help="Provider name (default: the default provider).", show_default=False, autocompletion=complete.provider_names)] = None, timeout: TimeoutOpt = 30.0, json: JsonOpt = False) -> None:
    """Check a provider: its models and one completion.

    Reports the latency."""
    from nexus_blast.ai.probe import probe
    from nexus_blast.ai.providers import endpoint

    result = probe(endpoint(current().settings(), name), _limits(timeout))
    if json:
        print_json(result.as_dict())
        return
    typer.echo(f"{result.name}: ok ({result.provider}, {result.base_url})")
    listed = "" if result.model_listed else " — not in the model list!"
    typer.echo(f"  models:     {result.models} listed in {result.models_ms} ms{listed}")
    typer.echo(f"  completion: {result.model} answered {result.reply!r} in {result.completion_ms} ms")


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
    info(f"{len(ids)} models; {name} uses {target.model}")


@ai_app.command("remove")
def remove(name: NameArg, yes: YesOpt = False, json: JsonOpt = False) -> None:
    """Remove an AI provider from the config."""
    from nexus_blast.ai import providers

    path = current().paths.config
    if not providers.exists(path, name):
        from nexus_blast.errors import NotFound

        raise NotFound(f"unknown AI provider {name!r}", hint="see: blast ai list")
    confirm(f"Remove AI provider {name!r}?", yes)
    default = providers.remove(path, name)
    if json:
        print_json({"removed": name, "default": default})
        return
    info(f"removed AI provider {name}" + (f"; default is now {default}" if default else "; no provider left"))


@ai_app.command("default")
def default(name: NameArg, json: JsonOpt = False) -> None:
    """Make NAME the provider `blast copy` uses without --provider."""
    from nexus_blast.ai import providers

    providers.set_default(current().paths.config, name)
    if json:
        print_json({"default": name})
        return
    info(f"{name} is the default AI provider")


def copy(
    brief: Annotated[str, typer.Argument(help="What the campaign is about ('-' reads it from stdin).", show_default=False)],
    provider: Annotated[Optional[str], typer.Option("--provider", metavar="NAME", autocompletion=complete.provider_names, help="Provider name (default: the default provider).", show_default=False)] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Model (default: the provider's).", show_default=False)] = None,
    variants: Annotated[int, typer.Option("--variants", "-n", min=1, max=10, help="How many distinct messages.")] = 3,
    tone: Annotated[str, typer.Option("--tone", metavar="TEXT", help="Tone of voice, in words.")] = "amigável e direto",
    max_chars: Annotated[int, typer.Option("--max-chars", min=40, max=4096, help="Longest message, in characters.")] = 600,
    lang: Annotated[str, typer.Option("--lang", metavar="LANG", help="Language of the messages.")] = "pt-BR",
    placeholders: Annotated[Optional[str], typer.Option("--placeholders", metavar="NAME[,NAME…]", help="Contact columns the text may use as {{name}}: nome,cidade.", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write one variant to FILE (for blast send --message-file).", show_default=False)] = None,
    pick: Annotated[int, typer.Option("--pick", min=1, help="Which variant -o writes.")] = 1,
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
        raise InputError(f"--pick {pick} is more than --variants {variants}")
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
            raise InputError(f"--pick {pick}: only {len(result.variants)} variants passed the checks")
        _write_message(output, result.variants[pick - 1])
        written = str(output)
    if json:
        print_json(
            {
                "variants": result.variants,
                "provider": result.provider,
                "model": result.model,
                "requested": result.requested,
                "rejected": result.rejected,
                "tokens": {"prompt": result.prompt_tokens, "completion": result.completion_tokens},
                "file": written,
            }
        )
    else:
        for number, text in enumerate(result.variants, 1):
            typer.echo(f"--- {number} ({len(text)} chars) ---\n{text}\n")
        info(f"{result.provider} · {result.model} · {result.prompt_tokens + result.completion_tokens} tokens")
    if len(result.variants) < result.requested:
        info(f"only {len(result.variants)} of {result.requested} variants passed the checks (" + "; ".join(dict.fromkeys(result.rejected)) + ")")
    if written:
        info(f"wrote variant {pick} to {written}; send it with: blast send CONTACTS.csv --message-file {written}")


def _write_message(path: Path, text: str) -> None:
    try:
        from nexus_blast.paths import ensure_private_dir

        ensure_private_dir(path.parent)
        path.write_text(text, encoding="utf-8")  # the file is the message, byte for byte
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None


COPY_EXAMPLES = """Examples:
  blast copy "promoção de pizza sexta-feira, 20% off" --placeholders nome
  # three variants in a friendlier tone, the second written to a file
  blast copy "lembrete da consulta" -n 3 --tone "carinhoso" -o msg.txt --pick 2
  blast send contatos.csv --message-file msg.txt"""


def register(app: typer.Typer) -> None:
    app.add_typer(ai_app, name="ai")
    app.command("copy", epilog=COPY_EXAMPLES)(copy)
