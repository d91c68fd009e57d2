"""Contact lists and the opt-out list: every SQL statement about them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from nexus_blast.errors import NotFound
from nexus_blast.i18n import _
from nexus_blast.store.db import utcnow

BATCH = 1000
# json.dumps(fields, ensure_ascii=False) builds an encoder per call; one encoder, the same text.
_encode_fields = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(frozen=True)
class UpsertCount:
    inserted: int
    updated: int


# --- opt-outs ---------------------------------------------------------------------------------


def is_opted_out(db, e164: str) -> bool:
    return db.conn.execute("SELECT 1 FROM optouts WHERE phone = ?", (e164,)).fetchone() is not None


def optout_phones(db) -> set[str]:
    """Every opted-out E.164 (validation checks each row against this set)."""
    return {row[0] for row in db.conn.execute("SELECT phone FROM optouts")}


def add_optout(db, e164: str, reason: str = "") -> bool:
    """True when the number was not on the list yet (an existing entry keeps its reason and date)."""
    cursor = db.conn.execute(
        "INSERT INTO optouts (phone, reason, added_at) VALUES (?, ?, ?) ON CONFLICT (phone) DO NOTHING",
        (e164, reason, utcnow()),
    )
    return cursor.rowcount == 1


def add_optouts(db, phones: Iterable[str], reason: str = "") -> int:
    """Add several numbers in one transaction; returns how many were new."""
    with _transaction(db):
        return sum(add_optout(db, phone, reason) for phone in phones)


def remove_optout(db, e164: str) -> bool:
    return db.conn.execute("DELETE FROM optouts WHERE phone = ?", (e164,)).rowcount == 1


def list_optouts(db) -> list[dict]:
    """`[{"phone", "reason", "added_at"}]`, oldest first."""
    rows = db.conn.execute("SELECT phone, reason, added_at FROM optouts ORDER BY added_at, phone")
    return [{"phone": r[0], "reason": r[1], "added_at": r[2]} for r in rows]


# --- contact lists ----------------------------------------------------------------------------


def get_list(db, name: str) -> dict | None:
    """`{"name", "contacts", "mobiles", "landlines", "foreign", "created_at", "updated_at"}` or None."""
    row = db.conn.execute("SELECT id FROM contact_lists WHERE name = ?", (name,)).fetchone()
    if row is None:
        return None
    return _list_info(db, "WHERE l.id = ?", (row[0],))[0]


def list_lists(db) -> list[dict]:
    """Every contact list with its counts, by name."""
    return _list_info(db, "", ())


def _list_info(db, where: str, params: tuple) -> list[dict]:
    # The counts are columns kept by triggers on contacts (m005): no scan of the contacts.
    rows = db.conn.execute(
        f"""SELECT l.name, l.created_at, l.updated_at, l.n_contacts, l.n_mobile, l.n_landline, l.n_foreign
            FROM contact_lists l {where} ORDER BY l.name""",
        params,
    )
    return [
        {
            "name": r[0],
            "contacts": r[3],
            "mobiles": r[4] or 0,
            "landlines": r[5] or 0,
            "foreign": r[6] or 0,
            "created_at": r[1],
            "updated_at": r[2],
        }
        for r in rows
    ]


def upsert_contacts(db, list_name: str, rows: Iterable) -> UpsertCount:
    """Store `(e164, kind, fields)` rows (or objects with `.e164`, `.kind`, `.fields`, such as
    validation's `Checked`) in LIST_NAME (created if needed), replacing a contact with the same
    phone. One transaction: an error (or Ctrl-C) while `rows` is consumed changes nothing."""
    with _transaction(db):
        now = utcnow()
        db.conn.execute(
            """INSERT INTO contact_lists (name, created_at, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at""",
            (list_name, now, now),
        )
        list_id = db.conn.execute("SELECT id FROM contact_lists WHERE name = ?", (list_name,)).fetchone()[0]
        before = _count(db, list_id)
        total = 0
        iterator = (r if isinstance(r, tuple) else (r.e164, r.kind, r.fields) for r in rows)
        while batch := list(islice(iterator, BATCH)):
            db.conn.executemany(
                """INSERT INTO contacts (list_id, phone, kind, fields, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (list_id, phone) DO UPDATE SET
                     kind = excluded.kind, fields = excluded.fields, updated_at = excluded.updated_at""",
                [(list_id, e164, kind, _encode_fields(fields), now, now) for e164, kind, fields in batch],
            )
            total += len(batch)
        inserted = _count(db, list_id) - before
    return UpsertCount(inserted=inserted, updated=total - inserted)


def iter_list_contacts(db, list_name: str) -> Iterator[tuple[str, str, dict]]:
    """`(e164, kind, fields)` of LIST_NAME in insertion order, streamed; NotFound if no such list."""
    row = db.conn.execute("SELECT id FROM contact_lists WHERE name = ?", (list_name,)).fetchone()
    if row is None:
        raise NotFound(_("unknown contact list {name!r}").format(name=list_name), hint=_("see: blast contacts lists"))
    cursor = db.conn.execute("SELECT phone, kind, fields FROM contacts WHERE list_id = ? ORDER BY id", (row[0],))
    for phone, kind, fields in cursor:
        yield phone, kind, json.loads(fields)


def delete_list(db, list_name: str) -> int:
    """Delete a list and its contacts; returns how many contacts went. NotFound if no such list."""
    info = get_list(db, list_name)
    if info is None:
        raise NotFound(_("unknown contact list {name!r}").format(name=list_name), hint=_("see: blast contacts lists"))
    with _transaction(db):
        db.conn.execute("DELETE FROM contacts WHERE list_id = (SELECT id FROM contact_lists WHERE name = ?)", (list_name,))
        db.conn.execute("DELETE FROM contact_lists WHERE name = ?", (list_name,))
    return info["contacts"]


def _count(db, list_id: int) -> int:
    return db.conn.execute("SELECT n_contacts FROM contact_lists WHERE id = ?", (list_id,)).fetchone()[0]


class _transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception (KeyboardInterrupt included);
    a savepoint when the caller already holds a transaction."""

    def __init__(self, db) -> None:
        self.conn = db.conn
        self.nested = False

    def __enter__(self) -> None:
        self.nested = self.conn.in_transaction
        self.conn.execute("SAVEPOINT contacts" if self.nested else "BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.nested:
            if exc_type:
                self.conn.execute("ROLLBACK TO contacts")
            self.conn.execute("RELEASE contacts")
        else:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
