"""Which entries a bundle needs besides those asked for: asset chains, party entries and the log's settings."""

from __future__ import annotations

from collections.abc import Iterable

from cunzheng.ledger.bodies import OnAsset, OnLicence, body_as
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.errors import NotFound
from cunzheng.ledger.statements import Statement, parse_leaf
from cunzheng.ledger.store import ReadOnlyStore
from cunzheng.schemas.bundles import ROLE_OF_FAMILY

Leaves = dict[int, tuple[Statement, str]]
# The roles of the entries a replay checks against the log's registry settings.
_REPLAYED = ("party", "registry")


def role(statement: Statement) -> str | None:
    """Return the role of *statement* in a bundle, or None if a bundle cannot hold it."""
    return ROLE_OF_FAMILY.get(statement.type.partition(".")[0])


def leaves(store: ReadOnlyStore, indexes: Iterable[int], size: int) -> Leaves:
    """Return the statement and ``logged_at`` of each entry at *indexes* below *size*."""
    wanted = sorted(i for i in set(indexes) if i < size)
    found = store.leaves_at(wanted) if wanted else {}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"there is no entry {missing[0]} in the log")
    return {i: _parse(found[i]) for i in wanted}


def _parse(leaf: bytes) -> tuple[Statement, str]:
    statement, logged_at = parse_leaf(leaf)
    return statement, format_time(logged_at)


def needs_settings(held: Leaves) -> bool:
    """Return whether *held* has entries whose replay depends on the log's registry settings."""
    return any(role(s) in _REPLAYED for s, _ in held.values())


def chain_entries(store: ReadOnlyStore, held: Leaves, size: int) -> Leaves:
    """Return the events of each registry entry's asset before it, back to the application."""
    last: dict[bytes, int] = {}
    for index, (statement, _) in held.items():
        if role(statement) == "registry":
            asset = _asset_of(store, statement)
            if asset is not None:
                last[asset] = max(last.get(asset, index), index)
    needed: set[int] = set()
    for asset, upto in last.items():
        needed |= {i for i in store.events_of_asset(asset) if i <= upto}
    return leaves(store, needed - held.keys(), size)


def _asset_of(store: ReadOnlyStore, statement: Statement) -> bytes | None:
    """Return the id of the asset a registry event belongs to."""
    content = statement.content
    if statement.type == "asset.apply":
        return statement.hash
    if isinstance(content, OnAsset):
        return content.asset
    grant = store.find_statements([body_as(content, OnLicence).licence])
    for row in grant.values():
        granted, _ = parse_leaf(row.leaf)
        return body_as(granted.content, OnAsset).asset
    return None


def party_entries(
    store: ReadOnlyStore, held: Leaves, size: int, todo: Iterable[Statement] | None = None
) -> Leaves:
    """Return the party entries that establish the keys of the signers and named parties of *todo* (default: all *held*), transitively, not in *held*."""
    found: Leaves = {}
    seen: set[bytes] = set()
    statements = [s for s, _ in held.values()] if todo is None else list(todo)
    while statements:
        parties = {p for s in statements for p in _parties_of(store, s)} - seen
        seen |= parties
        needed: set[int] = set()
        for party_id in parties:
            needed |= _history(store, party_id)
        new = leaves(store, needed - held.keys() - found.keys(), size)
        found |= new
        statements = [s for s, _ in new.values()]
    return found


def settings_entries(
    held: Leaves, store: ReadOnlyStore, indexes: Iterable[int], size: int
) -> Leaves:
    """Return the ``log.settings`` entries at *indexes* below *size* not in *held*, and the party entries of their signers."""
    found = leaves(store, set(indexes) - held.keys(), size)
    return found | party_entries(store, held | found, size, [s for s, _ in found.values()])


def _parties_of(store: ReadOnlyStore, statement: Statement) -> set[bytes]:
    """Return the parties *statement* relies on: its signers', the one it changes and those it names."""
    out = set()
    for key in statement.signers:
        record = store.key_record(key)
        if record is not None:
            out.add(record.party)
    # The party whose keys change, and those a registry event names (registrar, new holder,
    # licensee, pledgee).
    out.update(statement.content.named_parties)
    return out


def _history(store: ReadOnlyStore, party_id: bytes) -> set[int]:
    """Return the entries that registered *party_id*, vouched for it, introduced each of its keys and revoked them."""
    party = store.party(party_id)
    out = set() if party is None else {party.index}
    if party is not None and party.verified_index is not None:
        # The party.attest of an exchange or the operator (or the registration itself).
        out.add(party.verified_index)
    for record in store.party_keys(party_id):
        out.add(record.index)
        if record.revoked_index is not None:
            out.add(record.revoked_index)
    return out
