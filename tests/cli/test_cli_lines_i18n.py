"""pt-BR for lines of the other cli/ modules (issue #16): the level of a run-due/worker line, the
pairing screen's caption (chosen when shown, not when the module is imported) and its --png error,
and `blast notify --help`; English unchanged."""

from __future__ import annotations

import io

import pytest

from tests.cli.test_i18n import PT, run


def test_a_warning_line_of_run_due_says_its_level_in_the_users_language(language):
    from nexus_blast.campaigns.runlog import LogRecord
    from nexus_blast.cli.logs import LineLog
    from nexus_blast.i18n import _

    for lang, expected in (("pt_BR.UTF-8", "campanha 4: aviso: campanha 4"), ("C", "campaign 4: warning: campaign 4")):
        language(lang)
        out = io.StringIO()
        log = LineLog("America/Sao_Paulo", stream=out)
        log(LogRecord("campaign.paused", _("campaign {id}").format(id=4), 4, "warning"))
        log(LogRecord("campaign.started", "ok", 4))
        first, second = out.getvalue().splitlines()
        assert first.split(" ", 1)[1] == expected
        assert second.split(" ", 1)[1] == ("campanha 4: ok" if lang != "C" else "campaign 4: ok")
    json_out = io.StringIO()
    LineLog("America/Sao_Paulo", as_json=True, stream=json_out)(LogRecord("campaign.paused", "x", 4, "warning"))
    assert '"level": "warning"' in json_out.getvalue()


def test_the_pairing_caption_is_translated_when_shown_not_when_imported(language, capsys, tmp_path):
    from nexus_blast.errors import InputError

    language("C")
    from nexus_blast.cli.qrscreen import QRScreen  # imported while English is spoken

    language("pt_BR.UTF-8")
    screen = QRScreen(io.StringIO())
    screen.show("2@abc,def,ghi", 1)
    screen.status("WORKING")
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "WhatsApp › Configurações › Aparelhos conectados › Conectar um aparelho: leia este QR (#1)",
        "não lê? --invert, ou --code 55… (vincular pelo número de telefone), ou --png FILE",
        "status: WORKING",
    ]
    with pytest.raises(InputError) as refused:
        QRScreen(io.StringIO(), png=tmp_path).show("2@abc,def,ghi", 1)  # a directory: cannot be written
    assert str(refused.value) == f"--png {tmp_path}: não foi possível gravar (é uma pasta)"
    language("C")
    QRScreen(io.StringIO()).show("2@abc,def,ghi", 2)
    assert capsys.readouterr().err.splitlines()[0] == "WhatsApp › Settings › Linked devices › Link a device: scan this QR (refreshed, #2)"
    with pytest.raises(InputError) as refused:
        QRScreen(io.StringIO(), png=tmp_path).show("2@abc,def,ghi", 1)
    assert str(refused.value) == f"--png {tmp_path}: cannot write (Is a directory)"


def test_notify_help_speaks_portuguese(blast_home):
    out = run(blast_home, "notify", "--help", env=PT).stdout
    assert "Notificações ao operador: WhatsApp ou um POST assinado." in out
    assert "Para campanhas agendadas (run-due/worker): pausada, com falha, concluída," in out
    assert "For scheduled campaigns (run-due/worker)" in run(blast_home, "notify", "--help").stdout
