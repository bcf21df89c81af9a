"""The registry's state as stored: parties, keys, registry objects and the indexes over the log.

These tables are a cache of the log (``ledger.rebuild`` replays them from
it). The functions take a connection, so that ``Store`` runs them on one of
its own and a batch's ``RegistryView`` inside its transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, delete, select

from cunzheng.ledger.bodies import LogSettings
from cunzheng.ledger.registry import KeyRecord, Party
from cunzheng.ledger.registry.policy import DEFAULT_POLICY, Policy
from cunzheng.ledger.registry.state import Asset, Object, from_doc, kind_of_object
from cunzheng.ledger.store import key_runs
from cunzheng.ledger.store.tables import (
    asset_events,
    digests,
    log_settings,
    object_parties,
    parties,
    party_keys,
    registry_objects,
)

# The tables that hold registry state, all rebuilt from the log.
STATE_TABLES = (
    parties,
    party_keys,
    digests,
    registry_objects,
    asset_events,
    object_parties,
    log_settings,
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
    return Party(
        bytes(row.id),
        row.kind,
        row.name,
        row.registry_id,
        row.idx,
        registry_id_type=row.registry_id_type,
        verified_by=None if row.verified_by is None else bytes(row.verified_by),
        verified_index=row.verified_idx,
    )


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


def verified_party_with_registry_id(conn: Connection, registry_id: str) -> Party | None:
    """Return the stored verified party whose registry id is *registry_id*, if any."""
    query = select(parties).where(
        parties.c.registry_id == registry_id, parties.c.verified_by.is_not(None)
    )
    row = conn.execute(query.limit(1)).first()
    return None if row is None else _party(row)


def asset_ids_with(
    conn: Connection, *, fingerprint: bytes | None = None, certificate: str | None = None
) -> list[bytes]:
    """Return the ids of stored assets whose current fingerprint or certificate number is the one given."""
    query = select(registry_objects.c.id).where(registry_objects.c.kind == "asset")
    if fingerprint is not None:
        query = query.where(registry_objects.c.fingerprint == fingerprint)
    if certificate is not None:
        query = query.where(registry_objects.c.certificate == certificate)
    return [bytes(r.id) for r in conn.execute(query)]


def load_settings(conn: Connection) -> Policy | None:
    """Return the settings of the latest log.settings entry, or None if the log has none."""
    query = select(log_settings.c.doc).order_by(log_settings.c.idx.desc()).limit(1)
    doc = conn.execute(query).scalar()
    return None if doc is None else policy_from_doc(orjson.loads(doc))


def settings_indexes(conn: Connection) -> list[int]:
    """Return the indexes of every log.settings entry, in log order."""
    query = select(log_settings.c.idx).order_by(log_settings.c.idx)
    return [int(i) for i in conn.execute(query).scalars()]


def load_policy(conn: Connection) -> Policy:
    """Return the settings in force: those of the latest log.settings entry, or the defaults."""
    return load_settings(conn) or DEFAULT_POLICY


def policy_from_doc(doc: dict[str, Any]) -> Policy:
    """Return the policy stored as *doc* (a ``log.settings`` body)."""
    return Policy.from_body(LogSettings.parse(doc))


def asset_row_columns(obj: Object) -> dict[str, Any]:
    """Return the indexed columns of *obj*'s row: an asset's fingerprint and certificate number."""
    if isinstance(obj, Asset):
        return {"fingerprint": obj.fingerprint, "certificate": obj.certificate}
    return {"fingerprint": None, "certificate": None}


def entries_for_digest(conn: Connection, digest: bytes) -> list[int]:
    """Return the indexes of the entries that reference *digest*, in log order."""
    return key_runs.find(conn, key_runs.DIGEST, [digest]).get(digest, [])


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


def snapshot(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Return the rows of every registry table, sorted, for comparing two states."""
    return {
        table.name: sorted(tuple(row) for row in conn.execute(select(table)))
        for table in STATE_TABLES
    }


def clear(conn: Connection) -> None:
    """Empty every registry table (the log's own tables stay)."""
    for table in STATE_TABLES:
        conn.execute(delete(table))
    key_runs.clear(conn, key_runs.DIGEST)
