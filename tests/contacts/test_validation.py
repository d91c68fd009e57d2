"""Validation of rows: duplicates, opt-outs, landlines, the summary, the result files."""

from __future__ import annotations

import csv
import tracemalloc

import pytest

from nexus_blast.contacts.importer import check_file
from nexus_blast.contacts.reader import read_rows
from nexus_blast.contacts.validation import Summary, ValidationOptions, resolve_options, validate_rows
from nexus_blast.config import Contacts
from nexus_blast.domain.phones import normalize_phone
from nexus_blast.errors import InputError


class Rows(list):
    phone_column = "tel"


def test_first_occurrence_wins_and_opt_outs_are_rejected():
    source = Rows(
        [
            (1, {"tel": "(11) 98765-4321"}),
            (2, {"tel": "+55 11 98765 4321"}),
            (3, {"tel": "21 3456-7890"}),
            (4, {"tel": "21 99999-0000"}),
            (5, {"tel": "(11) 8765-4321"}),
            (6, {"tel": "abc"}),
        ]
    )
    summary = Summary()
    checked = list(validate_rows(source, options=ValidationOptions(), optouts={"+5521999990000"}, summary=summary))
    assert [c.reason for c in checked] == [None, "duplicate", None, "opted_out", "duplicate", "not_a_number"]
    assert checked[1].e164 == "+5511987654321" and checked[1].phone == "+55 11 98765 4321"
    assert checked[4].legacy_mobile
    doc = summary.as_dict()
    assert {k: doc[k] for k in ("total", "valid", "invalid", "duplicates")} == {"total": 6, "valid": 2, "invalid": 4, "duplicates": 2}
    assert doc["by_reason"]["opted_out"] == 1 and doc["by_reason"]["not_a_number"] == 1
    assert doc["landlines"] == 1 and doc["legacy_mobile"] == 0  # the legacy row was a duplicate


def test_optouts_may_be_a_callable():
    source = Rows([(1, {"tel": "11987654321"})])
    checked = list(validate_rows(source, options=ValidationOptions(), optouts=lambda p: p.endswith("4321")))
    assert checked[0].reason == "opted_out"


def test_landlines_are_valid_but_only_sendable_when_included():
    (landline,) = validate_rows(Rows([(1, {"tel": "11 2345-6789"})]), options=ValidationOptions())
    assert landline.valid and landline.kind == "landline"
    assert not ValidationOptions().sendable(landline)
    assert ValidationOptions(include_landlines=True).sendable(landline)


def test_resolve_options_from_settings_and_flags():
    assert resolve_options(Contacts(default_ddd="11"), default_ddd=None, allow_foreign=False, include_landlines=False).default_ddd == "11"
    options = resolve_options(Contacts(include_landlines=True), default_ddd="021", allow_foreign=True, include_landlines=False)
    assert options == ValidationOptions(default_ddd="21", allow_foreign=True, include_landlines=True)
    with pytest.raises(InputError, match="'20'"):
        resolve_options(Contacts(), default_ddd="20", allow_foreign=False, include_landlines=False)


def test_result_files_keep_every_column(tmp_path):
    from tests.conftest import DATA

    out, rej = tmp_path / "ok.csv", tmp_path / "rej.csv"
    report = check_file(read_rows(DATA / "contacts_cp1252_semicolon.csv"), options=ValidationOptions(), optouts=set(), output=out, rejects=rej)
    assert report.summary.as_dict()["legacy_mobile"] == 1
    with open(out, encoding="utf-8-sig", newline="") as handle:
        valid = list(csv.DictReader(handle, delimiter=";"))
    assert list(valid[0]) == ["nome", "cidade", "Telefone", "observação", "phone_e164", "phone_kind", "phone_source"]
    assert [(r["nome"], r["phone_e164"], r["phone_kind"]) for r in valid] == [
        ("João da Silva", "'+5511987654321", "mobile"),  # escaped as `campaign report` does
        ("Maria Conceição", "'+5548991234567", "mobile"),
        ("José Ângelo", "'+556133221100", "landline"),
        ("Antônia Araújo", "'+5581987654321", "mobile"),
    ]
    with open(rej, encoding="utf-8-sig", newline="") as handle:
        rejected = list(csv.DictReader(handle, delimiter=";"))
    assert [(r["nome"], r["row"], r["reason"]) for r in rejected] == [("Lúcia", "5", "invalid_ddd"), ("Fábio", "6", "duplicate")]
    assert list(rejected[0])[-2:] == ["row", "reason"]
    assert (out.stat().st_mode & 0o777) == 0o600  # personal data


