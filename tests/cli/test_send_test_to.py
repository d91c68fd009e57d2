"""`blast send --test-to` / `--test-only` end to end against the sandbox: the rendered messages go
to the test phones only, are stored nowhere, and the campaign starts only when confirmed."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest

from tests.campaigns.helpers import configure, e164, write_contacts

TEST_PHONE = "+5521998887777"
TEST_CHAT = TEST_PHONE[1:] + "@c.us"


@pytest.fixture
def csv(blast_home, sandbox, tmp_path):
    configure(blast_home, {"s1": sandbox.url, "s2": sandbox.url})
    return write_contacts(tmp_path / "contatos.csv", 6)


def _rows(blast_home, sql: str) -> list[tuple]:
    if not (blast_home / "blast.db").exists():
        return []
    with sqlite3.connect(blast_home / "blast.db") as conn:
        return conn.execute(sql).fetchall()


def test_test_only_sends_the_first_rendered_message_to_the_test_phone_only(blast, sandbox, csv, blast_home):
    result = blast("send", csv, "-m", "Oi {{nome}}, promoção!", "--test-to", "(21) 99888-7777", "--test-only", "--json")
    assert result.exit_code == 0, result.stderr
    sent = sandbox.sent()
    assert [(m["chatId"], m["text"]) for m in sent] == [(TEST_CHAT, "Oi Pessoa 0, promoção!")]
    doc = result.json()
    assert (doc["campaign"], doc["status"], doc["sent"], doc["pending"]) == (None, "test_only", 0, 6)
    assert doc["test"] == [{"phone": TEST_PHONE, "session": sent[0]["session"], "message_id": sent[0]["id"], "row": 1}]
    # stored nowhere: no campaign, no message, and no daily-cap slot taken
    assert _rows(blast_home, "SELECT count(*) FROM campaigns") in ([], [(0,)])
    assert _rows(blast_home, "SELECT count(*) FROM messages") in ([], [(0,)])
    assert _rows(blast_home, "SELECT coalesce(sum(taken), 0) FROM session_day_counts") in ([], [(0,)])


def test_two_test_phones_get_the_first_two_contacts_messages_and_human_output(blast, sandbox, csv):
    result = blast("send", csv, "-m", "Oi {{nome}}", "--test-to", f"{TEST_PHONE},+5521998887766", "--test-only")
    assert result.exit_code == 0, result.stderr
    assert sorted((m["chatId"], m["text"]) for m in sandbox.sent()) == [
        ("5521998887766@c.us", "Oi Pessoa 1"), (TEST_CHAT, "Oi Pessoa 0"),
    ]
    assert "test only" in result.stdout and f"test → {TEST_PHONE}" in result.stdout
    assert f"test message sent to {TEST_PHONE}" in result.stderr


def test_test_to_with_yes_sends_the_test_then_the_campaign(blast, sandbox, csv, blast_home):
    result = blast("send", csv, "-m", "Oi {{nome}}", "--test-to", TEST_PHONE, "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert (doc["status"], doc["sent"]) == ("completed", 6)
    assert [t["phone"] for t in doc["test"]] == [TEST_PHONE]
    sent = sandbox.sent()
    assert sent[0]["chatId"] == TEST_CHAT and len(sent) == 7
    assert {m["chatId"] for m in sent[1:]} == {e164(i)[1:] + "@c.us" for i in range(6)}
    # the test is no campaign message: 6 rows, none to the test phone
    assert _rows(blast_home, "SELECT count(*) FROM messages WHERE phone = '%s'" % TEST_PHONE) == [(0,)]
    assert _rows(blast_home, "SELECT count(*) FROM messages") == [(6,)]


def test_test_to_with_at_sends_the_test_now_and_schedules_the_campaign(blast, sandbox, csv):
    result = blast("send", csv, "-m", "Oi {{nome}}", "--test-to", TEST_PHONE, "--at", "+1h", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert (doc["status"], doc["pending"]) == ("scheduled", 6) and doc["test"][0]["phone"] == TEST_PHONE
    assert [m["chatId"] for m in sandbox.sent()] == [TEST_CHAT]


def test_image_goes_with_the_test_message(blast, sandbox, csv, tmp_path):
    jpeg = tmp_path / "promo.jpg"
    data = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
    jpeg.write_bytes(data)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--image", jpeg, "--test-to", TEST_PHONE, "--test-only", "--json")
    assert result.exit_code == 0, result.stderr
    [m] = sandbox.sent()
    assert (m["kind"], m["chatId"], m["text"], m["sha256"]) == ("image", TEST_CHAT, "Oi Pessoa 0", hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize("bad", ["12", "abc", "+5511", "(11) 3333-4444", TEST_PHONE + ",nope", ""])
def test_an_invalid_test_number_is_exit_2_before_anything_is_sent(blast, sandbox, csv, blast_home, bad):
    result = blast("send", csv, "-m", "Oi {{nome}}", "--test-to", bad, "--yes", "--json")
    assert result.exit_code == 2, result.stderr
    assert "--test-to" in result.json()["error"]["message"] and result.stderr.count("\n") == 1
    assert sandbox.sent() == []
    assert _rows(blast_home, "SELECT count(*) FROM campaigns") in ([], [(0,)])


def test_option_mistakes_are_exit_2(blast, sandbox, csv):
    assert blast("send", csv, "-m", "x", "--test-only", "--yes").exit_code == 2  # without --test-to
    assert blast("send", csv, "-m", "x", "--test-to", TEST_PHONE, "--dry-run").exit_code == 2
    six = ",".join(f"+552199888770{i}" for i in range(6))
    assert blast("send", csv, "-m", "x", "--test-to", six, "--test-only").exit_code == 2
    assert sandbox.sent() == []


def test_without_terminal_test_to_needs_yes_unless_test_only(blast, sandbox, csv, blast_home):
    result = blast("send", csv, "-m", "Oi {{nome}}", "--test-to", TEST_PHONE)
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert sandbox.sent() == []


def test_opted_out_test_phone_is_refused(blast, sandbox, csv):
    assert blast("optout", "add", TEST_PHONE).exit_code == 0
    result = blast("send", csv, "-m", "x", "--test-to", TEST_PHONE, "--test-only")
    assert result.exit_code == 2 and "opt-out" in result.stderr
    assert sandbox.sent() == []


def test_test_phone_not_on_whatsapp_is_exit_2_and_the_campaign_is_not_kept(blast, sandbox, csv, blast_home):
    sandbox.whatsapp(TEST_PHONE[1:], exists=False)
    result = blast("send", csv, "-m", "x", "--test-to", TEST_PHONE, "--yes", "--json")
    assert result.exit_code == 2 and "not on WhatsApp" in result.stderr
    assert sandbox.sent() == []
    assert _rows(blast_home, "SELECT count(*) FROM campaigns") == [(0,)]


def _on_terminal(args: list[str], env: dict, answer: bytes) -> tuple[int, str]:
    """Run `blast ARGS` with a pseudo-terminal as stdin, answering the confirmation with ANSWER."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nexus_blast", *args], env=env, stdin=slave,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    os.close(slave)
    os.write(master, answer)
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        os.close(master)
    return proc.returncode, err.decode()


