"""pt-BR for `blast send` / `campaign resume` (issue #16): help, the missing --yes, the summary lines
of a completed and a paused campaign in Portuguese with LANG=pt_BR.UTF-8, English with LANG=C, and
`--json` byte-identical in both."""

from __future__ import annotations

from tests.campaigns.helpers import configure, write_contacts
from tests.cli.test_i18n import PT, run


def test_send_help_speaks_portuguese_and_english(blast_home):
    out = run(blast_home, "send", "--help", env=PT).stdout
    assert "Disparar uma campanha: uma mensagem personalizada por contato." in out
    assert "Mensagens mostradas pelo --dry-run.  [padrão:" in out
    assert "Não pedir confirmação." in out
    english = run(blast_home, "send", "--help").stdout
    assert "Messages shown by --dry-run." in english


def test_missing_yes_without_a_terminal_in_portuguese_and_english(blast, sandbox, blast_home, tmp_path, language):
    configure(blast_home, {"s1": sandbox.url})
    csv = write_contacts(tmp_path / "contatos.csv", 3)
    language("pt_BR.UTF-8")
    result = blast("send", csv, "-m", "Oi {{nome}}")
    assert result.exit_code == 2
    assert result.stderr == "blast: erro: disparar a campanha? — a entrada padrão não é um terminal; use --yes para confirmar\n"
    language("C")
    result = blast("send", csv, "-m", "Oi {{nome}}")
    assert result.exit_code == 2
    assert "send the campaign? — stdin is not a terminal; pass --yes to confirm" in result.stderr
    assert sandbox.sent() == []


def test_completed_campaign_summary_in_portuguese_and_json_identical(blast, make_sandbox, blast_home, tmp_path, language):
    sb = make_sandbox(sessions=("s1",))
    configure(blast_home, {"s1": sb.url})
    csv = write_contacts(tmp_path / "contatos.csv", 4)
    language("pt_BR.UTF-8")
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "campanha 1 concluída: 4 enviadas, 0 com falha, 0 puladas, 0 pendentes\n" in result.stdout
    pt_json = blast("campaign", "show", "1", "--json").stdout
    language("C")
    assert pt_json == blast("campaign", "show", "1", "--json").stdout


def test_paused_campaign_and_resume_speak_portuguese_json_unchanged(blast, make_sandbox, blast_home, tmp_path, language):
    sb = make_sandbox(sessions=("s1",))
    sb.faults(session="s1", not_working_after=1)
    configure(blast_home, {"s1": sb.url})
    csv = write_contacts(tmp_path / "contatos.csv", 5)
    language("pt_BR.UTF-8")
    result = blast("send", csv, "-m", "Oi {{nome}}", "--yes")
    assert result.exit_code == 3
    assert result.stdout.startswith("campanha 1 pausada: 1 enviadas, 0 com falha, 0 puladas, 4 pendentes\n")
    assert "campanha 1 pausada: " in result.stderr
    sb.clear_faults()
    sb.set_status("s1", "WORKING")
    again = blast("campaign", "resume", "1", "--yes")
    assert again.exit_code == 0, again.stderr
    assert "campanha 1 concluída: 5 enviadas, 0 com falha, 0 puladas, 0 pendentes\n" in again.stdout
    pt_json = blast("campaign", "show", "1", "--json").stdout
    language("C")
    assert pt_json == blast("campaign", "show", "1", "--json").stdout
