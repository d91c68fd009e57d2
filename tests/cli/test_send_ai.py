"""`blast send --ai-brief`: AI variants written up front, rotated across contacts, stored before the
first send; against the loopback OpenAI-compatible fake and the WAHA sandbox."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.ai.fake_openai import _fake_openai_server, Reply, completion, fake_ai  # noqa: F401  (fixtures)
from tests.campaigns.helpers import configure, e164, write_contacts

KEY = "gsk_send-SECRET-0a1b2c3d4e5f6789"
BRIEF = "promoção de limpeza de pele, 20% off até sexta"
VARIANTS = [
    "Oi {{nome}}! *20% off* na limpeza de pele até sexta.",
    "{{nome}}, sua pele agradece: 20% off até sexta. Agende já!",
    "Última chance em {{cidade}}, {{nome}}: 20% off!",
]


@pytest.fixture
def setup(blast, blast_home, tmp_path, sandbox, fake_ai):
    """Sessions s1, s2 on the sandbox, a groq provider on the fake, N contacts (nome;telefone;cidade)."""

    def make(n: int = 6):
        configure(blast_home, {"s1": sandbox.url, "s2": sandbox.url})
        added = blast("ai", "add", "groq", "--api-key", KEY, "--base-url", fake_ai.url + "/openai/v1")
        assert added.exit_code == 0, added.stderr
        fake_ai.chat = [completion(VARIANTS)]
        return write_contacts(tmp_path / "contatos.csv", n)

    return make


def rows(home, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(home / "blast.db") as conn:
        return conn.execute(sql, args).fetchall()


def expected(i: int, variant: int | None = None) -> str:
    """Contact i's message: VARIANT (0-based; default i mod 3), personalised."""
    return VARIANTS[i % 3 if variant is None else variant].replace("{{nome}}", f"Pessoa {i}").replace("{{cidade}}", "São Paulo")


def stored_variants(home) -> dict[str, int]:
    """phone → the variant (0-based) the campaign assigned and stored."""
    return dict(rows(home, "SELECT phone, variant FROM messages"))


