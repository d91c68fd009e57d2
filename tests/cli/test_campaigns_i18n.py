"""pt-BR for what campaigns/ says (issue #16): media refusals, the risk check, --test-to, template and
pacing errors, the lane notices of a run (daily cap, brake), and run-due's log lines speak
Portuguese with LANG=pt_BR.UTF-8 and English with LANG=C; `--json` (and --log-json's messages, and
what is stored) stays byte-identical English."""

from __future__ import annotations

import json

import pytest

from tests.campaigns.helpers import configure, png_bytes, write_contacts
from tests.cli.test_scheduler_logs import BLAST, blast_cron, cron_env
from tests.waiting import wait_until


@pytest.fixture
def contacts(tmp_path):
    return write_contacts(tmp_path / "contatos.csv", 3)


def both(blast, language, *args):
    """`blast ARGS` in pt-BR, then in English: (pt result, en result)."""
    language("pt_BR.UTF-8")
    pt = blast(*args)
    language("C")
    return pt, blast(*args)


def test_a_page_given_as_image_is_refused_in_portuguese_json_english(blast, sandbox, blast_home, contacts, tmp_path, language):
    configure(blast_home, {"s1": sandbox.url})
    page = tmp_path / "foto.png"
    page.write_text("<!doctype html><html><body>login</body></html>", encoding="utf-8")
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--image", page, "--yes")
    assert pt.exit_code == en.exit_code == 2
    assert pt.stderr == f"blast: erro: {page}: não é uma imagem JPEG, PNG ou WebP (verificado pelo conteúdo)\n"
    assert en.stderr == f"blast: error: {page}: not a JPEG, PNG or WebP image (checked by content)\n"
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--image", page, "--yes", "--json")
    assert pt.stdout == en.stdout
    assert json.loads(en.stdout)["error"]["message"] == f"{page}: not a JPEG, PNG or WebP image (checked by content)"
    assert sandbox.sent() == []


def test_an_image_over_the_limit_says_its_size_with_a_decimal_comma(blast, sandbox, blast_home, contacts, tmp_path, language):
    configure(blast_home, {"s1": sandbox.url}, sending={"max_image_mib": 1.5})
    big = tmp_path / "grande.png"
    big.write_bytes(png_bytes() + bytes(2 * 1024 * 1024))
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--image", big, "--yes")
    assert pt.stderr == (f"blast: erro: {big}: imagem com 2,0 MiB, acima do limite de 1,5 MiB "
                         "(reduza o arquivo ou aumente sending.max_image_mib)\n")
    assert en.stderr == f"blast: error: {big}: image is 2.0 MiB, over the 1.5 MiB limit (shrink it or raise sending.max_image_mib)\n"
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--image", big, "--yes", "--json")
    assert pt.stdout == en.stdout and "image is 2.0 MiB" in en.stdout


def test_the_risk_check_refusal_and_the_plan_json(blast, sandbox, blast_home, contacts, language):
    configure(blast_home, {"s1": sandbox.url}, sending={"refuse_high_risk": True, "delay": "1-2"})
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--yes")
    assert pt.exit_code == en.exit_code == 2
    assert pt.stderr == ("blast: erro: sending.refuse_high_risk: delay_short: o intervalo entre dois envios começa em 1 s, "
                         "abaixo de 20 s (veja o README, \"Risk check\")\n")
    assert en.stderr == ("blast: error: sending.refuse_high_risk: delay_short: the delay between two sends starts at 1 s, "
                         "below 20 s (see README, \"Risk check\")\n")
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--yes", "--json")
    assert pt.stdout == en.stdout
    # the plan's risks in --json: English in both languages (the human lines are translated)
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--dry-run", "--name", "c", "--json")
    assert pt.exit_code == en.exit_code == 0
    assert pt.stdout == en.stdout
    risks = {r["code"]: r["message"] for r in json.loads(en.stdout)["risks"]}
    assert risks["delay_short"] == "the delay between two sends starts at 1 s, below 20 s"


