"""Persistence of the registry's state: parties, their keys and the digest index.

``RegistryView`` answers the rules' questions inside a sequencer batch, from
the database as the batch's transaction sees it plus the effects of the
statements already accepted into the same batch, and writes those effects
when the batch ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from ledger.registry import Effects, KeyRecord, Party
from ledger.store.tables import digests, entries, parties, party_keys


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything the ledger stores is UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _key(row: Any) -> KeyRecord:
    return KeyRecord(
        bytes(row.key), bytes(row.party_id), row.idx, _utc(row.revoked_from), row.revoked_idx
    )


def _party(row: Any) -> Party:
    return Party(bytes(row.id), row.kind, row.name, row.registry_id, row.idx)


def load_key(conn: Connection, key: bytes) -> KeyRecord | None:
    """Return the stored record of *key*, if any."""
    row = conn.execute(select(party_keys).where(party_keys.c.key == key)).first()
    return None if row is None else _key(row)


def load_party(conn: Connection, party_id: bytes) -> Party | None:
    """Return the stored party *party_id*, if any."""
    row = conn.execute(select(parties).where(parties.c.id == party_id)).first()
    return None if row is None else _party(row)


def load_party_keys(conn: Connection, party_id: bytes) -> list[KeyRecord]:
    """Return every key the party *party_id* has had, oldest first."""
    rows = conn.execute(
        select(party_keys).where(party_keys.c.party_id == party_id).order_by(party_keys.c.idx)
    )
    return [_key(r) for r in rows]


def has_operator(conn: Connection) -> bool:
    """Return whether an operator party is registered."""
    return (
        conn.execute(select(parties.c.id).where(parties.c.kind == "operator").limit(1)).first()
        is not None
    )


def entries_for_digest(conn: Connection, digest: bytes) -> list[int]:
    """Return the indexes of the entries that reference *digest*, in log order."""
    rows = conn.execute(
        select(digests.c.idx).where(digests.c.digest == digest).order_by(digests.c.idx)
    )
    return [r.idx for r in rows]


class RegistryView:
    """The registry as seen by one batch: stored state plus this batch's accepted effects."""

    def __init__(self, conn: Connection, upsert: Any) -> None:
        self._conn = conn
        self._upsert = upsert
        self._keys: dict[bytes, KeyRecord | None] = {}
        self._parties: dict[bytes, Party | None] = {}
        self._operator: bool | None = None
        self._new_parties: list[Party] = []
        self._changed_keys: dict[bytes, KeyRecord] = {}
        self._digests: list[dict[str, Any]] = []

    def key(self, key: bytes) -> KeyRecord | None:
        """Return the record of *key*, if registered."""
        if key not in self._keys:
            self._keys[key] = load_key(self._conn, key)
        return self._keys[key]

    def party(self, party_id: bytes) -> Party | None:
        """Return the party *party_id*, if registered."""
        if party_id not in self._parties:
            self._parties[party_id] = load_party(self._conn, party_id)
        return self._parties[party_id]

    def has_operator(self) -> bool:
        """Return whether an operator party is registered."""
        if self._operator is None:
            self._operator = has_operator(self._conn)
        return self._operator

    def apply(self, effects: Effects, index: int) -> None:
        """Take the effects of the statement accepted at *index* into the view."""
        for party in effects.parties:
            self._parties[party.id] = party
            self._new_parties.append(party)
            if party.kind == "operator":
                self._operator = True
        for record in effects.keys:
            self._keys[record.key] = record
            self._changed_keys[record.key] = record
        self._digests.extend({"digest": d, "idx": index} for d in effects.digests)

    def save(self) -> None:
        """Write the effects taken into the view."""
        if self._new_parties:
            self._conn.execute(parties.insert(), [_party_row(p) for p in self._new_parties])
        if self._changed_keys:
            stmt = self._upsert(party_keys)
            stmt = stmt.on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "revoked_from": stmt.excluded.revoked_from,
                    "revoked_idx": stmt.excluded.revoked_idx,
                },
            )
            self._conn.execute(stmt, [_key_row(k) for k in self._changed_keys.values()])
        if self._digests:
            self._conn.execute(digests.insert(), self._digests)


def _party_row(p: Party) -> dict[str, Any]:
    return {
        "id": p.id,
        "kind": p.kind,
        "name": p.name,
        "registry_id": p.registry_id,
        "idx": p.index,
    }


def _key_row(k: KeyRecord) -> dict[str, Any]:
    return {
        "key": k.key,
        "party_id": k.party,
        "idx": k.index,
        "revoked_from": k.revoked_from,
        "revoked_idx": k.revoked_index,
    }


def leaves_at(conn: Connection, indexes: Sequence[int]) -> dict[int, bytes]:
    """Return the leaves at *indexes*."""
    if not indexes:
        return {}
    rows = conn.execute(
        select(entries.c.idx, entries.c.leaf).where(entries.c.idx.in_(list(indexes)))
    )
    return {r.idx: bytes(r.leaf) for r in rows}