def test_validation_memory_grows_only_with_the_duplicate_set(tmp_path):
    """80k rows (1,000 distinct numbers) through read → validate → --output/--rejects: the peak
    stays far below the file size, since only the set of distinct numbers is kept."""
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("nome;cidade;telefone;observação\n")
        for i in range(80_000):
            phone = f"(11) 9{6 + i % 4}{i % 1000:07d}" if i % 50 else "sem número"
            handle.write(f"Cliente {i};Campinas;{phone};{'cliente desde 2019, prefere contato à tarde' * 2}\n")
    size = path.stat().st_size
    normalize_phone("11987654321")  # phonenumbers loads its metadata once per process
    tracemalloc.start()
    try:
        report = check_file(read_rows(path), options=ValidationOptions(), optouts=set(), output=tmp_path / "o.csv", rejects=tmp_path / "r.csv")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.summary.total == 80_000 and report.summary.by_reason["not_a_number"] == 1600
    assert report.summary.valid == 980  # rows 0, 50, 100... are the invalid ones
    assert size > 8 * 1024 * 1024 and peak < 2 * 1024 * 1024


# --- the fast paths of the per-row work (bench/validate) keep every verdict and every byte -------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nexus_blast.contacts.writers import CsvLines, escape_row  # noqa: E402
from nexus_blast.domain.candidates import choose_phone  # noqa: E402
from nexus_blast.domain.cells import escape_cell  # noqa: E402

PHONE_TEXT = st.text(alphabet="0123456789 ()-+xX.;,/:\n9", max_size=22)


@settings(max_examples=400, deadline=None)
@given(cells=st.lists(PHONE_TEXT | st.sampled_from(["(11) 98765-4321", "+55 11 98765-4321", "11 8765-4321", "0xx21 2345-6789"]), min_size=1, max_size=12))
def test_single_column_fast_path_gives_what_choose_phone_gives(cells):
    """One phone column: validate_rows settles common cells without choose_phone; every row must
    come out exactly as choose_phone (and the duplicate/opt-out rules) would have it."""
    source = Rows([(i, {"tel": cell, "nome": "x"}) for i, cell in enumerate(cells, start=1)])
    summary = Summary()
    got = list(validate_rows(source, options=ValidationOptions(), optouts={"+5511987654321"}, summary=summary))
    seen: set[str] = set()
    for checked, cell in zip(got, cells):
        choice = choose_phone([("tel", cell)])
        reason, e164 = choice.result.reason, choice.result.e164
        if reason is None:
            reason = "opted_out" if e164 == "+5511987654321" else "duplicate" if e164 in seen else None
            seen.add(e164)
        assert (checked.phone, checked.e164, checked.kind, checked.legacy_mobile, checked.reason, checked.source) == (
            choice.raw, e164, choice.result.kind, choice.result.legacy_mobile, reason, choice.source), cell
    assert summary.total == len(cells) and summary.valid == sum(c.reason is None for c in got)
    assert sum(summary.by_reason.values()) == summary.invalid
    assert summary.landlines == sum(c.reason is None and c.kind == "landline" for c in got)
    assert summary.legacy_mobile == sum(c.reason is None and c.legacy_mobile for c in got)


def test_summary_counts_the_rows_handed_out_when_the_reading_stops_early():
    source = Rows([(i, {"tel": f"11 98765-{i:04d}"}) for i in range(1, 11)] + [(11, {"tel": "abc"})])
    summary = Summary()
    rows = validate_rows(source, options=ValidationOptions(), summary=summary)
    for _ in range(3):
        next(rows)
    rows.close()
    assert (summary.total, summary.valid) == (3, 3)


CELL = st.text(alphabet=st.sampled_from(list('ab ;,\t"\r\n\'=+-@é')), max_size=6)


@settings(max_examples=400, deadline=None)
@given(cells=st.lists(CELL, max_size=6), delimiter=st.sampled_from([",", ";", "\t"]), terminator=st.sampled_from(["\n", "\r\n"]))
def test_csv_lines_are_what_csv_writer_writes(cells, delimiter, terminator):
    import io

    expected = io.StringIO()
    csv.writer(expected, delimiter=delimiter, lineterminator=terminator).writerow(cells)
    assert CsvLines(delimiter, terminator).line(cells) == expected.getvalue()


@given(values=st.lists(CELL | st.integers() | st.none(), max_size=6))
def test_escape_row_is_escape_cell_on_every_cell(values):
    assert escape_row(list(values)) == [escape_cell(v) for v in values]
