"""`blast doctor`: each check ok/warn/fail with its fix, exit 0/1/3, through the command."""

from __future__ import annotations

from tests.waha.loopback import closed_port_url
from tests.waiting import wait_until


def _checks(result) -> dict[str, dict]:
    return {c["check"]: c for c in result.json()["checks"]}


def test_a_ready_machine_is_all_ok_exit_0(blast, sandbox):
    assert blast("init").exit_code == 0
    assert blast("session", "add", "s1", "--url", sandbox.url).exit_code == 0
    # A session whose config was just written restarts on the server (STARTING a moment, as real WAHA).
    wait_until(lambda: blast("session", "show", "s1", "--json").json()["status"] == "WORKING", what="s1 WORKING again")
    result = blast("doctor", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    checks = _checks(result)
    assert [checks[k]["level"] for k in ("config", "database", "window", "session s1")] == ["ok"] * 4
    assert "WORKING" in checks["session s1"]["message"] and result.json()["ok"] is True
    assert "ok" in blast("doctor").stdout


def test_problems_are_named_with_their_fix_and_exit_3(blast, blast_home, sandbox, monkeypatch):
    monkeypatch.delenv("DOCTOR_TEST_KEY", raising=False)
    down = closed_port_url()
    (blast_home / "config.toml").write_text(
        f'[sessions.ok]\nurl = "{sandbox.url}"\nwaha_session = "s1"\nwebhook_url = "{down}/webhook"\n'
        f'[sessions.semchave]\nurl = "{sandbox.url}"\napi_key_env = "DOCTOR_TEST_KEY"\n'
        f'[sessions.fora]\nurl = "{down}"\n'
        f'[sessions.sumiu]\nurl = "{sandbox.url}"\nwaha_session = "naoexiste"\n'
    )
    sandbox.set_status("s2", "SCAN_QR_CODE")
    (blast_home / "config.toml").write_text((blast_home / "config.toml").read_text() + f'[sessions.parear]\nurl = "{sandbox.url}"\nwaha_session = "s2"\n')
    result = blast("doctor", "--json")
    assert result.exit_code == 3, result.stderr
    checks = _checks(result)
    assert checks["database"]["level"] == "warn" and checks["database"]["fix"].startswith("blast init")
    assert checks["session semchave"]["level"] == "fail" and "DOCTOR_TEST_KEY" in checks["session semchave"]["message"]
    assert checks["session fora"]["level"] == "fail" and "blast session update fora" in checks["session fora"]["fix"]
    assert checks["session sumiu"]["level"] == "fail" and "blast session start sumiu" in checks["session sumiu"]["fix"]
    assert checks["session parear"]["level"] == "fail" and checks["session parear"]["fix"] == "blast session pair parear"
    assert checks[f"webhook {down}/webhook"]["level"] == "warn" and "blast webhook serve" in checks[f"webhook {down}/webhook"]["fix"]
    human = blast("doctor")
    assert human.exit_code == 3 and "fail" in human.stdout and "blast session pair parear" in human.stdout


def test_warnings_only_is_exit_1(blast):
    result = blast("doctor", "--json")  # no config, no database, no session: nothing fails
    assert result.exit_code == 1, result.stdout
    assert {c["level"] for c in result.json()["checks"]} == {"ok", "warn"}
