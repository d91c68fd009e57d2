"""Configured providers: editing the config file and resolving an endpoint."""

from __future__ import annotations

import os
import stat

import pytest

from nexus_blast.ai import providers
from nexus_blast.config import Settings, load_settings
from nexus_blast.errors import ConfigError, InputError, NotFound

KEY = "sk-or-v1-SECRET-00112233445566"


def test_add_writes_the_preset_keeps_comments_and_is_private(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("# my notes\n[general]\ntimezone = \"America/Recife\"  # Nordeste\n")
    name, became_default = providers.add(path, "openrouter", api_key=KEY)
    assert (name, became_default) == ("openrouter", True)
    text = path.read_text()
    assert "# my notes" in text and "# Nordeste" in text
    assert "[ai.providers.openrouter]" in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    settings = load_settings(path)
    config = settings.ai.providers["openrouter"]
    assert (config.base_url, config.model, config.api_key) == ("https://openrouter.ai/api/v1", "openai/gpt-4o-mini", KEY)
    assert settings.ai.default == "openrouter"


def test_second_provider_is_not_default_until_asked(tmp_path):
    path = tmp_path / "config.toml"
    providers.add(path, "groq")
    assert providers.add(path, "ollama", name="local", model="qwen2.5:7b", base_url="http://gpu:11434/v1/") == ("local", False)
    settings = load_settings(path)
    assert settings.ai.default == "groq"
    assert settings.ai.providers["groq"].api_key_env == "GROQ_API_KEY"
    local = settings.ai.providers["local"]
    assert (local.base_url, local.model, local.api_key, local.api_key_env) == ("http://gpu:11434/v1", "qwen2.5:7b", "", "")
    providers.set_default(path, "local")
    assert load_settings(path).ai.default == "local"
    assert providers.remove(path, "local") == "groq"
    assert providers.remove(path, "groq") == ""
    assert load_settings(path).ai.providers == {}


@pytest.mark.parametrize(
    "kw",
    [
        {"provider": "openai"},
        {"provider": "groq", "name": "bad name"},
        {"provider": "groq", "api_key": "k", "api_key_env": "V"},
        {"provider": "groq", "api_key_env": "1BAD"},
        {"provider": "groq", "base_url": "ftp://x"},
    ],
)
def test_add_rejects_bad_input(tmp_path, kw):
    with pytest.raises(InputError):
        providers.add(tmp_path / "config.toml", **kw)


def test_unknown_names_are_not_found(tmp_path):
    with pytest.raises(NotFound):
        providers.remove(tmp_path / "config.toml", "x")
    with pytest.raises(NotFound):
        providers.set_default(tmp_path / "config.toml", "x")


def _settings(**providers_):
    return Settings(ai={"providers": providers_})


def test_endpoint_resolution_and_key_sources(monkeypatch):
    monkeypatch.setenv("MISTRAL_API_KEY", "env-key-123456789")
    monkeypatch.setenv("MY_KEY", "mine-123456789")
    settings = _settings(m={"provider": "mistral"}, o={"provider": "ollama"}, c={"provider": "groq", "api_key_env": "MY_KEY"})
    assert providers.endpoint(settings, "m").api_key == "env-key-123456789"
    assert providers.endpoint(settings, "m").base_url == "https://api.mistral.ai/v1"
    assert providers.endpoint(settings, "c", model="x").api_key == "mine-123456789"
    assert providers.endpoint(settings, "c", model="x").model == "x"
    assert providers.endpoint(settings, "o").api_key == ""
    rows = {r.name: r for r in providers.describe(settings)}
    assert rows["m"].key_source == "env:MISTRAL_API_KEY" and rows["m"].api_key == "env-…6789"
    assert rows["o"].key_source == "none" and not rows["o"].key_set


def test_endpoint_errors_say_what_to_run(monkeypatch):
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    with pytest.raises(ConfigError) as err:
        providers.endpoint(Settings())
    assert "blast ai add" in err.value.hint
    with pytest.raises(ConfigError) as err:
        providers.endpoint(_settings(g={"provider": "groq"}))
    assert "GROQ_API_KEY" in err.value.hint
    with pytest.raises(ConfigError) as err:
        providers.endpoint(_settings(a={"provider": "ollama"}, b={"provider": "ollama"}))
    assert "blast ai default" in err.value.hint
    with pytest.raises(NotFound):
        providers.endpoint(_settings(a={"provider": "ollama"}), "b")
    only = providers.endpoint(_settings(a={"provider": "ollama"}))
    assert only.name == "a"