@pytest.mark.parametrize("answer", [b"n\n", b"y\n"])
def test_on_a_terminal_the_campaign_starts_only_when_confirmed_after_the_test(sandbox, csv, blast_home, answer):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {"BLAST_HOME": str(blast_home)}
    code, err = _on_terminal(["send", str(csv), "-m", "Oi {{nome}}", "--test-to", TEST_PHONE], env, answer)
    sent = sandbox.sent()
    assert sent[0]["chatId"] == TEST_CHAT
    if answer == b"n\n":
        assert code == 2 and len(sent) == 1, err
        assert _rows(blast_home, "SELECT count(*) FROM campaigns") == [(0,)]
    else:
        assert code == 0 and len(sent) == 7, err


def test_a_document_and_a_voice_note_go_with_the_test_message_as_in_the_campaign(blast, sandbox, csv, tmp_path):
    from tests.campaigns.helpers import ogg_opus_bytes, pdf_bytes

    pdf = tmp_path / "tabela.pdf"
    pdf.write_bytes(pdf_bytes())
    result = blast("send", csv, "-m", "Oi {{nome}}", "--file", pdf, "--test-to", TEST_PHONE, "--test-only", "--json")
    assert result.exit_code == 0, result.stderr
    [m] = sandbox.sent()
    assert (m["kind"], m["chatId"], m["text"], m["sha256"]) == ("file", TEST_CHAT, "Oi Pessoa 0", hashlib.sha256(pdf_bytes()).hexdigest())
    voice = tmp_path / "recado.ogg"
    voice.write_bytes(ogg_opus_bytes())
    result = blast("send", csv, "-m", "Oi {{nome}}", "--voice", voice, "--test-to", TEST_PHONE, "--test-only", "--json")
    assert result.exit_code == 0, result.stderr
    text, note = sandbox.sent()[1:]
    assert (text["kind"], text["text"]) == ("text", "Oi Pessoa 0")  # a voice note has no caption: its text goes first
    assert (note["kind"], note["chatId"], note["sha256"]) == ("voice", TEST_CHAT, hashlib.sha256(ogg_opus_bytes()).hexdigest())
    assert [t["message_id"] is not None for t in result.json()["test"]] == [True, True]
