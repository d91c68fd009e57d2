"""Protecting the number, end to end through `blast send` against the sandbox: rests between
batches, the warm-up of a new number over days, holidays, the footer and the risk check.

Days are injected through `nexus_blast.clock.now` (the suite's clock hook, see that module)."""

from __future__ import annotations

import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.campaigns.helpers import configure, write_contacts

SP = ZoneInfo("America/Sao_Paulo")


def set_clock(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr("nexus_blast.clock.now", lambda: moment.astimezone(UTC))


def running_clock(start: datetime):
    t0 = time.monotonic()
    return lambda: (start + timedelta(seconds=time.monotonic() - t0)).astimezone(UTC)


def sent_days(blast_home) -> dict[str, int]:
    with sqlite3.connect(blast_home / "blast.db") as conn:
        rows = conn.execute("SELECT sent_at FROM messages WHERE status = 'sent'").fetchall()
    days: dict[str, int] = {}
    for (at,) in rows:
        day = datetime.fromisoformat(at).astimezone(SP).date().isoformat()
        days[day] = days.get(day, 0) + 1
    return days


def test_rests_show_in_the_sandboxs_send_times_and_are_kept_per_lane(blast, sandbox, blast_home, tmp_path):
    configure(blast_home, {"s1": sandbox.url})
    csv = write_contacts(tmp_path / "c.csv", 10)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--batch", "3-3", "--rest", "0.4-0.5", "--delay", "0-0.02", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    times = [m["received_at"] for m in sandbox.sent()]
    assert len(times) == 10
    gaps = [b - a for a, b in zip(times, times[1:])]
    # After sends 3, 6 and 9 the lane rests at least 0.4 s; a rest is never skipped.
    assert all(gaps[i] >= 0.39 for i in (2, 5, 8)), gaps
    with sqlite3.connect(blast_home / "blast.db") as conn:
        row = conn.execute("SELECT sent_in_batch, batch_target, rest_until FROM lane_rests WHERE session = 's1'").fetchone()
    assert row[0] == 1 and row[1] == 3 and row[2]  # persisted: a resume goes on with this batch


def test_a_new_number_sends_20_on_its_first_day_and_the_rest_the_next_day(blast, sandbox, blast_home, tmp_path, monkeypatch):
    configure(blast_home, {"s1": sandbox.url}, warmup={"start": 20, "growth": 1.8})
    csv = write_contacts(tmp_path / "c.csv", 30)
    day1 = datetime(2026, 12, 1, 10, tzinfo=SP)
    set_clock(monkeypatch, day1)
    listed = blast("session", "list", "--json").json()
    assert (listed[0]["effective_cap"], listed[0]["ramp_day"]) == (20, 1)
    plan = blast("send", csv, "-m", "{Oi|Olá} {{nome}}", "--dry-run", "--json").json()
    assert plan["room_today"] == {"s1": 20}
    assert "warmup_days" in {r["code"] for r in plan["risks"]}
    first = blast("send", csv, "-m", "{Oi|Olá} {{nome}}", "--yes", "--json")
    assert first.exit_code == 3, first.stderr  # every session used today's cap: paused until tomorrow
    assert (first.json()["sent"], first.json()["pending"]) == (20, 10)
    assert "daily cap of 20" in first.stderr
    set_clock(monkeypatch, day1 + timedelta(days=1))
    shown = blast("session", "show", "s1", "--json").json()
    assert (shown["effective_cap"], shown["ramp_day"]) == (36, 2)
    second = blast("campaign", "resume", "1", "--yes", "--json")
    assert second.exit_code == 0, second.stderr
    assert second.json()["sent"] == 30 and len(sandbox.sent()) == 30
    assert sent_days(blast_home) == {"2026-12-01": 20, "2026-12-02": 10}


def test_a_warm_number_has_no_ramp(blast, sandbox, blast_home, tmp_path):
    configure(blast_home, {"s1": sandbox.url}, warmup={"start": 20})
    assert blast("session", "update", "s1", "--warm").exit_code == 0
    shown = blast("session", "show", "s1", "--json").json()
    assert (shown["effective_cap"], shown["ramp_day"]) == (1000, None)
    assert blast("session", "update", "s1", "--no-warm", "--warmup-start", "5").exit_code == 0
    assert blast("session", "show", "s1", "--json").json()["effective_cap"] == 5


def test_a_holiday_sends_nothing_and_the_campaign_resumes_the_day_after(blast, sandbox, blast_home, tmp_path, monkeypatch):
    configure(blast_home, {"s1": sandbox.url}, sending={"skip_holidays": True, "window": "08:00-20:00", "days": "mon-sun"},
              general={"state": "SP"})
    csv = write_contacts(tmp_path / "c.csv", 5)
    christmas = datetime(2026, 12, 25, 10, tzinfo=SP)
    after = running_clock(datetime(2026, 12, 26, 8, tzinfo=SP))
    state = {"released": None}

    def now():  # Christmas until the sender says it waits; then the next morning, running
        if state["released"] is None and "waiting until 2026-12-26 08:00" in sys.stderr.getvalue():
            state["released"] = after
            state["sent_on_holiday"] = len(sandbox.sent())
        return state["released"]() if state["released"] else christmas.astimezone(UTC)

    monkeypatch.setattr("nexus_blast.clock.now", now)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert state["sent_on_holiday"] == 0
    assert result.json()["sent"] == 5 and sent_days(blast_home) == {"2026-12-26": 5}


def test_dry_run_json_lists_the_risks_of_a_crafted_campaign(blast, sandbox, blast_home, tmp_path):
    configure(blast_home, {"s1": sandbox.url}, sending={"batch": "0", "window": "08:00-22:00", "days": "mon-sun"})
    csv = write_contacts(tmp_path / "c.csv", 60)
    result = blast("send", csv, "-m", "PROMOÇÃO! http://bit.ly/abc e http://loja.com", "--delay", "2-4", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    risks = {r["code"]: r for r in result.json()["risks"]}
    assert set(risks) == {"delay_short", "no_rests", "no_chat", "identical_text", "short_link", "http_link",
                          "no_optout", "sunday", "late_hours"}
    assert risks["delay_short"]["level"] == "high" and risks["no_chat"]["level"] == "high"
    assert all(set(r) == {"code", "level", "message"} for r in risks.values())
    assert not (blast_home / "blast.db").exists() or not sqlite3.connect(blast_home / "blast.db").execute(
        "SELECT count(*) FROM campaigns").fetchone()[0]


def test_a_careful_campaign_has_no_risk(blast, sandbox, blast_home, tmp_path):
    configure(blast_home, {"s1": sandbox.url}, sending={"delay": "0-0.01", "window": "08:00-20:00", "days": "mon-sat",
                                                        "batch": "15-25", "rest": "0.01-0.02"})
    csv = write_contacts(tmp_path / "c.csv", 5)
    # Earlier conversation: these contacts already have a chat with s1.
    assert blast("send", csv, "-m", "Oi {{nome}}", "--ignore-window", "--yes").exit_code == 0
    configure(blast_home, {"s1": sandbox.url}, sending={"window": "08:00-20:00", "days": "mon-sat", "delay": "30-60",
                                                        "batch": "15-25", "rest": "300-900"})
    result = blast("send", csv, "-m", "{Oi|Olá} {{nome}}, novidades em https://loja.com.br",
                   "--footer", "Responda SAIR para não receber mais mensagens.", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["risks"] == []
    assert result.json()["preview"][0]["text"].endswith("\n\nResponda SAIR para não receber mais mensagens.")


def test_risks_go_to_stderr_with_yes_and_the_guard_refuses_high_ones(blast, sandbox, blast_home, tmp_path):
    configure(blast_home, {"s1": sandbox.url})
    csv = write_contacts(tmp_path / "c.csv", 3)
    sent = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert sent.exit_code == 0 and "HIGH RISK (delay_short)" in sent.stderr and "risk (no_rests)" in sent.stderr
    configure(blast_home, {"s1": sandbox.url}, sending={"refuse_high_risk": True})
    refused = blast("send", csv, "-m", "Oi {{nome}}", "--yes", "--json")
    assert refused.exit_code == 2 and "sending.refuse_high_risk" in refused.json()["error"]["message"]
    with sqlite3.connect(blast_home / "blast.db") as conn:
        assert conn.execute("SELECT count(*) FROM campaigns").fetchone()[0] == 1  # nothing stored
    assert len(sandbox.sent()) == 3


def test_the_footer_is_on_every_message_and_counts_in_the_length(blast, sandbox, blast_home, tmp_path):
    configure(blast_home, {"s1": sandbox.url}, sending={"footer": "Responda SAIR para sair."})
    csv = write_contacts(tmp_path / "c.csv", 3)
    assert blast("send", csv, "-m", "Oi {{nome}}", "--yes").exit_code == 0
    assert all(m["text"].endswith("\n\nResponda SAIR para sair.") for m in sandbox.sent())
    too_long = blast("send", csv, "-m", "x" * 65_530, "--footer", "Responda SAIR", "--yes")
    assert too_long.exit_code == 2 and "--footer" in too_long.stderr
    assert len(sandbox.sent()) == 3


@pytest.mark.parametrize("args, option", [
    (["--batch", "0-"], "--batch"), (["--rest", "10-5"], "--rest"), (["--batch", "5-2"], "--batch"),
])
def test_bad_ranges_exit_2_naming_the_option(blast, sandbox, blast_home, tmp_path, args, option):
    configure(blast_home, {"s1": sandbox.url})
    csv = write_contacts(tmp_path / "c.csv", 3)
    result = blast("send", csv, "-m", "Oi", *args, "--yes")
    assert result.exit_code == 2 and option in result.stderr
    assert sandbox.sent() == []
    assert not (blast_home / "blast.db").exists() or not sqlite3.connect(blast_home / "blast.db").execute(
        "SELECT count(*) FROM campaigns").fetchone()[0]


@pytest.mark.parametrize("sections, key", [
    ({"warmup": {"growth": 0.5}}, "warmup.growth"), ({"general": {"state": "XX"}}, "general.state"),
    ({"sending": {"rest": "10-5"}}, "sending.rest"), ({"sending": {"window_sat": "13:00"}}, "sending.window_sat"),
])
def test_bad_settings_exit_2_naming_the_key(blast, sandbox, blast_home, tmp_path, sections, key):
    configure(blast_home, {"s1": sandbox.url}, **sections)
    csv = write_contacts(tmp_path / "c.csv", 3)
    result = blast("send", csv, "-m", "Oi", "--yes")
    assert result.exit_code == 2 and key in result.stderr
    assert sandbox.sent() == []
