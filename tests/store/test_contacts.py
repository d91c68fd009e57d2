"""Contact lists and opt-outs in SQLite."""

from __future__ import annotations

import pytest

from nexus_blast.errors import NotFound
from nexus_blast.store import contacts as store
from nexus_blast.store.db import open_database


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "blast.db")
    yield database
    database.conn.close()


def test_optouts(db):
    assert store.add_optout(db, "+5511987654321", "pediu") is True
    assert store.add_optout(db, "+5511987654321", "de novo") is False
    assert store.is_opted_out(db, "+5511987654321")
    assert store.optout_phones(db) == {"+5511987654321"}
    (entry,) = store.list_optouts(db)
    assert entry["phone"] == "+5511987654321" and entry["reason"] == "pediu" and entry["added_at"].endswith("+00:00")
    assert store.add_optouts(db, ["+5511987654321", "+5521998765432"], "lote") == 1
    assert store.remove_optout(db, "+5511987654321") is True
    assert store.remove_optout(db, "+5511987654321") is False
    assert store.optout_phones(db) == {"+5521998765432"}


def test_upsert_keeps_insertion_order_and_replaces_fields(db):
    first = store.upsert_contacts(db, "clientes", [("+5511987654321", "mobile", {"nome": "Ana"}), ("+551123456789", "landline", {"nome": "Loja"})])
    assert (first.inserted, first.updated) == (2, 0)
    again = store.upsert_contacts(db, "clientes", [("+5521998765432", "mobile", {"nome": "Bia"}), ("+5511987654321", "mobile", {"nome": "Ana Souza"})])
    assert (again.inserted, again.updated) == (1, 1)
    assert list(store.iter_list_contacts(db, "clientes")) == [
        ("+5511987654321", "mobile", {"nome": "Ana Souza"}),
        ("+551123456789", "landline", {"nome": "Loja"}),
        ("+5521998765432", "mobile", {"nome": "Bia"}),
    ]
    info = store.get_list(db, "clientes")
    assert (info["contacts"], info["mobiles"], info["landlines"]) == (3, 2, 1)
    assert store.get_list(db, "nope") is None
    assert [x["name"] for x in store.list_lists(db)] == ["clientes"]


def test_upsert_is_atomic(db):
    store.upsert_contacts(db, "vip", [("+5511987654321", "mobile", {})])

    def rows():
        yield "+5521998765432", "mobile", {}
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.upsert_contacts(db, "vip", rows())
    with pytest.raises(KeyboardInterrupt):
        store.upsert_contacts(db, "novo", rows())
    assert [p for p, _, _ in store.iter_list_contacts(db, "vip")] == ["+5511987654321"]
    assert store.get_list(db, "novo") is None
    assert not db.conn.in_transaction


def test_upsert_inside_a_callers_transaction_uses_a_savepoint(db):
    db.conn.execute("BEGIN")
    store.upsert_contacts(db, "x", [("+5511987654321", "mobile", {})])
    db.conn.execute("ROLLBACK")
    assert store.get_list(db, "x") is None


def test_unknown_list_and_delete(db):
    with pytest.raises(NotFound):
        list(store.iter_list_contacts(db, "nope"))
    store.upsert_contacts(db, "tmp", [("+5511987654321", "mobile", {})])
    assert store.delete_list(db, "tmp") == 1
    assert store.get_list(db, "tmp") is None
    with pytest.raises(NotFound):
        store.delete_list(db, "tmp")


def test_upsert_accepts_checked_rows(db):
    from nexus_blast.contacts.validation import Checked

    row = Checked(1, {"nome": "Ana"}, "11987654321", "+5511987654321", "mobile", False, None)
    assert store.upsert_contacts(db, "c", [row]).inserted == 1
    assert list(store.iter_list_contacts(db, "c")) == [("+5511987654321", "mobile", {"nome": "Ana"})]
