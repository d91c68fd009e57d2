"""Every preset's documented base URL, default model and key variable."""

from __future__ import annotations

import pytest

from nexus_blast.ai.presets import PRESETS, preset
from nexus_blast.errors import InputError

EXPECTED = {
    "groq": ("https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    "openrouter": ("https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    "deepseek": ("https://api.deepseek.com", "DEEPSEEK_API_KEY"),
    "mistral": ("https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    "qwen": ("https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY"),
    "ollama": ("http://localhost:11434/v1", ""),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_base_url_and_key_variable(name):
    p = preset(name)
    assert (p.base_url, p.key_env) == EXPECTED[name]
    assert p.model
    assert p.needs_key is (name != "ollama")


def test_the_six_providers_and_nothing_else():
    assert set(PRESETS) == set(EXPECTED)


def test_lookup_is_case_insensitive_and_unknown_is_input_error():
    assert preset(" Groq ").provider == "groq"
    with pytest.raises(InputError) as err:
        preset("openai")
    assert "groq" in err.value.hint