def test_variants_rotate_across_contacts_with_placeholders_rendered(blast, setup, sandbox, fake_ai, blast_home):
    csv = setup(n=6)
    result = blast("send", csv, "--ai-brief", BRIEF, "--ai-variants", "3", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert (doc["status"], doc["sent"], doc["pending"]) == ("completed", 6, 0)
    assert doc["variants"] == VARIANTS
    assert "--- AI variant 1 (" in result.stderr and "2 contacts" in result.stderr
    # The AI may personalise with the contact columns, never with the phone.
    (chat,) = fake_ai.chats()
    system = chat.body["messages"][0]["content"]
    assert "{{nome}}, {{cidade}}" in system and "{{telefone}}" not in system
    assert BRIEF in chat.body["messages"][1]["content"]
    assigned = stored_variants(blast_home)  # evenly and at random: each of 3 variants to 2 of 6 contacts
    assert sorted(assigned.values()) == [0, 0, 1, 1, 2, 2]
    sent = {m["chatId"]: m["text"] for m in sandbox.sent()}
    assert sent == {e164(i)[1:] + "@c.us": expected(i, assigned[e164(i)]) for i in range(6)}
    assert dict(rows(blast_home, "SELECT phone, text FROM messages")) == {e164(i): expected(i, assigned[e164(i)]) for i in range(6)}
    ((options, template),) = rows(blast_home, "SELECT options, template FROM campaigns")
    assert json.loads(options)["ai"] == {"brief": BRIEF, "provider": "groq", "variants": VARIANTS}
    assert template == "\n---\n".join(VARIANTS)
    assert rows(blast_home, "SELECT provider, count(*) FROM ai_generations") == [("groq", 1)]


def test_scheduled_ai_campaign_is_stored_rendered_and_sent_byte_identical(blast, setup, sandbox, fake_ai, blast_home):
    csv = setup(n=4)
    scheduled = blast("send", csv, "--ai-brief", BRIEF, "--ai-variants", "2", "--at", "+1h", "--yes", "--json")
    assert scheduled.exit_code == 0, scheduled.stderr
    doc = scheduled.json()
    assert (doc["status"], doc["pending"], doc["variants"]) == ("scheduled", 4, VARIANTS[:2])
    stored = dict(rows(blast_home, "SELECT phone, text FROM messages"))
    assigned = stored_variants(blast_home)
    assert sorted(assigned.values()) == [0, 0, 1, 1]
    assert stored == {e164(i): VARIANTS[assigned[e164(i)]].replace("{{nome}}", f"Pessoa {i}") for i in range(4)}
    assert sandbox.sent() == []
    fake_ai.chat = [Reply(status=500, body={"error": {"message": "must not be asked again"}})]
    resumed = blast("campaign", "resume", str(doc["campaign"]), "--yes", "--json")
    assert resumed.exit_code == 0, resumed.stderr
    assert {"+" + m["chatId"].split("@")[0]: m["text"] for m in sandbox.sent()} == stored
    assert len(fake_ai.chats()) == 1  # the variants were written once, at send time


def test_dry_run_generates_and_previews_but_stores_only_the_generation(blast, setup, sandbox, blast_home):
    csv = setup(n=5)
    result = blast("send", csv, "--ai-brief", BRIEF, "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["status"] == "dry_run" and doc["variants"] == VARIANTS and doc["pending"] == 5
    assert [(p["row"], p["text"]) for p in doc["preview"]] == [(i + 1, expected(i, p["variant"] - 1)) for i, p in enumerate(doc["preview"])]
    assert sorted(p["variant"] for p in doc["preview"][:3]) == [1, 2, 3]  # the first 3 contacts: one each
    assert rows(blast_home, "SELECT count(*) FROM campaigns") == [(0,)]
    assert rows(blast_home, "SELECT count(*) FROM messages") == [(0,)]
    assert rows(blast_home, "SELECT count(*) FROM ai_generations") == [(1,)]
    assert sandbox.sent() == []
    human = blast("send", csv, "--ai-brief", BRIEF, "--dry-run")
    assert human.exit_code == 0, human.stderr
    assert "--- AI variant 3 (" in human.stdout and "(AI variant 2)" in human.stdout
    assert "nothing stored, nothing sent" in human.stdout


def test_fewer_variants_than_asked_rotate_over_those(blast, setup, sandbox, fake_ai):
    csv = setup(n=4)
    fake_ai.chat = [completion(VARIANTS[:2])]  # every round repeats the same two: duplicates are dropped
    result = blast("send", csv, "--ai-brief", BRIEF, "--ai-variants", "3", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["variants"] == VARIANTS[:2]
    assert "only 2 of 3 AI variants" in result.stderr
    texts = {m["chatId"]: m["text"] for m in sandbox.sent()}
    variants = [VARIANTS[:2].index(texts[e164(i)[1:] + "@c.us"].replace(f"Pessoa {i}", "{{nome}}")) for i in range(4)]
    assert sorted(variants) == [0, 0, 1, 1]


def test_provider_error_stops_before_anything_is_stored_or_sent(blast, setup, sandbox, fake_ai, blast_home):
    csv = setup(n=3)
    fake_ai.chat = [Reply(status=401, body={"error": {"message": "Invalid API Key"}})]
    result = blast("send", csv, "--ai-brief", BRIEF, "--yes", "--json")
    assert result.exit_code == 3
    assert "key refused by groq" in result.stderr and result.json()["error"]["code"] == 3
    assert KEY not in result.stdout + result.stderr
    assert rows(blast_home, "SELECT count(*) FROM campaigns") == [(0,)]
    assert rows(blast_home, "SELECT count(*) FROM messages") == [(0,)]
    assert sandbox.sent() == []

    fake_ai.chat = [completion("no JSON here, sorry")]  # malformed twice: exit 3 too
    bad = blast("send", csv, "--ai-brief", BRIEF, "--yes")
    assert bad.exit_code == 3 and "no usable answer" in bad.stderr
    assert rows(blast_home, "SELECT count(*) FROM campaigns") == [(0,)] and sandbox.sent() == []


def test_ai_brief_with_a_message_or_without_options_is_exit_2(blast, setup, sandbox, fake_ai, tmp_path):
    csv = setup(n=2)
    message_file = tmp_path / "msg.txt"
    message_file.write_text("Oi {{nome}}", encoding="utf-8")
    for extra in (["--message", "Oi"], ["--message-file", str(message_file)]):
        result = blast("send", csv, "--ai-brief", BRIEF, *extra, "--yes", "--json")
        assert result.exit_code == 2, extra
        assert "one of them" in result.stderr and result.json()["error"]["code"] == 2
    lone = blast("send", csv, "--ai-variants", "2", "-m", "Oi", "--yes")
    assert lone.exit_code == 2 and "--ai-brief" in lone.stderr
    neither = blast("send", csv, "--yes")
    assert neither.exit_code == 2 and "--ai-brief" in neither.stderr
    unknown = blast("send", csv, "--ai-brief", BRIEF, "--ai-provider", "nope", "--yes")
    assert unknown.exit_code == 2 and "unknown AI provider 'nope'" in unknown.stderr
    assert fake_ai.chats() == [] and sandbox.sent() == []


def test_without_a_provider_is_exit_2_naming_blast_ai_add(blast, blast_home, sandbox, tmp_path):
    configure(blast_home, {"s1": sandbox.url})
    csv = write_contacts(tmp_path / "c.csv", 2)
    result = blast("send", csv, "--ai-brief", BRIEF, "--yes", "--json")
    assert result.exit_code == 2
    assert "no AI provider configured" in result.stderr and "blast ai add" in result.stderr
    assert sandbox.sent() == []
