"""The questions a court asks of the registry, each answered with the entries that prove it.

Every answer names the log entries it rests on, so that the API can return
them with their proofs as an evidence bundle and a judge can check the
answer offline: the answer is only as good as those statements. Questions
that start from something other than an asset (a fingerprint, a certificate
number, what a party held at a time) find their assets through the log's
verifiable index (*lookup*, ``ledger.index.Lookup``), whose proofs the
bundle carries so that the verifier knows no asset was left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cunzheng.ledger.bodies import AssetPledge, AssetTransfer, LicenceGrant, OnLicence, body_as
from cunzheng.ledger.canonical import loads
from cunzheng.ledger.index import Lookup
from cunzheng.ledger.registry.state import Licence
from cunzheng.ledger.statements import Statement, parse_leaf
from cunzheng.ledger.store import ReadOnlyStore


@dataclass(frozen=True)
class Answer:
    """An answer and the indexes of the entries that prove it."""

    value: object
    indexes: tuple[int, ...] = field(default=())


def _events(store: ReadOnlyStore, asset_id: bytes) -> list[tuple[int, Statement, datetime]]:
    return [(i, *parse_leaf(leaf)) for i, leaf in store.asset_history(asset_id)]


def history(store: ReadOnlyStore, asset_id: bytes) -> Answer:
    """Return the asset as it stands, proved by every event of its history."""
    asset = store.asset(asset_id)
    return Answer(asset, tuple(i for i, _, _ in _events(store, asset_id)))


def holder_on(store: ReadOnlyStore, asset_id: bytes, moment: datetime) -> Answer:
    """Return the party that held the asset at *moment* (None before its application)."""
    store.asset(asset_id)
    holder: bytes | None = None
    proof: list[int] = []
    for index, statement, logged_at in _events(store, asset_id):
        if logged_at > moment:
            break
        if statement.type == "asset.apply":
            record = store.key_record(statement.signer)
            holder = record.party if record is not None else None
            proof = [index]
        elif statement.type == "asset.transfer":
            holder = body_as(statement.content, AssetTransfer).to
            proof.append(index)
    return Answer(holder, tuple(proof))


def licences_on(
    store: ReadOnlyStore, asset_id: bytes, party: bytes, purpose: str, moment: datetime
) -> Answer:
    """Return the licences under which *party* could use the asset for *purpose* at *moment*."""
    store.asset(asset_id)
    granted: dict[bytes, tuple[LicenceGrant, list[int]]] = {}
    accepted: set[bytes] = set()
    ended: set[bytes] = set()
    for index, statement, logged_at in _events(store, asset_id):
        if logged_at > moment:
            break
        if statement.type == "licence.grant":
            granted[statement.hash] = (body_as(statement.content, LicenceGrant), [index])
        elif statement.type in ("licence.accept", "licence.terminate"):
            licence_id = body_as(statement.content, OnLicence).licence
            if licence_id in granted:
                granted[licence_id][1].append(index)
                (accepted if statement.type == "licence.accept" else ended).add(licence_id)
    found: list[bytes] = []
    proof: list[int] = []
    for licence_id, (grant, indexes) in granted.items():
        in_scope = purpose in grant.scope or "*" in grant.scope
        in_term = grant.start <= moment < grant.end
        if grant.licensee == party and in_scope and in_term and licence_id in accepted - ended:
            found.append(licence_id)
            proof.extend(indexes)
    return Answer(found, tuple(sorted(proof)))


def portfolio(store: ReadOnlyStore, party: bytes) -> Answer:
    """Return the assets *party* holds, the licences it holds and the assets pledged to it.

    The answer rests on every event of every asset the party ever held, was
    licensed or had pledged to it (the index's ``holder:``, ``licensee:`` and
    ``pledgee:`` keys), which is what its bundle carries.
    """
    holds = store.objects_of_party(party, role="holder", kind="asset")
    licensed = store.objects_of_party(party, role="licensee", kind="licence")
    pledged = store.objects_of_party(party, role="pledgee", kind="asset")
    proof: set[int] = set()
    for obj in [*holds, *pledged]:
        proof.update(store.events_of_asset(obj.id))
    for obj in licensed:
        assert isinstance(obj, Licence)
        proof.update(store.events_of_asset(obj.asset))
    value = {"holds": holds, "licensed": licensed, "pledged": pledged}
    return Answer(value, tuple(sorted(proof)))


def portfolio_on(store: ReadOnlyStore, lookup: Lookup, party: bytes, moment: datetime) -> Answer:
    """Return the ids of the assets *party* held at *moment*, of its licences then in force and of the assets then pledged to it."""
    holds: list[bytes] = []
    licensed: list[bytes] = []
    pledged: list[bytes] = []
    proof: set[int] = set()
    for asset_id in _assets_of(lookup, party):
        events = _events(store, asset_id)
        proof.update(i for i, _, _ in events)
        holder, pledgee, licences = _state_on(store, events, moment)
        if holder == party:
            holds.append(asset_id)
        if pledgee == party:
            pledged.append(asset_id)
        licensed += [
            lid for lid, (licensee, live) in licences.items() if licensee == party and live
        ]
    value = {"holds": holds, "licensed": licensed, "pledged": pledged}
    return Answer(value, tuple(sorted(proof)))


def fingerprint(store: ReadOnlyStore, lookup: Lookup, digest: bytes) -> Answer:
    """Return the ids of the assets whose application or a new version bore fingerprint *digest*."""
    ids = _listed(lookup, f"fingerprint:{digest.hex()}", "assets")
    proof = sorted({i for asset_id in ids for i in store.events_of_asset(asset_id)})
    return Answer(ids, tuple(proof))


def certificate(store: ReadOnlyStore, lookup: Lookup, number: str) -> Answer:
    """Return the asset registered under certificate *number* as it stands (None if none was)."""
    ids = _listed(lookup, f"certificate:{number}", "asset")
    if not ids:
        return Answer(None)
    return history(store, ids[0])


def _assets_of(lookup: Lookup, party: bytes) -> list[bytes]:
    """Return every asset the party ever held, was licensed or had pledged to it, by the index."""
    ids: list[bytes] = []
    for role in ("holder", "licensee", "pledgee"):
        ids += _listed(lookup, f"{role}:{party.hex()}", "assets")
    return list(dict.fromkeys(ids))


def _listed(lookup: Lookup, key: str, member: str) -> list[bytes]:
    value = lookup(key)
    if value is None:
        return []
    listed = loads(value, what=f"the index document of {key}")[member]
    return [bytes.fromhex(v) for v in (listed if isinstance(listed, list) else [listed])]


def _state_on(
    store: ReadOnlyStore, events: list[tuple[int, Statement, datetime]], moment: datetime
) -> tuple[bytes | None, bytes | None, dict[bytes, tuple[bytes, bool]]]:
    """Return the holder, the pledgee and each licence's licensee and whether it was in force, at *moment*."""
    holder: bytes | None = None
    pledgee: bytes | None = None
    grants: dict[bytes, LicenceGrant] = {}
    accepted: set[bytes] = set()
    ended: set[bytes] = set()
    for _, statement, logged_at in events:
        if logged_at > moment:
            break
        kind = statement.type
        if kind == "asset.apply":
            record = store.key_record(statement.signer)
            holder = record.party if record is not None else None
        elif kind == "asset.transfer":
            holder = body_as(statement.content, AssetTransfer).to
        elif kind == "asset.pledge":
            pledgee = body_as(statement.content, AssetPledge).pledgee
        elif kind == "asset.release":
            pledgee = None
        elif kind == "licence.grant":
            grants[statement.hash] = body_as(statement.content, LicenceGrant)
        elif kind in ("licence.accept", "licence.terminate"):
            licence_id = body_as(statement.content, OnLicence).licence
            (accepted if kind == "licence.accept" else ended).add(licence_id)
    licences = {
        lid: (g.licensee, lid in accepted - ended and g.start <= moment < g.end)
        for lid, g in grants.items()
    }
    return holder, pledgee, licences