@pytest.mark.parametrize(("phone", "pt_line", "en_line"), [
    ("1133334444", "--test-to: '1133334444' é um telefone fixo (sem WhatsApp)", "--test-to: '1133334444' is a landline (no WhatsApp)"),
    ("+5511981000001,+5511981000002,+5511981000003,+5511981000004,+5511981000005,+5511981000006",
     "--test-to: no máximo 5 números de telefone", "--test-to: at most 5 phone numbers"),
])
def test_test_to_mistakes_speak_portuguese(blast, sandbox, blast_home, contacts, language, phone, pt_line, en_line):
    configure(blast_home, {"s1": sandbox.url})
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--test-to", phone, "--test-only")
    assert pt.exit_code == en.exit_code == 2
    assert pt.stderr == f"blast: erro: {pt_line}\n"
    assert en.stderr == f"blast: error: {en_line}\n"
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--test-to", phone, "--test-only", "--json")
    assert pt.stdout == en.stdout and en_line in en.stdout
    assert sandbox.sent() == []


@pytest.mark.parametrize(("args", "pt_line", "en_line"), [
    (("-m", "Oi {{nome"), "placeholder não fechado no caractere 4: '{{nome' (um placeholder se escreve {{coluna}})",
     "unclosed placeholder at character 4: '{{nome' (a placeholder is written {{coluna}})"),
    (("-m", "Oi {{cidadee}}"),
     "o placeholder {{cidadee}} no caractere 4 não tem coluna (primeira linha sem ele: 1); você quis dizer {{cidade}}? "
     "(as colunas são: nome, telefone, cidade; ou escreva {{cidadee|padrão}})",
     "placeholder {{cidadee}} at character 4 has no column (first row lacking it: 1); did you mean {{cidade}}? "
     "(columns are: nome, telefone, cidade; or write {{cidadee|fallback}})"),
    (("-m", "Oi", "--delay", "5-7200"), "--delay: intervalo '5-7200': no máximo 3600 segundos entre dois envios",
     "--delay: delay '5-7200': at most 3600 seconds between two sends"),
    (("-m", "Oi", "--batch", "0-5"), "--batch: lote '0-5': é preciso 1 <= MIN <= MAX (ou 0 para não fazer pausas)",
     "--batch: batch '0-5': need 1 <= MIN <= MAX (or 0 for no rests)"),
])
def test_template_and_pacing_errors_speak_portuguese(blast, sandbox, blast_home, contacts, language, args, pt_line, en_line):
    configure(blast_home, {"s1": sandbox.url})
    pt, en = both(blast, language, "send", contacts, *args, "--yes")
    assert pt.exit_code == en.exit_code == 2
    assert pt.stderr == f"blast: erro: {pt_line}\n"
    assert en.stderr == f"blast: error: {en_line}\n"
    pt, en = both(blast, language, "send", contacts, *args, "--yes", "--json")
    assert pt.stdout == en.stdout


def test_the_daily_cap_notice_speaks_portuguese_and_the_stored_reasons_stay_english(blast, make_sandbox, blast_home, tmp_path, language):
    sb = make_sandbox(sessions=("s1",))
    configure(blast_home, {"s1": sb.url}, sending={"daily_cap": 2})
    csv = write_contacts(tmp_path / "contatos.csv", 3)
    language("pt_BR.UTF-8")
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes")
    assert result.exit_code == 3, result.stderr
    assert "sessão s1 no limite diário: limite diário de 2 atingido\n" in result.stderr
    assert result.stdout.startswith("campanha 1 pausada: 2 enviadas, 0 com falha, 0 puladas, 1 pendentes\n")
    shown_pt = blast("campaign", "show", "1", "--json").stdout
    language("C")
    assert blast("campaign", "show", "1", "--json").stdout == shown_pt
    assert json.loads(shown_pt)["reason"].startswith("no session can send: s1: capped (daily cap of 2 reached); run-due/worker")


