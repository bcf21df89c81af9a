"""The registry as one batch sees it, and the writing of the batch's effects.

``BatchRegistry`` answers the rules' questions inside a sequencer batch (or a
rebuild), from the database as the batch's transaction sees it plus the
effects of the statements already accepted into the same batch, and writes
those effects when the batch ends.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, delete

from cunzheng.ledger.registry import Effects, KeyRecord, Party, Policy
from cunzheng.ledger.registry.state import (
    Asset,
    Licence,
    Object,
    Objection,
    kind_of_object,
    to_doc,
)
from cunzheng.ledger.store.bulk import insert_rows
from cunzheng.ledger.store.registry_state import (
    asset_ids_with,
    asset_row_columns,
    has_operator,
    load_key,
    load_object,
    load_party,
    load_policy,
    objects_of_asset,
    verified_party_with_registry_id,
)
from cunzheng.ledger.store.tables import (
    asset_events,
    log_settings,
    object_parties,
    parties,
    party_keys,
    registry_objects,
)


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
        self._policy: Policy | None = None
        self._new_settings: list[dict[str, Any]] = []
        self._changed_parties: dict[bytes, Party] = {}
        self._changed_keys: dict[bytes, KeyRecord] = {}
        self._changed: dict[tuple[str, bytes], Object] = {}
        # Assets this batch changed, by the fingerprint and certificate they took in it.
        self._batch_fingerprints: dict[bytes, dict[bytes, None]] = {}
        self._batch_certificates: dict[str, dict[bytes, None]] = {}
        self._digests: list[tuple[bytes, int]] = []
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

    def verified_party_with_registry_id(self, registry_id: str) -> Party | None:
        """Return the verified party whose registry id is *registry_id*, if any."""
        for party in self._changed_parties.values():
            if party.verified and party.registry_id == registry_id:
                return party
        stored = verified_party_with_registry_id(self._conn, registry_id)
        # A party this batch changed is judged by its new version, found above.
        return None if stored is None or stored.id in self._changed_parties else stored

    def policy(self) -> Policy:
        """Return the settings in force: the latest ``log.settings``, or the defaults before any."""
        if self._policy is None:
            self._policy = load_policy(self._conn)
        return self._policy

    def assets_with_fingerprint(self, fingerprint: bytes) -> list[Asset]:
        """Return the assets whose current fingerprint is *fingerprint*."""
        ids = asset_ids_with(self._conn, fingerprint=fingerprint)
        batch = self._batch_fingerprints.get(fingerprint, {})
        return self._current_assets(ids, batch, lambda a: a.fingerprint == fingerprint)

    def asset_with_certificate(self, certificate: str) -> Asset | None:
        """Return the asset registered under certificate number *certificate*, if any."""
        ids = asset_ids_with(self._conn, certificate=certificate)
        batch = self._batch_certificates.get(certificate, {})
        found = self._current_assets(ids, batch, lambda a: a.certificate == certificate)
        return found[0] if found else None

    def _current_assets(
        self, stored: list[bytes], batch: dict[bytes, None], test: Any
    ) -> list[Asset]:
        # Stored rows as this batch has changed them, and the assets this batch gave the value
        # (looked up, not scanned: a batch may change thousands of assets).
        assets = (self.asset(i) for i in dict.fromkeys([*stored, *batch]))
        return [a for a in assets if a is not None and test(a)]

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
            self._changed_parties[party.id] = party
            if party.kind == "operator":
                self._operator = True
        if effects.settings is not None:
            self._policy = effects.settings
            self._new_settings.append({"idx": index, "doc": _json(effects.settings.body())})
        for record in effects.keys:
            self._keys[record.key] = record
            self._changed_keys[record.key] = record
        for obj in effects.objects:
            kind = kind_of_object(obj)
            self._objects[(kind, obj.id)] = obj
            self._changed[(kind, obj.id)] = obj
            if isinstance(obj, Asset):
                self._batch_fingerprints.setdefault(obj.fingerprint, {})[obj.id] = None
                if obj.certificate is not None:
                    self._batch_certificates.setdefault(obj.certificate, {})[obj.id] = None
            asset_id = obj.id if isinstance(obj, Asset) else obj.asset
            self._of_asset(kind, asset_id)
            self._by_asset[(kind, asset_id)][obj.id] = obj
        if effects.digests:
            self._digests.extend((d, index) for d in effects.digests)
        if effects.assets:
            self._events.extend({"asset": a, "idx": index} for a in effects.assets)

    def save(self) -> None:
        """Write the effects taken into the view."""
        if self._changed_parties:
            stmt = self._upsert(parties)
            stmt = stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={
                    "registry_id_type": stmt.excluded.registry_id_type,
                    "verified_by": stmt.excluded.verified_by,
                    "verified_idx": stmt.excluded.verified_idx,
                },
            )
            self._conn.execute(stmt, [_party_row(p) for p in self._changed_parties.values()])
        if self._new_settings:
            self._conn.execute(log_settings.insert(), self._new_settings)
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
        insert_rows(self._conn, "digests", (("digest", "bytea"), ("idx", "bigint")), self._digests)
        if self._events:
            self._conn.execute(asset_events.insert(), self._events)

    def _save_objects(self, objs: list[Object]) -> None:
        stmt = self._upsert(registry_objects)
        stmt = stmt.on_conflict_do_update(
            index_elements=["kind", "id"],
            set_={
                "doc": stmt.excluded.doc,
                "fingerprint": stmt.excluded.fingerprint,
                "certificate": stmt.excluded.certificate,
            },
        )
        rows = [
            {
                "kind": kind_of_object(o),
                "id": o.id,
                "asset": o.id if isinstance(o, Asset) else o.asset,
                "doc": _json(to_doc(o)),
                **asset_row_columns(o),
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
        "registry_id_type": p.registry_id_type,
        "verified_by": p.verified_by,
        "verified_idx": p.verified_index,
    }


def _json(doc: dict[str, Any]) -> str:
    return orjson.dumps(doc).decode()


def _key_row(k: KeyRecord) -> dict[str, Any]:
    return {
        "key": k.key,
        "party_id": k.party,
        "idx": k.index,
        "revoked_from": k.revoked_from,
        "revoked_idx": k.revoked_index,
    }
