"""`--at` in the words people use (pt-BR and English), through `blast send` and `campaign resume`:
read in general.timezone, refused (exit 2, nothing stored) with the time understood when it is
vague or past. The fixed-`now` cases are in tests/domain/test_when.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.campaigns.helpers import configure, write_contacts

SP = ZoneInfo("America/Sao_Paulo")
WEEKDAYS = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")


@pytest.fixture
def csv(blast_home, sandbox, tmp_path):
    configure(blast_home, {"s1": sandbox.url})
    return write_contacts(tmp_path / "contatos.csv", 3)


def _scheduled(blast, csv, when: str) -> datetime:
    result = blast("send", csv, "-m", "Oi {{nome}}", "--at", when, "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["status"] == "scheduled"
    return datetime.fromisoformat(result.json()["scheduled_at"]).astimezone(SP)


def test_day_first_date_weekday_and_relative_forms_are_scheduled_in_the_configured_zone(blast, csv, sandbox):
    today = datetime.now(SP)
    day = (today + timedelta(days=3)).date()
    assert _scheduled(blast, csv, f"{day:%d/%m/%Y} 09:00") == datetime(day.year, day.month, day.day, 9, tzinfo=SP)
    assert _scheduled(blast, csv, f"{day:%d/%m} 9h") == datetime(day.year, day.month, day.day, 9, tzinfo=SP)
    assert _scheduled(blast, csv, f"{WEEKDAYS[day.weekday()]} 14h30") == datetime(day.year, day.month, day.day, 14, 30, tzinfo=SP)
    tomorrow = (today + timedelta(days=1)).date()
    assert _scheduled(blast, csv, "amanhã 9h") == datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, tzinfo=SP)
    before = datetime.now(SP)
    later = _scheduled(blast, csv, "in 2 hours")
    assert timedelta(hours=2) - timedelta(seconds=1) <= later - before <= timedelta(hours=2, seconds=60)
    assert sandbox.sent() == []


def test_the_confirmation_says_the_day_it_understood(blast, csv):
    day = (datetime.now(SP) + timedelta(days=2)).date()
    human = blast("send", csv, "-m", "Oi {{nome}}", "--at", f"{WEEKDAYS[day.weekday()]} 9h", "--yes")
    assert human.exit_code == 0, human.stderr
    assert f"scheduled for {day:%Y-%m-%d} 09:00" in human.stdout


@pytest.mark.parametrize("when, said", [
    ("ontem 09:00", "in the past (understood"),
    ("2 hours ago", "in the past (understood"),
    ("next week", "ambiguous (understood"),
    ("segunda", "no time of day"),
])
def test_past_or_vague_is_exit_2_with_the_time_understood_and_nothing_stored(blast, csv, sandbox, when, said):
    result = blast("send", csv, "-m", "Oi {{nome}}", "--at", when, "--yes", "--json")
    assert result.exit_code == 2, result.stderr
    message = result.json()["error"]["message"]
    assert message.startswith("--at: ") and said in message, message
    assert blast("campaign", "list", "--json").json() == []


def test_todays_weekday_is_ambiguous_and_says_how_to_be_clear(blast, csv):
    today = WEEKDAYS[datetime.now(SP).weekday()]
    result = blast("send", csv, "-m", "Oi {{nome}}", "--at", f"{today} 23:59", "--yes")
    assert result.exit_code == 2
    assert "ambiguous: today is" in result.stderr and "hoje" in result.stderr


def test_resume_at_takes_the_same_words(blast, csv):
    blast("send", csv, "-m", "Oi {{nome}}", "--at", "+1h", "--yes")
    assert blast("campaign", "pause", "1").exit_code == 0
    later = blast("campaign", "resume", "1", "--at", "amanhã 10h", "--yes", "--json")
    assert later.exit_code == 0, later.stderr
    tomorrow = (datetime.now(SP) + timedelta(days=1)).date()
    assert datetime.fromisoformat(later.json()["scheduled_at"]).astimezone(SP) == datetime(
        tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=SP)


@pytest.mark.parametrize("args", [["--help"], ["send", "--help"], ["run-due"],
                                  ["send", "x.csv", "-m", "Oi", "--at", "2020-01-01T09:00", "--yes"]])
def test_dateparser_is_imported_only_for_words(blast_home, args):
    """dateparser costs ~65-90 ms to import: never on --help, cron's run-due or the ISO forms."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {"BLAST_HOME": str(blast_home)}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "nexus_blast", *args], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 2), done.stderr[-2000:]
    assert "dateparser" not in done.stderr
    words = subprocess.run([sys.executable, "-X", "importtime", "-m", "nexus_blast", "send", "x.csv", "-m", "Oi",
                            "--at", "ontem 9h", "--yes"], env=env, capture_output=True, text=True, timeout=60)
    assert words.returncode == 2 and "dateparser" in words.stderr  # the check above can see it
