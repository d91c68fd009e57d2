"""The AI providers we know: base URL, default model and the variable that conventionally holds
the key. All of them speak the OpenAI-compatible chat completions API."""

from __future__ import annotations

from dataclasses import dataclass

from nexus_blast.errors import InputError
from nexus_blast.i18n import _


@dataclass(frozen=True)
class Preset:
    """Defaults for one provider; `key_env` is empty when the provider needs no key."""

    provider: str
    label: str
    base_url: str
    model: str
    key_env: str

    @property
    def needs_key(self) -> bool:
        return bool(self.key_env)


PRESETS: dict[str, Preset] = {
    p.provider: p
    for p in (
        Preset("groq", "Groq", "https://api.groq.com/openai/v1", "llama-3.3-70b-versatile", "GROQ_API_KEY"),
        Preset("openrouter", "OpenRouter", "https://openrouter.ai/api/v1", "openai/gpt-4o-mini", "OPENROUTER_API_KEY"),
        # DeepSeek documents https://api.deepseek.com (the /v1 form is an alias kept for compatibility).
        Preset("deepseek", "DeepSeek", "https://api.deepseek.com", "deepseek-v4-flash", "DEEPSEEK_API_KEY"),
        Preset("mistral", "Mistral", "https://api.mistral.ai/v1", "mistral-small-latest", "MISTRAL_API_KEY"),
        # Alibaba Model Studio (DashScope), international endpoint, OpenAI-compatible mode.
        Preset("qwen", "Qwen (DashScope)", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "qwen-plus", "DASHSCOPE_API_KEY"),
        Preset("ollama", "Ollama (local)", "http://localhost:11434/v1", "llama3.2", ""),
    )
}


def preset(provider: str) -> Preset:
    """The preset for PROVIDER; an input error naming the known ones otherwise."""
    try:
        return PRESETS[provider.strip().lower()]
    except KeyError:
        raise InputError(
            _("unknown AI provider {name!r}").format(name=provider),
            hint=_("known: {names}").format(names=", ".join(PRESETS)),
        ) from None
