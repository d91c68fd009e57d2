"""pt-BR for the lines `blast send` writes itself (issue #16): the plan line of `--dry-run`, the
scheduled-for lines of `--at`, the outside-the-window notice of a foreground run and the lines of
`--test-to --test-only`, in Portuguese with LANG=pt_BR.UTF-8 (dates `07/12/2026 09:00`, decimal
commas, plurals), the English unchanged with LANG=C, and `--json` byte-identical in both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.campaigns.helpers import configure, write_contacts
from tests.cli.test_i18n import PT, run
from tests.waiting import StreamLines

SP = ZoneInfo("America/Sao_Paulo")
TEST_PHONE = "+5521998887777"


def _duration(seconds: float, language: bool) -> str:
    """The estimate as the plan says it (under an hour: `1m 31s`, `1min 31s` in pt-BR)."""
    minutes, s = divmod(int(round(seconds)), 60)
    assert 1 <= minutes < 60, seconds
    return f"{minutes}{'min' if language else 'm'} {s:02d}s"


def _in_ten_days(hour: str) -> tuple[str, datetime]:
    day = (datetime.now(SP) + timedelta(days=10)).date()
    return f"{day}T{hour}", datetime.fromisoformat(f"{day}T{hour}").replace(tzinfo=SP)


def test_dry_run_plan_line_in_portuguese_and_english_json_identical(blast, sandbox, blast_home, tmp_path, language):
    configure(blast_home, {"s1": sandbox.url}, sending={"delay": "30.5-60"})
    csv = write_contacts(tmp_path / "contatos.csv", 3, ["Zé;190;Rio"])
    args = ("send", csv, "-m", "Oi {{nome}}", "--name", "Promo", "--dry-run", "--ignore-window", "--preview", "1")
    language("pt_BR.UTF-8")
    pt_json = blast(*args, "--json").stdout
    seconds = blast(*args, "--json").json()["estimated_seconds"]
    pt = blast(*args)
    assert pt.exit_code == 0, pt.stderr
    assert pt.stderr.splitlines()[0] == f"Promo: 3 mensagens, intervalo de 30,5-60s, cerca de {_duration(seconds, True)}"
    lines = pt.stdout.splitlines()
    assert lines[:4] == ["session\tmessages\troom today", "s1\t3\t1000", "puladas\t0\t", "linhas rejeitadas (too_short 1)\t1\t"]
    assert "--- linha 1 → +5511981000000 pela sessão s1" in lines
    assert lines[-1] == "simulação: nada foi guardado, nada foi enviado"
    language("C")
    en = blast(*args)
    assert en.stderr.splitlines()[0] == f"Promo: 3 messages, delay 30.5-60s, about {_duration(seconds, False)}"
    lines = en.stdout.splitlines()
    assert lines[:4] == ["session\tmessages\troom today", "s1\t3\t1000", "skipped\t0\t", "rejected rows (too_short 1)\t1\t"]
    assert "--- row 1 → +5511981000000 via s1" in lines and lines[-1] == "dry run: nothing stored, nothing sent"
    assert blast(*args, "--json").stdout == pt_json


def test_one_scheduled_message_is_singular(blast, sandbox, blast_home, tmp_path, language):
    configure(blast_home, {"s1": sandbox.url}, sending={"window": "09:00-18:00", "days": "mon-sun"})
    at, when = _in_ten_days("10:00")
    args = ("send", write_contacts(tmp_path / "um.csv", 1), "-m", "Oi", "--at", at, "--yes")
    language("pt_BR.UTF-8")
    assert blast(*args).stdout == f"campanha 1 agendada para {when:%d/%m/%Y} 10:00 -03: 1 mensagem, 0 puladas\n"
    language("C")
    assert blast(*args).stdout == f"campaign 2 scheduled for {when:%Y-%m-%d} 10:00 -03: 1 message, 0 skipped\n"


def test_scheduled_for_lines_in_portuguese_and_english(blast, sandbox, blast_home, tmp_path, language):
    configure(blast_home, {"s1": sandbox.url}, sending={"window": "09:00-18:00", "days": "mon-sun"})
    csv = write_contacts(tmp_path / "contatos.csv", 3)
    at, when = _in_ten_days("09:00")
    language("pt_BR.UTF-8")
    pt = blast("send", csv, "-m", "Oi {{nome}}", "--name", "Promo", "--at", at, "--yes")
    assert pt.exit_code == 0, pt.stderr
    assert pt.stdout == f"campanha 1 agendada para {when:%d/%m/%Y} 09:00 -03: 3 mensagens, 0 puladas\n"
    assert pt.stderr.splitlines()[0].endswith(f", começando {when:%d/%m/%Y} 09:00 -03")
    assert pt.stderr.splitlines()[-1] == "ela é enviada pelo `blast run-due` (cron) ou pelo `blast worker`; veja: blast campaign list"
    late, _ = _in_ten_days("22:00")
    opens = when + timedelta(days=1)
    pt = blast("send", csv, "-m", "Oi {{nome}}", "--name", "Tarde", "--at", late, "--yes")
    assert f"{when:%d/%m/%Y} 22:00 está fora da janela de envio: o envio começa em {opens:%d/%m/%Y} 09:00\n" in pt.stderr
    assert pt.stdout == f"campanha 2 agendada para {when:%d/%m/%Y} 22:00 -03: 3 mensagens, 0 puladas\n"
    language("C")
    en = blast("send", csv, "-m", "Oi {{nome}}", "--name", "Late", "--at", late, "--yes")
    assert f"{when:%Y-%m-%d} 22:00 is outside the sending window: sending starts {opens:%Y-%m-%d} 09:00\n" in en.stderr
    assert en.stdout == f"campaign 3 scheduled for {when:%Y-%m-%d} 22:00 -03: 3 messages, 0 skipped\n"
    assert en.stderr.splitlines()[-1] == "it is sent by `blast run-due` (cron) or `blast worker`; see: blast campaign list"


def test_scheduled_json_is_byte_identical_in_both_languages(sandbox, tmp_path):
    at, _ = _in_ten_days("22:00")
    out = {}
    for lang in ("pt", "C"):
        home = tmp_path / lang
        home.mkdir()
        configure(home, {"s1": sandbox.url}, sending={"window": "09:00-18:00", "days": "mon-sun"})
        csv = write_contacts(tmp_path / "contatos.csv", 3)
        result = run(home, "send", str(csv), "-m", "Oi {{nome}}", "--name", "Promo", "--at", at, "--yes", "--json",
                     env=PT if lang == "pt" else None)
        assert result.returncode == 0, result.stderr
        out[lang] = result.stdout
    assert out["pt"] == out["C"]


def test_test_only_lines_in_portuguese_and_english(blast, sandbox, blast_home, tmp_path, language):
    configure(blast_home, {"s1": sandbox.url})
    csv = write_contacts(tmp_path / "contatos.csv", 4)
    args = ("send", csv, "-m", "Oi {{nome}}", "--test-to", TEST_PHONE, "--test-only")
    language("pt_BR.UTF-8")
    pt = blast(*args)
    assert pt.exit_code == 0, pt.stderr
    assert pt.stdout == (f"\n--- teste → {TEST_PHONE} pela sessão s1 (linha 1)\nOi Pessoa 0\n"
                         "\nsó teste: 1 mensagem de teste enviada; a campanha não foi gravada nem iniciada\n")
    two = blast("send", csv, "-m", "Oi {{nome}}", "--test-to", f"{TEST_PHONE},+5521998887766", "--test-only")
    assert two.stdout.endswith("\nsó teste: 2 mensagens de teste enviadas; a campanha não foi gravada nem iniciada\n")
    language("C")
    en = blast(*args)
    assert en.stdout == (f"\n--- test → {TEST_PHONE} via s1 (row 1)\nOi Pessoa 0\n"
                         "\ntest only: 1 test message sent; the campaign was not stored nor started\n")


def _closed_window() -> tuple[str, datetime]:
    """A one-hour window starting two hours from now (São Paulo time): closed right now."""
    start = (datetime.now(SP) + timedelta(hours=2)).replace(second=0, microsecond=0)
    return f"{start:%H:%M}-{start + timedelta(hours=1):%H:%M}", start


@pytest.mark.parametrize("lang", ["pt_BR.UTF-8", "C"])
def test_foreground_run_outside_the_window_says_so_in_the_users_language(make_sandbox, tmp_path, lang):
    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    window, opens = _closed_window()
    configure(home, {"s1": sb.url}, sending={"window": window, "days": "mon-sun"})
    csv = write_contacts(tmp_path / "c.csv", 2)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BLAST_", "LC_", "LANG"))}
    proc = subprocess.Popen([sys.executable, "-m", "nexus_blast", "send", str(csv), "-m", "Oi", "--yes"],
                            env=env | {"BLAST_HOME": str(home), "LANG": lang},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        stderr = StreamLines(proc.stderr)
        language = lang.startswith("pt")
        line = stderr.wait_for("fora da janela de envio" if language else "outside the sending window")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    zone = f"{window} mon-sun (America/Sao_Paulo)"
    if language:
        assert line == (f"fora da janela de envio ({zone}): aguardando até {opens:%d/%m/%Y %H:%M}; Ctrl-C pausa. Para "
                        "enviar mais tarde sem um processo esperando, use --at (enviada pelo run-due/worker); "
                        "--ignore-window envia agora\n")
    else:
        assert line == (f"outside the sending window ({zone}): waiting until {opens:%Y-%m-%d %H:%M}; Ctrl-C pauses it. "
                        "To send later without a waiting process use --at (sent by run-due/worker); "
                        "--ignore-window sends now\n")
    assert sb.sent() == []
