"""The plan `send --dry-run` shows: each session's room today, and an estimate that moves a capped
session's work to the others as the run does."""

from __future__ import annotations

from tests.campaigns.helpers import configure, write_contacts


def test_a_capped_session_does_not_push_the_estimate_into_days(blast, blast_home, sandbox, tmp_path):
    configure(blast_home, {"s1": sandbox.url, "s2": sandbox.url}, sending={"delay": "10-10", "lookup_delay": "1-1"})
    with open(blast_home / "config.toml", "a", encoding="utf-8") as config:
        config.write("daily_cap = 5\n")  # the last session written: s2
    csv = write_contacts(tmp_path / "c.csv", 40)
    result = blast("send", csv, "-m", "Oi {{nome}}", "--dry-run", "--json", "--ignore-window")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["room_today"] == {"s1": 1000, "s2": 5}
    assert doc["sessions"] == {"s1": 20, "s2": 20}
    # s2 sends 5, its other 15 move to s1: 35 sends at ~10.3 s, well under an hour (not "1d …").
    assert 30 * 10 < doc["estimated_seconds"] < 3600
    human = blast("send", csv, "-m", "Oi {{nome}}", "--dry-run", "--ignore-window")
    assert human.stdout.splitlines()[0].split("\t") == ["session", "messages", "room today"]
    about = human.stderr.split("about ", 1)[1].split("\n", 1)[0]  # piped: the title goes to stderr
    assert "d " not in about and "m " in about


def test_campaign_show_and_list_print_every_time_in_one_zone_or_utc(blast, blast_home, sandbox, tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    configure(blast_home, {"s1": sandbox.url})
    csv = write_contacts(tmp_path / "c.csv", 2)
    scheduled = blast("send", csv, "-m", "Oi {{nome}}", "--at", "+2h", "--yes", "--json").json()["scheduled_at"]
    at = datetime.fromisoformat(scheduled)
    local = at.astimezone(ZoneInfo("America/Sao_Paulo"))
    shown = dict(line.split("\t", 1) for line in blast("campaign", "show", "1").stdout.splitlines()[1:])
    assert shown["scheduled_at"] == f"{local:%Y-%m-%d %H:%M:%S} -03"
    assert shown["created_at"].endswith(" -03") and shown["next_send_at"].endswith(" -03")
    utc = dict(line.split("\t", 1) for line in blast("campaign", "show", "1", "--utc").stdout.splitlines()[1:])
    assert utc["scheduled_at"] == f"{at:%Y-%m-%d %H:%M:%S} UTC"
    listed = blast("campaign", "list", "--utc").stdout.splitlines()[1].split("\t")
    # Today's times show as HH:MM, other days as DD/MM HH:MM (+2h after 22:00 UTC is tomorrow).
    assert any(cell.endswith(f"{at:%H:%M}") for cell in listed), listed
    assert blast("campaign", "show", "1", "--json").json()["scheduled_at"] == scheduled  # JSON unchanged
