"""Replies through the real entry point: `campaign sync` records them; `campaign list/show/report/
replies` show them; `campaign purge` deletes their texts."""

from __future__ import annotations

import csv
import io

import pytest

from tests.campaigns.helpers import configure, e164, write_contacts
from tests.waiting import wait_until


@pytest.fixture
def replied_campaign(blast, make_sandbox, blast_home, tmp_path):
    sandbox = make_sandbox(sessions=("s1",))
    sandbox.replies({"phone": e164(0).lstrip("+"), "text": "Quero sim, quanto custa?", "delay": 0},
                    {"phone": e164(2).lstrip("+"), "text": "Pode ser amanhã", "delay": 0},
                    {"phone": e164(3).lstrip("+"), "text": "SAIR", "delay": 0})
    configure(blast_home, {"s1": sandbox.url})
    result = blast("send", write_contacts(tmp_path / "c.csv", 5), "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    wait_until(lambda: sum(r["delivered"] for r in sandbox.replies()["scheduled"]) == 3, what="the scripted replies")
    cid = result.json()["campaign"]
    synced = blast("campaign", "sync", str(cid), "--json")
    assert synced.exit_code == 0, synced.stderr
    assert (synced.json()["replies"], synced.json()["optouts"]) == (2, 1)
    return cid


def test_show_and_list_count_replies_and_optouts(blast, replied_campaign):
    shown = blast("campaign", "show", str(replied_campaign), "--json").json()
    assert (shown["sent"], shown["replied"], shown["reply_rate"], shown["opted_out"], shown["opted_out_rate"]) == (5, 2, 0.4, 1, 0.2)
    (listed,) = blast("campaign", "list", "--json").json()
    assert (listed["replied"], listed["reply_rate"], listed["opted_out"]) == (2, 0.4, 1)
    human = blast("campaign", "show", str(replied_campaign))
    assert "replied" in human.stdout and "2 (40%)" in human.stdout


def test_replies_newest_first_and_report_columns(blast, replied_campaign):
    replies = blast("campaign", "replies", str(replied_campaign), "--json")
    assert replies.exit_code == 0
    docs = replies.json()
    assert {d["phone"]: (d["name"], d["reply"]) for d in docs} == {
        e164(0): ("Pessoa 0", "Quero sim, quanto custa?"), e164(2): ("Pessoa 2", "Pode ser amanhã")}
    assert [d["replied_at"] for d in docs] == sorted((d["replied_at"] for d in docs), reverse=True)
    rows = list(csv.DictReader(io.StringIO(blast("campaign", "report", str(replied_campaign)).stdout)))
    by_phone = {r["phone"].lstrip("'"): r for r in rows}  # CSV cells starting with + are escaped
    assert by_phone[e164(0)]["reply"] == "Quero sim, quanto custa?" and by_phone[e164(0)]["replied_at"]
    assert by_phone[e164(1)]["reply"] == "" and by_phone[e164(3)]["opted_out_at"]
    human = blast("campaign", "replies", str(replied_campaign))
    assert "Pode ser amanhã" in human.stdout


def test_purge_deletes_texts_keeps_counts(blast, replied_campaign):
    refused = blast("campaign", "purge", str(replied_campaign))  # no TTY, no --yes: nothing deleted
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    purged = blast("campaign", "purge", str(replied_campaign), "--yes", "--json")
    assert purged.exit_code == 0 and purged.json() == {"campaign": replied_campaign, "purged": 2}
    assert all(d["reply"] is None for d in blast("campaign", "replies", str(replied_campaign), "--json").json())
    assert blast("campaign", "show", str(replied_campaign), "--json").json()["replied"] == 2
    assert blast("campaign", "purge", "999", "--yes").exit_code == 2


def test_replies_of_unknown_campaign_is_exit_2(blast, blast_home):
    result = blast("campaign", "replies", "42", "--json")
    assert result.exit_code == 2 and result.json()["error"]["code"]
