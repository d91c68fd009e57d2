"""Output that fits: tab-separated rows when piped, tables that fit the terminal when not."""

from __future__ import annotations

import pytest

from tests.campaigns.helpers import configure

BOX = set("─│┌┐└┘├┤┬┴┼━┃┏┓┗┛┡┩╇╭╮╯╰═║╔╗╚╝╠╣╦╩╬")
NOTE = "cliente pediu retorno depois das 18h, falar com a Dona Maria sobre o orçamento da clínica"


@pytest.fixture
def imported(blast, tmp_path):
    contacts = tmp_path / "c.csv"
    contacts.write_text(f"nome;telefone;obs\nJosé;11987654321;{NOTE}\nAna;21998765432;ok\n", encoding="utf-8")
    assert blast("import", contacts, "--list", "clinica").exit_code == 0


def test_listing_commands_piped_print_tab_separated_rows_with_a_header(blast, blast_home, sandbox, imported):
    configure(blast_home, {"s1": sandbox.url})
    assert blast("optout", "add", "11 91234-5678").exit_code == 0
    for args, header in [
        (("contacts", "lists"), ["name", "contacts", "mobiles", "landlines", "foreign", "updated"]),
        (("contacts", "show", "clinica"), ["phone", "kind", "nome", "telefone", "obs"]),
        (("optout", "list"), ["phone", "reason", "added_at"]),
        (("session", "list"), ["name", "status", "phone", "sent today", "server", "note", "cap today"]),
        (("campaign", "list"), None),
    ]:
        result = blast(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert not BOX & set(result.stdout), (args, result.stdout)
        lines = result.stdout.splitlines()
        if header:
            assert lines[0].split("\t") == header, args
            assert all(len(line.split("\t")) == len(header) for line in lines), args
    rows = blast("contacts", "show", "clinica").stdout.splitlines()[1:]
    assert rows[0].split("\t") == ["+5511987654321", "mobile", "José", "11987654321", NOTE]


def test_on_an_80_column_terminal_long_cells_are_cut_and_phones_never(blast, imported, monkeypatch):
    monkeypatch.setattr("nexus_blast.cli.output._is_terminal", lambda stream: True)
    monkeypatch.setenv("COLUMNS", "80")
    result = blast("contacts", "show", "clinica")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any("+5511987654321" in line for line in lines) and any("+5521998765432" in line for line in lines)
    assert any("…" in line for line in lines)  # the note was cut, on one line
    assert sum("+55" in line for line in lines) == 2  # one line per contact: nothing wrapped
