"""`blast ai ...` (providers) and `blast copy` (campaign copy)."""

from __future__ import annotations

import typer

ai_app = typer.Typer(help="AI providers (Groq, OpenRouter, DeepSeek, Mistral, Qwen, Ollama).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(ai_app, name="ai")
