from __future__ import annotations

from nexus_blast.contacts import optouts
from nexus_blast.store import campaigns as store
from nexus_blast.store.db import open_database


def test_opting_out_skips_that_number_in_every_campaign(tmp_path):
    db = open_database(tmp_path / "b.db")
    phones = ["+5511981000001", "+5511981000002"]
    ids = [
        store.create_campaign(
            db, name=f"c{n}", template="oi", sessions=["a"], delay=(1, 2),
            messages=[store.NewMessage(seq=i + 1, row=i + 1, phone=p, text="oi", session="a") for i, p in enumerate(phones)],
        )
        for n in range(2)
    ]
    change = optouts.add(db, [phones[0]], "pediu")
    assert change.changed == 1
    for cid in ids:
        rows = {m.phone: (m.status, m.error) for m in store.messages_in(db, cid, "skipped")}
        assert rows == {phones[0]: ("skipped", "opted_out")}
        assert [m.phone for m in store.messages_in(db, cid, "pending")] == [phones[1]]
