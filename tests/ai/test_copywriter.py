"""Copy generation end to end against the loopback server: prompt, variants, checks, records."""

from __future__ import annotations

import pytest

from nexus_blast.ai.client import BadCompletion, Endpoint, Limits
from nexus_blast.ai.copywriter import CopyRequest, draft, generate_variants, parse_placeholders
from nexus_blast.config import Settings
from nexus_blast.errors import ConfigError, ExitCode, InputError
from nexus_blast.store.ai import recent_generations
from nexus_blast.store.db import open_database
from tests.ai.fake_openai import Reply, completion

KEY = "gsk_copy-SECRET-abcdef0123456789"
BRIEF = "promoção de limpeza de pele, 20% off até sexta"
LIMITS = Limits(attempts=1)


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "blast.db")
    yield database
    database.conn.close()


@pytest.fixture
def groq(fake_ai):
    return Endpoint("groq", "groq", fake_ai.url + "/openai/v1", "llama-3.3-70b-versatile", KEY)


def run(db, groq, **kw):
    return draft(db, groq, CopyRequest(brief=BRIEF, **kw), limits=LIMITS)


def test_variants_placeholders_and_record(fake_ai, db, groq):
    fake_ai.chat = [
        completion(["Olá {{ Nome }}! *20% off* na limpeza de pele até sexta.", "{{nome}}, sua pele agradece: 20% off!", "Só até sexta: limpeza de pele com 20% off em {{cidade}}."])
    ]
    result = run(db, groq, variants=3, placeholders=("nome", "cidade"), max_chars=200)
    assert result.variants == [
        "Olá {{nome}}! *20% off* na limpeza de pele até sexta.",
        "{{nome}}, sua pele agradece: 20% off!",
        "Só até sexta: limpeza de pele com 20% off em {{cidade}}.",
    ]
    (chat,) = fake_ai.chats()
    system, user = chat.body["messages"]
    assert "{{nome}}, {{cidade}}" in system["content"] and "200 characters" in system["content"]
    assert "pt-BR" in system["content"] and "JSON array" in system["content"]
    assert BRIEF in user["content"] and "Write 3 distinct messages" in user["content"]
    (gen,) = recent_generations(db)
    assert (gen.provider, gen.model, gen.prompt_tokens, gen.completion_tokens) == ("groq", "llama-3.3-70b-versatile", 11, 22)
    assert BRIEF in gen.prompt and "{{ Nome }}" in gen.output
    assert result.generations == [gen.id]


def test_lang_tone_and_no_placeholders_reach_the_prompt(fake_ai, db, groq):
    fake_ai.chat = [completion(["Hello there, 20% off!"])]
    run(db, groq, variants=1, lang="en", tone="playful")
    system = fake_ai.chats()[0].body["messages"][0]["content"]
    assert "Language: en. Tone: playful." in system
    assert "Use no placeholders" in system


def test_code_fences_and_markdown_are_repaired(fake_ai, db, groq):
    fake_ai.chat = [completion('```json\n["# Oferta\\n**20% off** até sexta!", "Oi! 20% off."]\n```')]
    result = run(db, groq, variants=2)
    assert result.variants == ["*Oferta*\n*20% off* até sexta!", "Oi! 20% off."]


def test_bad_variants_are_rejected_and_regenerated(fake_ai, db, groq):
    fake_ai.chat = [
        completion(["Oi {{nome}}, 20% off!", "Seu CPF {{cpf}} ganhou desconto", "x" * 150, "oi {{nome}}, 20% OFF"]),
        completion(["Última chance: 20% off até sexta!", "Agende já, 20% off!"]),
    ]
    result = run(db, groq, variants=3, placeholders=("nome",), max_chars=100)
    assert result.variants == ["Oi {{nome}}, 20% off!", "Última chance: 20% off até sexta!", "Agende já, 20% off!"]
    assert result.rejected[0].startswith("uses placeholder {{cpf}}") and result.rejected[1].startswith("too long (150")
    second_user = fake_ai.chats()[1].body["messages"][1]["content"]
    assert "Write 2 distinct messages" in second_user
    assert "Oi {{nome}}, 20% off!" in second_user and "uses placeholder {{cpf}}" in second_user
    assert len(recent_generations(db)) == 2


def test_duplicates_are_dropped(fake_ai, db, groq):
    fake_ai.chat = [completion(["Oi, 20% off!", "oi,  20% OFF"]), completion(["Oi, 20% off!"]), completion(["Outra: 20% off"])]
    result = run(db, groq, variants=2)
    assert result.variants == ["Oi, 20% off!", "Outra: 20% off"]
    assert result.rejected.count("repeats another variant") == 2


def test_malformed_then_good_completion(fake_ai, db, groq):
    fake_ai.chat = [completion("Claro! Aqui vão algumas ideias de mensagem..."), completion(["Oi! 20% off."])]
    assert run(db, groq, variants=1).variants == ["Oi! 20% off."]
    assert len(fake_ai.chats()) == 2


@pytest.mark.parametrize("bad", [completion("sem json aqui"), completion(""), Reply(body={"choices": []})])
def test_malformed_twice_is_exit_3(fake_ai, db, groq, bad):
    fake_ai.chat = [bad]
    with pytest.raises(BadCompletion) as err:
        run(db, groq, variants=1)
    assert err.value.exit_code == ExitCode.DEPENDENCY and "twice" in str(err.value)
    assert len(fake_ai.chats()) == 2


def test_nothing_usable_after_the_rounds_is_exit_3(fake_ai, db, groq):
    fake_ai.chat = [completion(["y" * 500])]
    with pytest.raises(BadCompletion) as err:
        run(db, groq, variants=1, max_chars=100)
    assert "no usable variant (too long (500 > 100 characters))" in str(err.value)
    assert len(fake_ai.chats()) == 3


def test_fewer_than_asked_is_returned_when_some_pass(fake_ai, db, groq):
    fake_ai.chat = [completion(["Oi! 20% off.", "z" * 500])]
    result = run(db, groq, variants=2, max_chars=100)
    assert result.variants == ["Oi! 20% off."] and result.requested == 2


@pytest.mark.parametrize(
    "kw", [{"variants": 0}, {"variants": 11}, {"max_chars": 10}, {"placeholders": ("1x",)}, {"placeholders": ("a b",)}]
)
def test_request_is_validated(kw):
    with pytest.raises(InputError):
        CopyRequest(brief=BRIEF, **kw).validated()
    with pytest.raises(InputError):
        CopyRequest(brief="  ").validated()


def test_parse_placeholders():
    assert parse_placeholders(" nome, {{cidade}},nome,, ") == ("nome", "cidade")
    assert parse_placeholders(None) == ()


def test_generate_variants_uses_the_default_provider(fake_ai, db, monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", KEY)
    settings = Settings(ai={"default": "fast", "providers": {"fast": {"provider": "groq", "base_url": fake_ai.url + "/openai/v1"}}})
    variants = generate_variants(settings, db, BRIEF, n=3, placeholders=["nome"])
    assert len(variants) == 3 and "{{nome}}" in variants[0]
    chat = fake_ai.chats()[0]
    assert chat.headers["authorization"] == f"Bearer {KEY}" and chat.body["model"] == "llama-3.3-70b-versatile"


def test_generate_variants_without_a_provider_names_the_command(db):
    with pytest.raises(ConfigError) as err:
        generate_variants(Settings(), db, BRIEF, n=1)
    assert "blast ai add" in err.value.hint
