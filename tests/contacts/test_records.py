"""Rows read as lists of cells (TableSource.records()): check_records and ResultFiles.passing/reject
must give exactly what validate_rows and ResultFiles.add give for the same rows (the dict path,
which vCards and recognised exports still take)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_blast.contacts.importer import check_file
from nexus_blast.contacts.reader import read_rows
from nexus_blast.contacts.validation import Checked, Summary, ValidationOptions, check_records, validate_rows
from nexus_blast.contacts import writers
from nexus_blast.contacts.writers import ResultFiles

PHONE = st.text(alphabet="0123456789 ()-+xX.;,/:\n9", max_size=22) | st.sampled_from(
    ["(11) 98765-4321", "+55 11 98765-4321", "11 8765-4321", "0xx21 2345-6789", "21 99999-0000", "", "5,51199E+12"]
)
OPTED_OUT = "+5521999990000"


def _both(rows, columns, phone_columns, optouts):
    """(validate_rows' Checked list and summary, check_records' rows rebuilt as Checked and summary)."""
    class Source(list):
        pass

    source = Source((row, dict(zip(columns, values))) for row, values in rows)
    source.phone_columns = phone_columns
    expected_summary, got_summary = Summary(), Summary()
    expected = list(validate_rows(source, options=ValidationOptions(), optouts=optouts, summary=expected_summary))
    got: list[Checked] = []

    def reject(row, values, raw, e164, kind, legacy, reason, column):
        got.append(Checked(row, dict(zip(columns, values)), raw, e164, kind, legacy, reason, column))

    for e164, kind, column, values in check_records(rows, columns, phone_columns, options=ValidationOptions(), optouts=optouts, summary=got_summary, reject=reject):
        row = next(r for r, v in rows if v is values)
        got.append(Checked(row, dict(zip(columns, values)), None, e164, kind, None, None, column))
    got.sort(key=lambda c: c.row)
    return expected, expected_summary, got, got_summary


@settings(max_examples=300, deadline=None)
@given(
    phones=st.lists(st.tuples(PHONE, PHONE), min_size=1, max_size=10),
    two_columns=st.booleans(),
    callable_optouts=st.booleans(),
)
def test_check_records_gives_what_validate_rows_gives(phones, two_columns, callable_optouts):
    columns = ["nome", "tel", "cel"]
    rows = [(i, [f"n{i}", a, b]) for i, (a, b) in enumerate(phones, start=1)]
    phone_columns = ["tel", "cel"] if two_columns else ["tel"]
    optouts = (lambda p: p == OPTED_OUT) if callable_optouts else {OPTED_OUT}
    expected, expected_summary, got, got_summary = _both(rows, columns, phone_columns, optouts)
    assert got_summary.as_dict() == expected_summary.as_dict()
    assert [c.row for c in got] == [c.row for c in expected]
    for mine, theirs in zip(got, expected):
        assert (mine.e164, mine.kind, mine.reason, mine.source, mine.fields) == (theirs.e164, theirs.kind, theirs.reason, theirs.source, theirs.fields)
        if mine.reason is not None:  # rejects carry the raw cell and legacy flag too
            assert (mine.phone, mine.legacy_mobile) == (theirs.phone, theirs.legacy_mobile)


CELL = st.text(alphabet=st.sampled_from(list('ab ;,\t"\r\n\'=+-@|é')), max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    bom=st.booleans(),
    extra=st.sampled_from([[], ["phone_e164"], ["reason", "row"]]),
    source=st.sampled_from(["tel", "=tel", 'te"l', "te;l", "te,l"]),
    batch=st.sampled_from([1, 2, 512]),
)
def test_passing_and_reject_write_what_add_writes(rows, delimiter, bom, extra, source, batch):
    """Batches of any size, some written row by row (a quote, a line break, a delimiter in a
    cell), others joined at once: the same bytes as add() row by row."""
    writers.LINES, default = batch, writers.LINES
    try:
        _compare_with_add(rows, delimiter, bom, extra, source)
    finally:
        writers.LINES = default


def _compare_with_add(rows, delimiter, bom, extra, source):
    columns = ["nome", "tel", "obs", *extra]
    rows = [cells + ["x"] * len(extra) for cells in rows]
    before = [cells[:] for cells in rows]
    with tempfile.TemporaryDirectory() as tmp:
        out = {}
        for way in ("add", "cells"):
            paths = Path(tmp) / f"{way}_o.csv", Path(tmp) / f"{way}_r.csv"
            with ResultFiles(columns, delimiter, bom, *paths) as files:
                valid_rows = []
                for number, cells in enumerate(rows, start=1):
                    valid = number % 3 != 0
                    if way == "add":
                        files.add(Checked(number, dict(zip(columns, cells)), cells[1], "+5511987654321" if valid else None,
                                          "mobile" if valid else None, False, None if valid else "duplicate", source))
                    elif valid:
                        valid_rows.append(("+5511987654321", "mobile", source, cells))
                    else:
                        files.reject(number, cells, "duplicate")
                if way == "cells":
                    assert list(files.passing(iter(valid_rows))) == valid_rows
            out[way] = [p.read_bytes() for p in paths]
        assert out["cells"] == out["add"]
        assert rows == before  # the cells handed on are not changed by the writing


TRICKY = (
    'nome;telefone;obs;phone_e164\n'
    '=SOMA(1);(11) 98765-4321;"a;b";x\n'
    '+ana;+55 21 98765-4321;"linha\nquebrada";y\n'
    '-bea;0xx31 2345-6789;@at;\n'
    'curta;11 98765-4321\n'
    'longa;(41) 8765-4321;obs;z;extra;mais\n'
    '"aspas ""x""";48 3232-1010;;\n'
    ';;;\n'
    'sem;abc;;\n'
    '\tTab;61 99876-5432;fim;w\n'
)


def _dict_path(path: Path, tmp: Path):
    """What check_file wrote before the cells path: validate_rows over the dict rows, add() per row."""
    source = read_rows(path)
    summary, rejected = Summary(), []
    with ResultFiles(source.columns, source.delimiter, source.excel, tmp / "old_o.csv", tmp / "old_r.csv") as files:
        for checked in validate_rows(iter(source), options=ValidationOptions(), optouts=set(), summary=summary, phone_columns=source.phone_columns):
            files.add(checked)
            if checked.reason is not None:
                rejected.append((checked.row, checked.phone, checked.reason, checked.fields))
    return summary, rejected


def test_check_file_writes_the_same_files_as_the_dict_path(tmp_path):
    for name, text, encoding in (("tricky.csv", TRICKY, "utf-8"), ("excel.csv", TRICKY.replace("\n", "\r\n"), "utf-8-sig"),
                                 ("tabs.tsv", TRICKY.replace(";", "\t").replace("\t\t", "\t \t"), "utf-8")):
        path = tmp_path / name
        path.write_text(text, encoding=encoding, newline="")
        summary, rejected = _dict_path(path, tmp_path)
        report = check_file(read_rows(path), options=ValidationOptions(), optouts=set(), output=tmp_path / "o.csv", rejects=tmp_path / "r.csv")
        assert report.summary.as_dict() == summary.as_dict(), name
        assert [(c.row, c.phone, c.reason, c.fields) for c in report.rejected] == rejected[:10], name
        assert (tmp_path / "o.csv").read_bytes() == (tmp_path / "old_o.csv").read_bytes(), name
        assert (tmp_path / "r.csv").read_bytes() == (tmp_path / "old_r.csv").read_bytes(), name
        assert report.summary.valid >= 5 and report.summary.invalid >= 1, name
