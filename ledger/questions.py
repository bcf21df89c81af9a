"""The questions a court asks of the registry, each answered with the entries that prove it.

Every answer names the log entries it rests on, so that the API can return
them with their proofs as an evidence bundle and a judge can check the
answer offline: the answer is only as good as those statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cunzheng.ledger.bodies import AssetTransfer, LicenceGrant, OnLicence, body_as
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
    """Return the assets *party* holds, the licences it holds and the assets pledged to it."""
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
