"""`blast session ...` through the real entry point against the sandbox on loopback."""

from __future__ import annotations

import logging
import os
import stat
import threading

import pytest

from nexus_blast.waha.pairing import FULL, LOWER, QUIET_ZONE, UPPER
from tests.waiting import wait_until

KEY = "sandbox-key-5e2b91c0aa"
HMAC_KEY = "hmac-key-77d1f0e2bb"


def _add(blast, name, url, *extra):
    result = blast("session", "add", name, "--url", url, *extra, "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def _server_config(sb, waha_session):
    return sb.world.sessions[waha_session].config


def test_add_creates_the_waha_session_and_keeps_config_comments(blast, blast_home, make_sandbox):
    sb = make_sandbox(start_seconds=0.01)
    (blast_home / "config.toml").write_text("# my notes\n[sending]\n# slow down\ndelay = \"40-90\"\n")
    doc = _add(blast, "loja1", sb.url)
    assert doc["name"] == "loja1" and doc["waha_session"] == "loja1" and doc["created_on_server"] is True
    assert doc["status"] in ("STARTING", "SCAN_QR_CODE")
    assert "loja1" in sb.world.sessions
    text = (blast_home / "config.toml").read_text()
    assert "# my notes" in text and "# slow down" in text and "[sessions.loja1]" in text
    assert stat.S_IMODE(os.stat(blast_home / "config.toml").st_mode) == 0o600
    again = blast("session", "add", "loja1", "--url", sb.url)
    assert again.exit_code == 2 and "--yes" in again.stderr


def test_add_existing_session_with_webhook_keeps_other_config(blast, blast_home, make_sandbox):
    sb = make_sandbox(sessions=("s1",), api_key=KEY)
    sb.world.sessions["s1"].config = {"metadata": {"team": "vendas"}, "webhooks": [{"url": "http://other/h", "events": ["message"]}]}
    doc = _add(blast, "vendas", sb.url, "--waha-session", "s1", "--api-key", KEY,
               "--webhook", "http://127.0.0.1:8787/webhook", "--webhook-hmac-key", HMAC_KEY, "--weight", "2", "--daily-cap", "300")
    assert doc["created_on_server"] is False and doc["waha_session"] == "s1"
    config = _server_config(sb, "s1")
    assert config["metadata"] == {"team": "vendas"}
    urls = [h["url"] for h in config["webhooks"]]
    assert urls == ["http://other/h", "http://127.0.0.1:8787/webhook"]
    ours = config["webhooks"][1]
    assert ours["events"] == ["message", "message.ack", "session.status"]
    assert ours["hmac"] == {"key": HMAC_KEY}
    assert config["webjs"]["tagsEventsOn"] is True
    text = (blast_home / "config.toml").read_text()
    assert 'waha_session = "s1"' in text and "weight = 2" in text and "daily_cap = 300" in text


def test_update_changes_the_webhook_on_the_server(blast, make_sandbox):
    sb = make_sandbox(sessions=("s1",), engine="NOWEB")
    _add(blast, "s1", sb.url, "--webhook", "http://a/hook")
    result = blast("session", "update", "s1", "--webhook", "http://b/hook", "--webhook-hmac-key", HMAC_KEY, "--json")
    assert result.exit_code == 0, result.stderr
    config = _server_config(sb, "s1")
    assert [h["url"] for h in config["webhooks"]] == ["http://b/hook"]
    assert config["noweb"]["store"]["enabled"] is True
    assert blast("session", "update", "s1", "--no-webhook").exit_code == 0
    assert _server_config(sb, "s1")["webhooks"] == []
    assert HMAC_KEY not in result.stdout + result.stderr


def test_list_json_live_status_unreachable_and_sent_today(blast, sandbox):
    from nexus_blast.store.db import utcnow
    from tests.waha.loopback import closed_port_url

    _add(blast, "s1", sandbox.url)
    _add(blast, "s2", sandbox.url)
    sandbox.set_status("s2", "SCAN_QR_CODE")
    assert blast("session", "add", "dead", "--url", closed_port_url(), "--no-check").exit_code == 0
    _seed_sent(blast, "s1", 3)
    result = blast("session", "list", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {r["name"]: r for r in result.json()}
    for row in rows.values():
        assert {"name", "url", "waha_session", "status"} <= set(row)
    assert rows["s1"]["status"] == "WORKING" and rows["s1"]["me"].endswith("@c.us")
    assert rows["s1"]["sent_today"] == 3 and rows["s2"]["sent_today"] == 0
    assert rows["s2"]["status"] == "SCAN_QR_CODE"
    assert rows["dead"]["status"] == "UNREACHABLE"
    human = blast("session", "list")
    assert human.exit_code == 0 and "UNREACHABLE" in human.stdout and "3/1000" in human.stdout
    assert utcnow()  # the seeded rows used the store's timestamp format


def _seed_sent(blast, session, count):
    """Rows as the campaign sender writes them (status 'sent', sent_at ISO UTC)."""
    from datetime import UTC, datetime, timedelta

    from nexus_blast.cli.state import current
    from nexus_blast.store.db import iso, utcnow

    blast("config", "path")  # sets up the state for this BLAST_HOME
    db = current().db()
    now = utcnow()
    db["campaigns"].insert({"id": 1, "name": "c", "status": "running", "template": "t", "sessions": "[]",
                            "delay_min": 1, "delay_max": 2, "created_at": now, "updated_at": now})
    old = iso(datetime.now(UTC) - timedelta(days=2))
    for seq in range(count + 2):
        db["messages"].insert({"campaign_id": 1, "seq": seq, "phone": f"+55119876543{seq:02d}", "text": "t",
                               "status": "sent" if seq < count + 1 else "failed", "session": session,
                               "sent_at": old if seq == count else now, "updated_at": now})
    current().close()


def test_show_unknown_unreachable_refused_and_working(blast, make_sandbox):
    from tests.waha.loopback import closed_port_url

    sb = make_sandbox(sessions=("s1",), api_key=KEY)
    unknown = blast("session", "show", "nope", "--json")
    assert unknown.exit_code == 2 and unknown.json()["error"]["code"] == 2
    assert blast("session", "add", "dead", "--url", closed_port_url(), "--no-check").exit_code == 0
    dead = blast("session", "show", "dead", "--json")
    assert dead.exit_code == 3 and dead.json()["error"]["code"] == 3
    wrong = "wrong-key-0000aaaa1111"
    assert blast("session", "add", "bad", "--url", sb.url, "--waha-session", "s1", "--api-key", wrong, "--no-check").exit_code == 0
    refused = blast("session", "show", "bad", "--json")
    assert refused.exit_code == 3 and "refused" in refused.stderr
    assert wrong not in refused.stdout + refused.stderr
    _add(blast, "good", sb.url, "--waha-session", "s1", "--api-key", KEY)
    # A session whose config was just written restarts on the server (STARTING a moment, as real WAHA).
    wait_until(lambda: blast("session", "show", "good", "--json").json().get("status") == "WORKING", what="good WORKING again")
    good = blast("session", "show", "good", "--json")
    assert good.exit_code == 0, good.stderr
    doc = good.json()
    assert doc["status"] == "WORKING" and doc["server"]["tier"] == "PLUS" and doc["api_key"] == "set"
    assert KEY not in good.stdout + good.stderr


def test_add_with_bad_key_or_dead_server_fails_and_writes_nothing(blast, blast_home, make_sandbox):
    from tests.waha.loopback import closed_port_url

    sb = make_sandbox(api_key=KEY)
    result = blast("session", "add", "x", "--url", sb.url, "--api-key", "nope-nope-nope-nope")
    assert result.exit_code == 3
    result = blast("session", "add", "y", "--url", closed_port_url())
    assert result.exit_code == 3
    assert not (blast_home / "config.toml").exists()
    assert blast("session", "add", "bad name", "--url", sb.url).exit_code == 2
    assert blast("session", "add", "z", "--url", "ftp://x").exit_code == 2


def test_start_stop_restart_logout_remove(blast, sandbox):
    _add(blast, "s1", sandbox.url)
    assert blast("session", "stop", "s1", "--json").json()["status"] == "STOPPED"
    assert blast("session", "list", "--json").json()[0]["status"] == "STOPPED"
    assert blast("session", "start", "s1", "--json").json()["status"] in ("STARTING", "WORKING")
    assert blast("session", "restart", "s1", "--json").exit_code == 0
    assert blast("session", "logout", "s1").exit_code == 2  # no terminal, no --yes
    assert blast("session", "logout", "s1", "--yes", "--json").exit_code == 0
    assert sandbox.world.sessions["s1"].me is None
    assert blast("session", "remove", "s1").exit_code == 2
    removed = blast("session", "remove", "s1", "--yes", "--delete-on-server", "--json")
    assert removed.exit_code == 0 and removed.json()["deleted_on_server"] is True
    assert "s1" not in sandbox.world.sessions
    assert blast("session", "show", "s1").exit_code == 2
    assert blast("session", "list", "--json").json() == []


def test_start_creates_a_session_missing_on_the_server(blast, sandbox):
    assert blast("session", "add", "gone", "--url", sandbox.url, "--no-check").exit_code == 0
    assert blast("session", "start", "gone", "--json").exit_code == 0
    assert "gone" in sandbox.world.sessions


def test_start_recreates_a_missing_session_with_its_webhook_and_engine_config(blast, sandbox):
    # `add --no-check` (or a WAHA server that lost its sessions): `start` creates the session, and
    # must write what `add` would have — blast's webhook and WEBJS's tagsEventsOn — or acks never flow.
    hook = "http://127.0.0.1:9/webhook"
    assert blast("session", "add", "gone", "--url", sandbox.url, "--no-check", "--webhook", hook,
                 "--webhook-hmac-key", "hook-key-123").exit_code == 0
    assert blast("session", "start", "gone", "--json").exit_code == 0
    config = sandbox.world.sessions["gone"].config
    assert config["webjs"]["tagsEventsOn"] is True
    [webhook] = config["webhooks"]
    assert webhook["url"] == hook and webhook["hmac"] == {"key": "hook-key-123"}
    assert sorted(webhook["events"]) == ["message", "message.ack", "session.status"]


def _decode(rendered: str) -> list[list[bool]]:
    """Half-block text back to modules (True = dark); light modules are drawn as ink by default."""
    rows: list[list[bool]] = []
    for line in rendered.splitlines():
        top = [ch not in (FULL, UPPER) for ch in line]
        bottom = [ch not in (FULL, LOWER) for ch in line]
        rows += [top, bottom]
    return rows


def _qr_blocks(text: str) -> list[str]:
    blocks, current_block = [], []
    for line in text.splitlines():
        if line and set(line) <= {FULL, UPPER, LOWER, " "} and line.strip(" ") != "":
            current_block.append(line)
        elif current_block:
            blocks.append("\n".join(current_block))
            current_block = []
    if current_block:
        blocks.append("\n".join(current_block))
    return blocks


def test_pair_renders_the_raw_qr_refreshes_and_returns_when_working(blast, make_sandbox):
    import segno

    sb = make_sandbox(start_seconds=0.01, qr_first_seconds=0.3, qr_rotate_seconds=0.3)
    _add(blast, "novo", sb.url)

    def scan_after_two_qrs():  # the phone scans once blast has drawn a rotated QR
        wait_until(lambda: sum(name == "novo" for name, _ in list(sb.world.qr_served)) >= 2, what="two QRs served")
        sb.pair("novo")

    scanner = threading.Thread(target=scan_after_two_qrs, daemon=True)
    scanner.start()
    result = blast("session", "pair", "novo", "--interval", "0.05", "--timeout", "60", "--json")
    scanner.join(30)
    assert result.exit_code == 0, result.stderr
    assert result.json()["status"] == "WORKING" and result.json()["me"].endswith("@c.us")
    served = [value for name, value in sb.world.qr_served if name == "novo"]
    blocks = _qr_blocks(result.stderr)
    assert len(served) >= 2 and len(blocks) == len(served)  # re-rendered at each rotation
    for block, value in zip(blocks, served):
        expected = [[bool(m) for m in row] for row in segno.make_qr(value, error="L").matrix_iter(border=QUIET_ZONE)]
        decoded = _decode(block)[: len(expected)]
        assert decoded == expected


def test_pair_creates_a_missing_session_with_its_webhook_and_engine_config(blast, make_sandbox):
    sb = make_sandbox(start_seconds=0.01, pair_after=0.2)
    hook = "http://127.0.0.1:9/webhook"
    assert blast("session", "add", "novo", "--url", sb.url, "--no-check", "--webhook", hook).exit_code == 0
    assert blast("session", "pair", "novo", "--interval", "0.05", "--timeout", "20").exit_code == 0
    config = sb.world.sessions["novo"].config
    assert config["webjs"]["tagsEventsOn"] is True and [h["url"] for h in config["webhooks"]] == [hook]


def test_pair_times_out_with_exit_3(blast, make_sandbox):
    sb = make_sandbox(start_seconds=0.01)
    _add(blast, "novo", sb.url)
    result = blast("session", "pair", "novo", "--interval", "0.05", "--timeout", "1")
    assert result.exit_code == 3 and "not paired" in result.stderr
    assert _qr_blocks(result.stdout)


def test_pair_with_code_waits_for_working(blast, make_sandbox):
    sb = make_sandbox(start_seconds=0.01)
    _add(blast, "novo", sb.url)
    def scan_once_the_code_is_asked():  # the phone links only after blast has shown the code
        wait_until(lambda: "novo" in sb.world.sessions and sb.world.sessions["novo"].codes, what="a pairing code")
        sb.pair("novo")

    scanner = threading.Thread(target=scan_once_the_code_is_asked, daemon=True)
    scanner.start()
    result = blast("session", "pair", "novo", "--code", "+55 11 98765-4321", "--interval", "0.05", "--timeout", "60")
    scanner.join(30)
    assert result.exit_code == 0, result.stderr
    assert "pairing code: " in result.stdout and "WORKING" in result.stderr


def test_core_tier_add_is_reported_clearly(blast, make_sandbox):
    sb = make_sandbox(tier="CORE")
    result = blast("session", "add", "loja", "--url", sb.url)
    assert result.exit_code == 3 and "Plus" in result.stderr
    # WAHA Core has `default` from boot (STOPPED, config null): added, not created, its config written
    doc = _add(blast, "main", sb.url, "--waha-session", "default")
    assert doc["created_on_server"] is False and doc["status"] == "STOPPED"
    assert sb.world.sessions["default"].config == {"webjs": {"tagsEventsOn": True}}


def test_api_key_never_appears_in_output_logs_or_errors(blast, make_sandbox, caplog):
    from tests.waha.loopback import closed_port_url

    caplog.set_level(logging.DEBUG)
    sb = make_sandbox(sessions=("s1",), api_key=KEY)
    outputs = []

    def run(*args):
        result = blast(*args)
        outputs.extend([result.stdout, result.stderr])
        return result

    run("session", "add", "good", "--url", sb.url, "--waha-session", "s1", "--api-key", KEY,
        "--webhook", "http://127.0.0.1:9/h", "--webhook-hmac-key", HMAC_KEY)
    run("session", "add", "bad", "--url", sb.url, "--api-key", KEY[::-1], "--no-check")
    run("session", "add", "dead", "--url", closed_port_url(), "--api-key", KEY, "--no-check")
    for args in (("list",), ("list", "--json"), ("show", "good"), ("show", "good", "--json"), ("show", "bad"),
                 ("show", "dead", "--json"), ("stop", "bad"), ("start", "good", "--json"), ("pair", "bad", "--timeout", "1")):
        run("session", *args)
    run("config", "show")
    run("--debug", "session", "show", "bad")
    assert any("refused" in o for o in outputs)
    everything = "\n".join(outputs) + caplog.text
    for secret in (KEY, KEY[::-1], HMAC_KEY):
        assert secret not in everything


@pytest.mark.parametrize("engine", ["WEBJS", "NOWEB", "GOWS"])
def test_add_works_for_every_engine(blast, make_sandbox, engine):
    sb = make_sandbox(engine=engine, sessions=("s1",))
    assert _add(blast, "s1", sb.url)["engine"] == engine


# --- what a real WAHA 2026.2.1 answered (issue 11, shared/waha/real-2026.2.1) ----------------------


def test_start_on_a_started_session_is_success_and_says_its_status(blast, make_sandbox):
    # WAHA 2026: 422 "Session 'X' is already started." — what was asked is already true
    sb = make_sandbox(sessions=("s1",))
    sb.world.sessions["s1"].config = {"webjs": {"tagsEventsOn": True}}  # nothing to write: no restart
    assert blast("session", "add", "s1", "--url", sb.url, "--no-check").exit_code == 0
    result = blast("session", "start", "s1", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["status"] == "WORKING"
    human = blast("session", "start", "s1")
    assert human.exit_code == 0 and "WORKING" in human.stderr
    assert any(r["path"] == "/api/sessions/s1/start" for r in sb.requests())
    assert not any(r["method"] == "PUT" for r in sb.requests())


def test_start_and_pair_on_a_starting_session_are_success(blast, make_sandbox):
    sb = make_sandbox(engine="NOWEB", offline=True)  # offline: the session stays STARTING
    _add(blast, "loja", sb.url)
    assert blast("session", "start", "loja").exit_code == 0
    paired = blast("session", "pair", "loja", "--interval", "0.05", "--timeout", "1")
    assert paired.exit_code == 3 and "already started" not in paired.stderr


def test_core_default_without_config_gets_what_blast_needs_on_add(blast, make_sandbox):
    # Core: `default` exists from boot with config null; add without --webhook must still enable the store
    sb = make_sandbox(tier="CORE", engine="NOWEB")
    doc = _add(blast, "main", sb.url, "--waha-session", "default")
    assert doc["created_on_server"] is False
    noweb = _server_config(sb, "default")["noweb"]
    assert noweb["store"]["enabled"] is True
    puts = [r for r in sb.requests() if r["method"] == "PUT"]
    assert puts and all(isinstance(r["body"], dict) and r["body"].get("config") for r in puts)  # never PUT {}


def test_start_merges_the_missing_config_and_keeps_the_rest(blast, make_sandbox):
    sb = make_sandbox(sessions=("s1",), engine="NOWEB")
    assert blast("session", "add", "s1", "--url", sb.url, "--no-check", "--webhook", "http://127.0.0.1:9/hook").exit_code == 0
    sb.world.sessions["s1"].config = {"metadata": {"team": "vendas"}}
    show = blast("session", "show", "s1", "--json")
    assert show.exit_code == 0, show.stderr
    assert show.json()["config_lacks"] == ["noweb.store.enabled", "webhook http://127.0.0.1:9/hook"]
    assert "config lacks" in blast("session", "show", "s1").stdout
    assert blast("session", "start", "s1").exit_code == 0
    config = _server_config(sb, "s1")
    assert config["metadata"] == {"team": "vendas"} and config["noweb"]["store"]["enabled"] is True
    assert [h["url"] for h in config["webhooks"]] == ["http://127.0.0.1:9/hook"]
    assert blast("session", "show", "s1", "--json").json()["config_lacks"] == []


def test_pair_merges_the_config_of_an_existing_session(blast, make_sandbox):
    sb = make_sandbox(tier="CORE", engine="NOWEB", pair_after=0.1, start_seconds=0.01)
    assert blast("session", "add", "main", "--url", sb.url, "--waha-session", "default", "--no-check").exit_code == 0
    result = blast("session", "pair", "main", "--interval", "0.05", "--timeout", "20")
    assert result.exit_code == 0, result.stderr
    assert _server_config(sb, "default")["noweb"]["store"]["enabled"] is True


def test_pair_timeout_says_the_session_never_reached_scan_qr_code(blast, make_sandbox):
    sb = make_sandbox(engine="NOWEB", offline=True)
    _add(blast, "loja", sb.url)
    result = blast("session", "pair", "loja", "--interval", "0.05", "--timeout", "1")
    assert result.exit_code == 3
    assert "the session never reached SCAN_QR_CODE (still STARTING): is the WAHA server online?" in result.stderr
    assert "scan the QR sooner" not in result.stderr


def test_pair_code_timeout_says_no_code_could_be_asked_and_never_asks_outside_scan(blast, make_sandbox):
    sb = make_sandbox(engine="NOWEB", offline=True)  # NOWEB hangs on request-code while STARTING
    _add(blast, "loja", sb.url)
    result = blast("session", "pair", "loja", "--code", "5511987654321", "--interval", "0.05", "--timeout", "1")
    assert result.exit_code == 3
    assert "no pairing code could be asked" in result.stderr and "never reached SCAN_QR_CODE" in result.stderr
    assert not any(r["path"].endswith("/auth/request-code") for r in sb.requests())


def test_show_of_a_session_missing_on_the_server_is_exit_3_missing(blast, make_sandbox):
    sb = make_sandbox(sessions=("s1",))
    assert blast("session", "add", "gone", "--url", sb.url, "--no-check").exit_code == 0
    result = blast("session", "show", "gone", "--json")
    assert result.exit_code == 3
    doc = result.json()
    assert doc["status"] == "MISSING" and doc["hint"] == "blast session start gone"
    assert "blast session start gone" in result.stderr
    human = blast("session", "show", "gone")
    assert human.exit_code == 3 and "MISSING" in human.stdout


def test_noweb_config_written_by_blast_has_the_required_fields(blast, make_sandbox):
    # WAHA's OpenAPI document marks noweb.markOnline and noweb.store.fullSync required (prism-flags.txt)
    sb = make_sandbox(engine="NOWEB")
    _add(blast, "loja", sb.url, "--webhook", "http://127.0.0.1:9/hook")
    written = [r["body"]["config"] for r in sb.requests() if r["method"] in ("POST", "PUT") and isinstance(r["body"], dict) and "config" in r["body"]]
    assert written
    for config in written:
        assert config["noweb"]["markOnline"] is True and config["noweb"]["store"] == {"fullSync": False, "enabled": True}


def _note(blast_home, session, status, reason, updated_at=None):
    """A health note as a campaign run leaves it (session_health)."""
    import sqlite3

    from nexus_blast.store.db import utcnow

    with sqlite3.connect(blast_home / "blast.db") as conn:
        conn.execute(
            "INSERT OR REPLACE INTO session_health (session, status, healthy, reason, until, updated_at) VALUES (?, ?, 0, ?, NULL, ?)",
            (session, status, reason, updated_at or utcnow()),
        )


def _health_row(blast_home, session):
    import sqlite3

    with sqlite3.connect(blast_home / "blast.db") as conn:
        return conn.execute("SELECT status, healthy, reason FROM session_health WHERE session = ?", (session,)).fetchone()


def test_list_never_shows_working_beside_a_stale_outage_and_the_probe_clears_it(blast, blast_home, sandbox):
    _add(blast, "s1", sandbox.url)
    blast("session", "list")  # creates the database
    _note(blast_home, "s1", "UNHEALTHY", "WAHA http://127.0.0.1:1 session 's1': cannot connect (All connection attempts failed)")
    (row,) = blast("session", "list", "--json").json()
    assert (row["status"], row["health"]) == ("WORKING", "")
    assert _health_row(blast_home, "s1") == ("WORKING", 1, "")
    human = blast("session", "list")
    assert "cannot connect" not in human.stdout


def test_a_cap_change_shows_at_once(blast, blast_home, sandbox):
    _add(blast, "s1", sandbox.url)
    assert blast("session", "update", "s1", "--daily-cap", "3").exit_code == 0
    _seed_sent(blast, "s1", 3)
    _note(blast_home, "s1", "CAPPED", "daily cap of 3 reached")
    (row,) = blast("session", "list", "--json").json()
    assert row["health"] == "daily cap of 3 reached"
    assert blast("session", "update", "s1", "--daily-cap", "152").exit_code == 0
    (row,) = blast("session", "list", "--json").json()
    assert (row["status"], row["health"]) == ("WORKING", "")
    assert "3/152" in blast("session", "list").stdout
    # and lowering it below today's sends shows the cap without any run having noted it
    assert blast("session", "update", "s1", "--daily-cap", "2").exit_code == 0
    (row,) = blast("session", "list", "--json").json()
    assert row["health"] == "daily cap of 2 reached"


def test_a_session_that_is_down_shows_one_status_and_its_probe_reason(blast, blast_home, sandbox):
    from tests.waha.loopback import closed_port_url

    assert blast("session", "add", "dead", "--url", closed_port_url(), "--no-check").exit_code == 0
    blast("session", "list")
    _note(blast_home, "dead", "CAPPED", "daily cap of 1000 reached")
    (row,) = blast("session", "list", "--json").json()
    assert row["status"] == "UNREACHABLE" and "cannot connect" in row["health"] and "cap" not in row["health"]
    assert len(row["health"]) <= 90


def test_a_send_through_the_session_clears_its_old_note(blast, blast_home, sandbox, tmp_path):
    from tests.campaigns.helpers import configure, write_contacts

    configure(blast_home, {"s1": sandbox.url})
    blast("session", "list")
    _note(blast_home, "s1", "UNHEALTHY", "3 failures in a row, last: Timed Out")
    sent = blast("send", write_contacts(tmp_path / "c.csv", 2), "-m", "Oi {{nome}}", "--yes", "--json")
    assert sent.exit_code == 0, sent.stderr
    assert _health_row(blast_home, "s1") == ("WORKING", 1, "")