def test_the_brake_notice_speaks_portuguese_and_session_show_stays_english(blast, make_sandbox, blast_home, tmp_path, language):
    sb = make_sandbox(sessions=("s1",))
    sb.faults(session="s1", fail_after=0, fail_message="invalid wid")  # every send refused for good
    configure(blast_home, {"s1": sb.url}, sending={"brake_window": 4, "brake_ratio": 0.5},
              retry={"attempts": 1, "unhealthy_after": 100})
    csv = write_contacts(tmp_path / "contatos.csv", 10)
    language("pt_BR.UTF-8")
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes")
    assert result.exit_code == 3, result.stderr
    assert "sessão s1 em pausa: freio: 3 dos últimos 3 envios falharam (3) ou não foram entregues após 600 s (0)\n" in result.stderr
    campaign_pt = blast("campaign", "show", "1", "--json").stdout
    session_pt = json.loads(blast("session", "show", "s1", "--json").stdout)
    language("C")
    assert blast("campaign", "show", "1", "--json").stdout == campaign_pt
    reason = "brake: 3 of its last 3 sends failed (3) or were not delivered after 600 s (0)"
    assert session_pt["brake"]["reason"] == json.loads(blast("session", "show", "s1", "--json").stdout)["brake"]["reason"] == reason
    assert [e["reason"] for e in json.loads(campaign_pt)["lane_events"]] == [reason]


def test_run_due_log_lines_speak_portuguese_and_log_json_stays_english(tmp_path, make_sandbox):
    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    configure(home, {"s1": sb.url})
    csv = write_contacts(tmp_path / "c.csv", 3)

    def run_due_pt(*args: str):
        import subprocess

        return subprocess.run([*cron_env(home, tmp_path), "LANG=pt_BR.UTF-8", BLAST, "run-due", *args],
                              capture_output=True, text=True, timeout=120)

    def schedule() -> None:
        made = blast_cron(home, tmp_path, "send", str(csv), "-m", "Oi {{nome}}", "--at", "+0.5s", "--yes", "--json")
        assert made.returncode == 0, made.stderr
        from datetime import datetime

        at = datetime.fromisoformat(json.loads(made.stdout)["scheduled_at"])
        wait_until(lambda: datetime.now(at.tzinfo) >= at, what="the campaign to come due")

    schedule()
    ran = run_due_pt()
    assert ran.returncode == 0, ran.stderr
    lines = (ran.stdout + ran.stderr).splitlines()
    assert any(" campanha 1: " in line and line.endswith(": iniciando (agendada → em andamento)") for line in lines), lines
    assert any(line.endswith(" campanha 1: concluída: 3 enviadas, 0 com falha, 0 puladas, 0 pendentes") for line in lines), lines

    schedule()
    ran = run_due_pt("--log-json")
    assert ran.returncode == 0, ran.stderr
    records = [json.loads(line) for line in ran.stdout.splitlines()]
    messages = {r["event"]: r["message"] for r in records}
    assert messages["campaign.started"].endswith(": starting (scheduled → running)")
    assert messages["campaign.completed"] == "completed: 3 sent, 0 failed, 0 skipped, 0 pending"


def test_the_preflight_says_what_to_do_in_portuguese(blast, make_sandbox, blast_home, contacts, language):
    sb = make_sandbox(sessions=("s1", "s2"))
    sb.set_status("s1", "STOPPED")
    sb.set_status("s2", "SCAN_QR_CODE")
    configure(blast_home, {"s1": sb.url, "s2": sb.url})
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--yes")
    assert pt.exit_code == en.exit_code == 3
    assert "aviso: sessão s1: STOPPED (inicie-a: blast session start s1)\n" in pt.stderr
    assert "aviso: sessão s2: SCAN_QR_CODE (não pareada: blast session pair s2)\n" in pt.stderr
    assert "warning: session s1: STOPPED (start it: blast session start s1)\n" in en.stderr
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--yes", "--json")
    assert pt.stdout == en.stdout
    assert sb.sent() == []


def test_the_risk_lines_of_the_plan_speak_portuguese(blast, sandbox, blast_home, contacts, language):
    configure(blast_home, {"s1": sandbox.url}, sending={"delay": "1-2"})
    pt, en = both(blast, language, "send", contacts, "-m", "Oi {{nome}}", "--dry-run", "--name", "c")
    assert "RISCO ALTO (delay_short): o intervalo entre dois envios começa em 1 s, abaixo de 20 s\n" in pt.stdout
    assert "risco (no_optout): sem linha de descadastro (sending.footer / --footer)\n" in pt.stdout
    assert "HIGH RISK (delay_short): the delay between two sends starts at 1 s, below 20 s\n" in en.stdout
