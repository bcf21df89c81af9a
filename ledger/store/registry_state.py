"""Persistence of the registry's state: parties, keys, registry objects and indexes.

``BatchRegistry`` answers the rules' questions inside a sequencer batch, from
the database as the batch's transaction sees it plus the effects of the
statements already accepted into the same batch, and writes those effects
when the batch ends. The module-level readers serve the API's questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, delete, select

from cunzheng.ledger.registry import Effects, KeyRecord, Party
from cunzheng.ledger.registry.state import (
    Asset,
    Licence,
    Object,
    Objection,
    from_doc,
    kind_of_object,
    to_doc,
)
from cunzheng.ledger.store.tables import (
    asset_events,
    digests,
    entries,
    object_parties,
    parties,
    party_keys,
    registry_objects,
)


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
    query = select(parties.c.id).where(parties.c.kind == "operator").limit(1)
    return conn.execute(query).first() is not None


def entries_for_digest(conn: Connection, digest: bytes) -> list[int]:
    """Return the indexes of the entries that reference *digest*, in log order."""
    query = select(digests.c.idx).where(digests.c.digest == digest).order_by(digests.c.idx)
    return [r.idx for r in conn.execute(query)]


def events_of_asset(conn: Connection, asset_id: bytes) -> list[int]:
    """Return the indexes of the entries that are events of asset *asset_id*, in log order."""
    query = (
        select(asset_events.c.idx)
        .where(asset_events.c.asset == asset_id)
        .order_by(asset_events.c.idx)
    )
    return [r.idx for r in conn.execute(query)]


def load_object(conn: Connection, kind: str, object_id: bytes) -> Object | None:
    """Return the stored registry object of *kind* with *object_id*, if any."""
    query = select(registry_objects.c.doc).where(
        registry_objects.c.kind == kind, registry_objects.c.id == object_id
    )
    doc = conn.execute(query).scalar()
    return None if doc is None else from_doc(kind, orjson.loads(doc))


def objects_of_asset(conn: Connection, kind: str, asset_id: bytes) -> list[Object]:
    """Return the stored objects of *kind* that belong to asset *asset_id*."""
    query = select(registry_objects.c.doc).where(
        registry_objects.c.kind == kind, registry_objects.c.asset == asset_id
    )
    return [from_doc(kind, orjson.loads(doc)) for doc in conn.execute(query).scalars()]


def objects_of_party(conn: Connection, party_id: bytes, role: str, kind: str) -> list[Object]:
    """Return the objects of *kind* in which party *party_id* currently has *role*."""
    query = (
        select(registry_objects.c.doc)
        .join(
            object_parties,
            (object_parties.c.kind == registry_objects.c.kind)
            & (object_parties.c.id == registry_objects.c.id),
        )
        .where(
            object_parties.c.party == party_id,
            object_parties.c.role == role,
            object_parties.c.kind == kind,
        )
    )
    return [from_doc(kind, orjson.loads(doc)) for doc in conn.execute(query).scalars()]


def all_objects(conn: Connection) -> dict[tuple[str, bytes], Object]:
    """Return every stored registry object by (kind, id)."""
    rows = conn.execute(select(registry_objects.c.kind, registry_objects.c.doc))
    objs = [from_doc(r.kind, orjson.loads(r.doc)) for r in rows]
    return {(kind_of_object(o), o.id): o for o in objs}


class BatchRegistry:
    """The registry as seen by one batch: stored state plus this batch's accepted effects."""

    def __init__(self, conn: Connection, upsert: Any) -> None:
        self._conn = conn
        self._upsert = upsert
        self._keys: dict[bytes, KeyRecord | None] = {}
        self._parties: dict[bytes, Party | None] = {}
        self._objects: dict[tuple[str, bytes], Object | None] = {}
        self._by_asset: dict[tuple[str, bytes], dict[bytes, Object]] = {}
        self._operator: bool | None = None
        self._new_parties: list[Party] = []
        self._changed_keys: dict[bytes, KeyRecord] = {}
        self._changed: dict[tuple[str, bytes], Object] = {}
        self._digests: list[dict[str, Any]] = []
        self._events: list[dict[str, Any]] = []

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

    def asset(self, asset_id: bytes) -> Asset | None:
        """Return the asset *asset_id*, if applied for."""
        obj = self._object("asset", asset_id)
        return obj if isinstance(obj, Asset) else None

    def licence(self, licence_id: bytes) -> Licence | None:
        """Return the licence *licence_id*, if granted."""
        obj = self._object("licence", licence_id)
        return obj if isinstance(obj, Licence) else None

    def objection(self, objection_id: bytes) -> Objection | None:
        """Return the objection *objection_id*, if filed."""
        obj = self._object("objection", objection_id)
        return obj if isinstance(obj, Objection) else None

    def licences_of(self, asset_id: bytes) -> list[Licence]:
        """Return every licence granted on asset *asset_id*."""
        return [o for o in self._of_asset("licence", asset_id) if isinstance(o, Licence)]

    def objections_of(self, asset_id: bytes) -> list[Objection]:
        """Return every objection against asset *asset_id*."""
        return [o for o in self._of_asset("objection", asset_id) if isinstance(o, Objection)]

    def _object(self, kind: str, object_id: bytes) -> Object | None:
        if (kind, object_id) not in self._objects:
            self._objects[(kind, object_id)] = load_object(self._conn, kind, object_id)
        return self._objects[(kind, object_id)]

    def _of_asset(self, kind: str, asset_id: bytes) -> list[Object]:
        if (kind, asset_id) not in self._by_asset:
            stored = objects_of_asset(self._conn, kind, asset_id)
            self._by_asset[(kind, asset_id)] = {o.id: o for o in stored}
        return sorted(self._by_asset[(kind, asset_id)].values(), key=lambda o: o.index)

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
        for obj in effects.objects:
            kind = kind_of_object(obj)
            self._objects[(kind, obj.id)] = obj
            self._changed[(kind, obj.id)] = obj
            asset_id = obj.id if isinstance(obj, Asset) else obj.asset
            self._of_asset(kind, asset_id)
            self._by_asset[(kind, asset_id)][obj.id] = obj
        self._digests.extend({"digest": d, "idx": index} for d in effects.digests)
        self._events.extend({"asset": a, "idx": index} for a in effects.assets)

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
        if self._changed:
            self._save_objects(list(self._changed.values()))
        if self._digests:
            mark = "?" if self._conn.dialect.paramstyle == "qmark" else "%s"
            sql = f"INSERT INTO digests (digest, idx) VALUES ({mark}, {mark})"
            self._conn.exec_driver_sql(sql, [(d["digest"], d["idx"]) for d in self._digests])
        if self._events:
            self._conn.execute(asset_events.insert(), self._events)

    def _save_objects(self, objs: list[Object]) -> None:
        stmt = self._upsert(registry_objects)
        stmt = stmt.on_conflict_do_update(
            index_elements=["kind", "id"], set_={"doc": stmt.excluded.doc}
        )
        rows = [
            {
                "kind": kind_of_object(o),
                "id": o.id,
                "asset": o.id if isinstance(o, Asset) else o.asset,
                "doc": orjson.dumps(to_doc(o)).decode(),
            }
            for o in objs
        ]
        self._conn.execute(stmt, rows)
        for o in objs:
            kind = kind_of_object(o)
            self._conn.execute(
                delete(object_parties).where(
                    object_parties.c.kind == kind, object_parties.c.id == o.id
                )
            )
            roles = _roles(o)
            if roles:
                self._conn.execute(
                    object_parties.insert(),
                    [{"party": p, "role": r, "kind": kind, "id": o.id} for r, p in roles],
                )


def _roles(o: Object) -> list[tuple[str, bytes]]:
    if isinstance(o, Asset):
        return [("holder", o.holder)] + ([("pledgee", o.pledgee)] if o.pledgee else [])
    if isinstance(o, Licence):
        return [("licensor", o.licensor), ("licensee", o.licensee)]
    return [("filer", o.filer)]


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
    query = select(entries.c.idx, entries.c.leaf).where(entries.c.idx.in_(list(indexes)))
    return {r.idx: bytes(r.leaf) for r in conn.execute(query)}
