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
