"""pt-BR for `blast campaign …`, `run-due`, `worker` and every command's Examples block (issue #16):
Portuguese with LANG=pt_BR.UTF-8, English with LANG=C, `--json` byte-identical in both."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
from datetime import date, timedelta

import pytest

from tests.campaigns.helpers import configure, write_contacts
from tests.cli.test_help import _rows, _sections, _tree
from tests.cli.test_i18n import BLAST, PT, run
from tests.waiting import StreamLines, wait_until

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"
MOMENT_PT = r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d -03"


@pytest.fixture
def speak(monkeypatch):
    def switch(lang: str) -> None:
        monkeypatch.setenv("LANG", lang)

    return switch


@pytest.fixture
def completed(blast, sandbox, blast_home, tmp_path):
    """Campaign 1, `Black Friday`: 4 messages sent from s1 (no receipts yet)."""
    configure(blast_home, {"s1": sandbox.url}, sending={"delay": "0-0.5"})
    result = blast("send", write_contacts(tmp_path / "c.csv", 4), "-m", "Oi {{nome}}", "--name", "Black Friday", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()["campaign"]


def test_campaign_list_speaks_portuguese_and_json_stays_identical(blast, completed, speak, monkeypatch):
    speak("C")
    english_json = blast("campaign", "list", "--json").stdout
    english = blast("campaign", "list").stdout.splitlines()
    assert english == ["id\tname\tstatus\tprogress\tdelivered · read\tscheduled\tnext send",
                       "1\tBlack Friday\tcompleted\t4/4 100%\t0% · 0%\t\t"]
    speak("pt_BR.UTF-8")
    assert blast("campaign", "list", "--json").stdout == english_json
    piped = blast("campaign", "list").stdout.splitlines()
    assert piped == ["id\tname\tstatus\tprogress\tdelivered · read\tscheduled\tnext send",  # headers: for scripts
                     "1\tBlack Friday\tconcluída\t4/4 100%\t0% · 0%\t\t"]
    monkeypatch.setattr("nexus_blast.cli.output._is_terminal", lambda stream: True)
    monkeypatch.setenv("COLUMNS", "120")
    header = blast("campaign", "list").stdout.splitlines()[1]
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == [
        "id", "nome", "status", "progresso", "entregues · lidas", "agendada", "próximo envio"]


def test_empty_campaign_list_in_portuguese_and_english(blast, blast_home, speak):
    speak("pt_BR.UTF-8")
    assert blast("campaign", "list").stderr == "nenhuma campanha ainda (comece uma com: blast send FILE --message TEXT)\n"
    speak("C")
    assert blast("campaign", "list").stderr == "no campaigns yet (start one with: blast send FILE --message TEXT)\n"


def test_campaign_show_speaks_portuguese_and_json_stays_identical(blast, completed, speak):
    speak("C")
    english_json = blast("campaign", "show", "1", "--json").stdout
    english = blast("campaign", "show", "1")
    assert english.stderr == "campaign 1\n"
    assert english.stdout.splitlines()[:5] == ["campaign\t1", "status\tcompleted", "sent\t4", "failed\t0", "skipped\t0"]
    assert re.search(r"^created_at\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d -03$", english.stdout, re.M)
    assert "resume_on_due\tFalse\n" in english.stdout and "delay\t0-0.5\n" in english.stdout
    speak("pt_BR.UTF-8")
    assert blast("campaign", "show", "1", "--json").stdout == english_json
    shown = blast("campaign", "show", "1")
    assert shown.stderr == "campanha 1\n"
    lines = shown.stdout.splitlines()
    assert lines[:14] == [
        "campanha\t1", "status\tconcluída", "enviadas\t4", "com falha\t0", "puladas\t0", "pendentes\t0",
        "nome\tBlack Friday", "agendada para\t", "entregues\t0 (0%)", "lidas\t0 (0%)", "responderam\t0 (0%)",
        "descadastros\t0 (0%)", "motivo\t", "sessões\ts1",
    ]
    assert "intervalo (s)\t0-0,5" in lines and "retoma no horário\tnão" in lines and "ignora a janela\tnão" in lines
    for label in ("criada em", "iniciada em", "encerrada em"):
        assert any(re.fullmatch(rf"{label}\t{MOMENT_PT}", line) for line in lines), label


def test_pause_and_cancel_refusals_speak_portuguese_and_json_errors_stay_identical(blast, completed, speak):
    speak("pt_BR.UTF-8")
    paused = blast("campaign", "pause", "1")
    assert (paused.exit_code, paused.stderr) == (2, "blast: erro: a campanha 1 está concluída: não pode ser pausada\n")
    cancelled = blast("campaign", "cancel", "1", "--yes")
    assert (cancelled.exit_code, cancelled.stderr) == (2, "blast: erro: a campanha 1 está concluída: não pode ser cancelada\n")
    resumed = blast("campaign", "resume", "1", "--yes")
    assert resumed.stderr == "blast: erro: a campanha 1 está concluída: nada a retomar\n"
    pt_json = [blast("campaign", verb, "1", "--yes", "--json").stdout for verb in ("cancel", "resume")]
    speak("C")
    assert blast("campaign", "pause", "1").stderr == "blast: error: campaign 1 is completed: it cannot be paused\n"
    assert blast("campaign", "cancel", "1", "--yes").stderr == "blast: error: campaign 1 is completed: it cannot be cancelled\n"
    assert [blast("campaign", verb, "1", "--yes", "--json").stdout for verb in ("cancel", "resume")] == pt_json
    assert '"message": "campaign 1 is completed: it cannot be cancelled"' in pt_json[0]


def test_cancel_question_and_a_later_resume_speak_portuguese(blast, sandbox, blast_home, tmp_path, speak):
    configure(blast_home, {"s1": sandbox.url})
    assert blast("send", write_contacts(tmp_path / "c.csv", 3), "-m", "Oi", "--name", "promo", "--at", "+1h", "--yes").exit_code == 0
    speak("pt_BR.UTF-8")
    asked = blast("campaign", "cancel", "1")
    assert asked.stderr == ("blast: erro: Cancelar de vez a campanha 1 (promo) (as mensagens pendentes nunca serão enviadas)? "
                            "— a entrada padrão não é um terminal; use --yes para confirmar\n")
    day = date.today() + timedelta(days=30)
    at = f"{day:%Y-%m-%d} 09:00"
    unasked = blast("campaign", "resume", "1", "--at", at, "--json")  # no terminal, no --yes
    assert unasked.exit_code == 2 and f"Retomar a campanha 1 (promo) em {day:%d/%m/%Y} 09:00 -03?" in unasked.stderr
    speak("C")
    assert blast("campaign", "resume", "1", "--at", at, "--json").stdout == unasked.stdout
    assert f'"message": "Resume campaign 1 (promo) at {at} -03? — stdin is not a terminal' in unasked.stdout
    speak("pt_BR.UTF-8")
    later = blast("campaign", "resume", "1", "--at", "+2h", "--yes")
    assert later.exit_code == 0, later.stderr
    assert later.stderr.startswith("campanha 1 (promo): 3 mensagens pendentes — s1 3\n")
    assert re.search(r"^a campanha 1 será retomada em \d\d/\d\d/\d{4} \d\d:\d\d -03 \(pelo blast run-due ou pelo blast worker\)$",
                     later.stderr, re.M), later.stderr
    speak("C")
    assert re.search(r"^campaign 1 resumes at \d{4}-\d\d-\d\d \d\d:\d\d -03 \(by blast run-due or blast worker\)$",
                     blast("campaign", "resume", "1", "--at", "+2h", "--yes").stderr, re.M)


def test_ab_verdict_is_said_in_portuguese_with_decimal_commas_and_json_stays_english(blast, make_sandbox, blast_home, tmp_path, speak):
    sandbox = make_sandbox(sessions=("s1",))
    sandbox.replies({"contains": "Texto B", "text": "Quero!", "delay": 0})  # every B is answered, no A
    configure(blast_home, {"s1": sandbox.url}, sending={"delay": "0-0"})
    sent = blast("send", write_contacts(tmp_path / "c.csv", 60), "-m", "Texto A {{nome}}", "-m", "Texto B {{nome}}", "--yes")
    assert sent.exit_code == 0, sent.stderr
    wait_until(lambda: sum(r["delivered"] for r in sandbox.replies()["scheduled"]) == 30, what="the replies to B")
    speak("pt_BR.UTF-8")
    synced = blast("campaign", "sync", "1")
    assert synced.exit_code == 0 and synced.stdout.splitlines()[0] == (
        "checked\treceipts updated\tdelivered\tread\tnew replies\tnew opt-outs")
    pt_json = blast("campaign", "show", "1", "--json").stdout
    shown = blast("campaign", "show", "1")
    assert shown.stderr.endswith("variantes\n"
                                 "líder: B lidera: taxa de resposta de 100,0% contra 0,0% de A (significativo a 95%, p = 0,0000)\n")
    speak("C")
    assert blast("campaign", "show", "1", "--json").stdout == pt_json
    assert '"statement": "B leads: reply rate 100.0% vs 0.0% for A (significant at 95%, p = 0.0000)"' in pt_json
    assert blast("campaign", "show", "1").stderr.endswith(
        "leader: B leads: reply rate 100.0% vs 0.0% for A (significant at 95%, p = 0.0000)\n")


def test_a_decided_ab_test_and_its_due_run_speak_portuguese_old_rows_keep_their_english(
        blast, make_sandbox, blast_home, tmp_path, speak):
    sandbox = make_sandbox(sessions=("s1",))
    configure(blast_home, {"s1": sandbox.url}, sending={"delay": "0-0"})
    first = blast("send", write_contacts(tmp_path / "c.csv", 20), "-m", "Texto A {{nome}}", "-m", "Texto B {{nome}}",
                  "--ab-test", "20%", "--ab-wait", "1h", "--yes", "--json")
    assert first.exit_code == 0, first.stderr
    speak("pt_BR.UTF-8")
    assert "teste A/B\taguardando respostas" in blast("campaign", "show", "1").stdout.splitlines()
    past = "2020-01-01T00:00:00.000+00:00"  # the wait is over
    with sqlite3.connect(blast_home / "blast.db") as conn:
        conn.execute("UPDATE campaigns SET scheduled_at = ?, options = json_set(options, '$.ab.decide_at', ?)", (past, past))
    due = blast("run-due")
    assert due.exit_code == 0, due.stderr
    lines = due.stderr.splitlines()
    assert lines and all(re.match(rf"{STAMP} campanha 1: ", line) for line in lines), lines  # every line, its campaign
    pt_json = blast("campaign", "show", "1", "--json").stdout
    assert ("teste A/B\tdecidido (restante enviado com A: dados insuficientes: são necessárias pelo menos 30 enviadas "
            "por variante (A tem 2, B tem 2))") in blast("campaign", "show", "1").stdout.splitlines()
    speak("C")
    assert blast("campaign", "show", "1", "--json").stdout == pt_json
    english = "rest sent with A: not enough data: at least 30 sent per variant needed (A has 2, B has 2)"
    assert f'"statement": "{english}"' in pt_json
    assert f"ab_test\tdecided ({english})" in blast("campaign", "show", "1").stdout.splitlines()
    with sqlite3.connect(blast_home / "blast.db") as conn:  # decided before verdicts were stored: its English stays
        conn.execute("UPDATE campaigns SET options = json_remove(options, '$.ab.verdict')")
    speak("pt_BR.UTF-8")
    assert f"teste A/B\tdecidido ({english})" in blast("campaign", "show", "1").stdout.splitlines()


def test_run_due_with_nothing_due_says_nothing_in_either_language_and_the_same_json(blast_home):
    for env in (PT, {"LANG": "C"}):
        quiet = run(blast_home, "run-due", env=env)
        assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    assert run(blast_home, "run-due", "--json", env=PT).stdout == run(blast_home, "run-due", "--json").stdout == '{\n  "campaigns": []\n}\n'


def _worker(home, lang: str, *args: str) -> tuple[int, list[str]]:
    """`blast worker ARGS` under LANG until it says it started, then SIGTERM: its exit code and log lines."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "BLAST_HOME": str(home), "LANG": lang}
    worker = subprocess.Popen([BLAST, "worker", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True)
    try:
        lines = StreamLines(worker.stdout if args else worker.stderr)
        lines.wait_for("worker")
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    finally:
        worker.kill()
    return worker.returncode, lines.text().splitlines()


def test_worker_log_lines_speak_portuguese_and_log_json_messages_stay_english(tmp_path, sandbox):
    home = tmp_path / "home"
    home.mkdir()
    configure(home, {"s1": sandbox.url}, scheduler={"poll_interval": 0.5, "progress_every": 2.5})
    code, lines = _worker(home, "pt_BR.UTF-8")
    assert code == 0
    texts = [re.sub(rf"^{STAMP} ", "", line) for line in lines]
    assert re.fullmatch(r"blast: worker \S+: consultando a cada 0,5s, reserva de 60s, progresso a cada 2,5s, "
                        r"janela 00:00-24:00 mon-sun \(America/Sao_Paulo\)", texts[0]), texts
    assert texts[1:] == ["blast: parando: a campanha em andamento pausa depois da mensagem em envio; a próxima execução a continua",
                         "blast: worker parado"]
    code, english = _worker(home, "C")
    assert re.fullmatch(r"\S+ blast: worker \S+: polling every 0.5s, lease 60s, progress every 2.5s, "
                        r"window 00:00-24:00 mon-sun \(America/Sao_Paulo\)", english[0]) and english[-1].endswith(" blast: worker stopped")
    code, records = _worker(home, "pt_BR.UTF-8", "--log-json")
    assert code == 0
    assert '"message": "worker stopped"' in records[-1] and "polling every 0.5s" in records[0]


EXAMPLES = {  # command → (a translated comment of its Examples block, its English)
    ("send",): ("  # ver o plano e as primeiras mensagens; nada é enviado", "  # see the plan and the first messages; nothing is sent"),
    ("run-due",): ("  # o que está na hora agora, para um script", "  # what is due now, for a script"),
    ("validate",): ("  # números sem DDD são de São Paulo", "  # numbers without an area code are from São Paulo"),
    ("import",): ("  # de um pipe", "  # from a pipe"),
    ("session", "add"): ("  # um segundo número em outro servidor, com o receptor de webhooks do blast",
                         "  # a second number on another server, with blast's webhook receiver"),
    ("session", "pair"): ("  # o QR não é lido (o terminal não aplicou as cores)",
                          "  # the QR does not scan (the terminal did not apply its colours)"),
    ("copy",): ("  # três variações num tom mais simpático, a segunda gravada num arquivo",
                "  # three variants in a friendlier tone, the second written to a file"),
}


@pytest.mark.parametrize("path", list(EXAMPLES))
def test_examples_blocks_are_translated_but_never_their_command_lines(blast, speak, path):
    portuguese, english = EXAMPLES[path]
    speak("pt_BR.UTF-8")
    pt = _sections(blast(*path, "--help").stdout)["Exemplos"]
    speak("C")
    en = _sections(blast(*path, "--help").stdout)["Examples"]
    assert portuguese in pt and english in en
    assert [line for line in pt if not line.lstrip().startswith("#")] == [line for line in en if not line.lstrip().startswith("#")]
    assert len(pt) == len(en)


def test_every_summary_fits_on_its_line_uncut_in_portuguese(blast, speak, monkeypatch):
    speak("pt_BR.UTF-8")
    monkeypatch.setenv("COLUMNS", "80")
    problems = []
    for path, command in _tree():
        if not getattr(command, "commands", None):
            continue
        for name, summary in _rows(_sections(blast(*path, "--help").stdout).get("Comandos", [])):
            if summary.endswith(("...", "…")) or not summary:
                problems.append(f"blast {' '.join(path + (name,))}: {summary!r}")
    assert not problems, "\n".join(problems)
