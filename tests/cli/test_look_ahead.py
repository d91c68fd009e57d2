"""The look-up of a lane's next number runs while its current message is being sent (campaigns/
sender.py `_look_ahead`): each number is still asked once, in order, and its answer or its error
counts for its own message exactly as if it had been asked then."""

from __future__ import annotations

import sqlite3

from tests.campaigns.helpers import configure, e164, write_contacts

CHECK, SEND = "/api/contacts/check-exists", "/api/sendText"


def statuses(blast_home) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(blast_home / "blast.db") as conn:
        return conn.execute("SELECT phone, status, error FROM messages ORDER BY seq").fetchall()


def test_the_next_number_is_asked_while_the_current_message_is_sent(blast, make_sandbox, blast_home, tmp_path):
    sb = make_sandbox(sessions=("s1",))
    configure(blast_home, {"s1": sb.url}, sending={"delay": "0-0"})
    sb.faults(latency_ms=150)  # every call takes a while: a send is still being answered when the next look-up comes
    csv = write_contacts(tmp_path / "contatos.csv", 4)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["sent"] == 4
    log = [r for r in sb.requests() if r["path"] in (CHECK, SEND)]
    asked = [r["params"]["phone"] for r in log if r["path"] == CHECK]
    assert asked == [e164(i).lstrip("+") for i in range(4)]  # each number once, in the campaign's order
    checks = [r for r in log if r["path"] == CHECK]
    assert checks[0]["in_flight"] == []
    assert all(SEND in r["in_flight"] for r in checks[1:]), [r["in_flight"] for r in checks]
    assert [r["body"]["chatId"] for r in log if r["path"] == SEND] == [e164(i).lstrip("+") + "@c.us" for i in range(4)]


def test_a_number_found_not_on_whatsapp_ahead_is_skipped_for_that_reason(blast, make_sandbox, blast_home, tmp_path):
    sb = make_sandbox(sessions=("s1",))
    configure(blast_home, {"s1": sb.url}, sending={"delay": "0-0"})
    sb.whatsapp(e164(1).lstrip("+"), exists=False)
    csv = write_contacts(tmp_path / "contatos.csv", 3)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert [(phone, status) for phone, status, _ in statuses(blast_home)] == [
        (e164(0), "sent"), (e164(1), "skipped"), (e164(2), "sent")]
    assert statuses(blast_home)[1][2] == "not_on_whatsapp"
    assert sum(r["path"] == CHECK for r in sb.requests()) == 3


def test_an_error_asking_ahead_counts_for_that_message_which_is_retried_once(blast, make_sandbox, blast_home, tmp_path):
    """The second number's look-up (asked while the first message is sent) answers 500: the second
    message is retried like any failed look-up, then sent; nothing is asked or sent twice more."""
    sb = make_sandbox(sessions=("s1",))
    configure(blast_home, {"s1": sb.url}, sending={"delay": "0-0"})
    sb.whatsapp(e164(1).lstrip("+"), errors=1)
    csv = write_contacts(tmp_path / "contatos.csv", 3)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert [status for _, status, _ in statuses(blast_home)] == ["sent", "sent", "sent"]
    assert sorted(m["chatId"] for m in sb.sent()) == [e164(i).lstrip("+") + "@c.us" for i in range(3)]
    asked = [r["params"]["phone"] for r in sb.requests() if r["path"] == CHECK]
    assert asked.count(e164(1).lstrip("+")) == 2 and len(asked) == 4  # the failed look-up, then its retry


def test_no_number_is_asked_ahead_past_the_daily_cap(blast, make_sandbox, blast_home, tmp_path):
    sb = make_sandbox(sessions=("s1",))
    configure(blast_home, {"s1": sb.url}, sending={"delay": "0-0", "daily_cap": 2})
    csv = write_contacts(tmp_path / "contatos.csv", 4)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 3, result.stderr
    assert result.json()["sent"] == 2
    assert [r["params"]["phone"] for r in sb.requests() if r["path"] == CHECK] == [e164(i).lstrip("+") for i in range(2)]
