"""Assembling evidence bundles from the log (``schemas.bundles``), for ``POST /v1/bundles``.

``build_bundle`` takes the log's latest checkpoint as the bundle checkpoint
and proves every entry against it: the evidence entries asked for (by index,
by leaf hash or by receipt) and the party entries that establish each
signer's key. For every party whose key signed a bundled entry it adds the
party's registration, every rotation that introduced one of its keys and
every revocation in force, then does the same for the keys that signed those
party entries, until nothing new is needed; so the verifier can replay them
through the log's rules with nothing else. Each receipt's checkpoint becomes
an earlier checkpoint with a consistency proof. The bundle reveals nothing
the public log does not already hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from hmac import compare_digest

from ledger import merkle
from ledger.clock import format_time
from ledger.errors import Conflict, MalformedInput, NotFound
from ledger.log import Log
from ledger.note import Checkpoint, open_checkpoint
from ledger.receipts import receipt_leaf
from ledger.statements import Statement, parse_leaf
from ledger.store import Store
from schemas.bundles import (
    MAX_REQUESTED,
    Bundle,
    BundleEntry,
    BundleLog,
    BundleRequest,
    EarlierCheckpoint,
)
from schemas.receipts import Receipt

# The statement types a bundle holds, by role.
ROLES = {"evidence.": "evidence", "party.": "party"}


def build_bundle(log: Log, request: BundleRequest) -> Bundle:
    """Return the bundle of the entries *request* names, proved against the log's latest checkpoint."""
    wanted = len(request.indexes) + len(request.leaf_hashes) + len(request.receipts)
    if not wanted:
        raise MalformedInput("name at least one entry: give indexes, leaf_hashes or receipts")
    if wanted > MAX_REQUESTED:
        raise MalformedInput(f"a bundle covers at most {MAX_REQUESTED} entries, not {wanted}")
    note = log.checkpoint()
    checkpoint, _ = open_checkpoint(note, log.signer.verifier())
    size = checkpoint.size
    indexes = {_check_index(log.store, i, size) for i in request.indexes}
    indexes |= {_index_of_leaf(log.store, h, size) for h in request.leaf_hashes}
    earlier: dict[int, str] = {}
    for n, receipt in enumerate(request.receipts):
        indexes.add(_index_of_receipt(log, receipt, n, size))
        if receipt.tree_size != size:
            earlier[receipt.tree_size] = receipt.checkpoint
    leaves = _leaves(log.store, indexes, size)
    for index, (statement, _) in leaves.items():
        if _role(statement) is None:
            raise MalformedInput(
                f"entry {index} is a {statement.type} statement; a bundle covers evidence.* "
                "and party.* entries"
            )
    leaves |= _party_entries(log.store, leaves, size)
    return Bundle(
        log=BundleLog(origin=log.origin, verifier_key=log.signer.verifier().to_string()),
        checkpoint=note,
        entries=[_entry(log, i, *leaves[i], size) for i in sorted(leaves)],
        earlier_checkpoints=[
            EarlierCheckpoint(
                checkpoint=earlier[s], consistency_proof=log.consistency_proof(s, size)
            )
            for s in sorted(earlier)
        ],
    )


def _entry(log: Log, index: int, statement: Statement, logged_at: str, size: int) -> BundleEntry:
    role = _role(statement)
    assert role is not None
    return BundleEntry(
        role=role,
        index=index,
        logged_at=logged_at,
        statement=statement.to_json(),
        inclusion_proof=log.inclusion_proof(index, size),
    )


def _role(statement: Statement) -> str | None:
    return next((r for prefix, r in ROLES.items() if statement.type.startswith(prefix)), None)


def _check_index(store: Store, index: int, size: int) -> int:
    if index >= size or store.entry(index) is None:
        raise NotFound(f"there is no entry {index} in the log's checkpoint of {size} entries")
    return index


def _index_of_leaf(store: Store, leaf_hash: bytes, size: int) -> int:
    row = store.entry_by_leaf_hash(leaf_hash)
    if row is None or row.index >= size:
        raise NotFound(
            f"no entry in the log's checkpoint of {size} entries has leaf hash {leaf_hash.hex()}"
        )
    return row.index


def _index_of_receipt(log: Log, receipt: Receipt, n: int, size: int) -> int:
    """Return the index of the receipt's entry after checking the receipt names this log's entry and checkpoint."""
    what = f"receipt {n}"
    row = log.store.entry_by_leaf_hash(merkle.leaf_hash(receipt_leaf(receipt)))
    if row is None or row.index >= size:
        raise NotFound(f"{what}: this log holds no entry with its statement and logged_at")
    if row.index != receipt.index:
        raise Conflict(
            f"{what}: its statement is entry {row.index} of this log, not {receipt.index}"
        )
    theirs, _ = open_checkpoint(receipt.checkpoint, log.signer.verifier(), origin=log.origin)
    if theirs.size != receipt.tree_size:
        raise Conflict(
            f"{what}: its checkpoint is of {theirs.size} entries, not tree_size {receipt.tree_size}"
        )
    if theirs.size > size:
        raise Conflict(
            f"{what}: its checkpoint of {theirs.size} entries is beyond the log's {size}"
        )
    _same_tree(log, theirs, what)
    return row.index


def _same_tree(log: Log, theirs: Checkpoint, what: str) -> None:
    if not compare_digest(log.root(theirs.size), theirs.root):
        raise Conflict(
            f"{what}: its checkpoint of {theirs.size} entries has root {theirs.root.hex()}, but this "
            "log's tree of that size has another: the checkpoint is forged or the log has forked"
        )


def _leaves(store: Store, indexes: Iterable[int], size: int) -> dict[int, tuple[Statement, str]]:
    wanted = sorted(i for i in set(indexes) if i < size)
    found = store.leaves_at(wanted) if wanted else {}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"there is no entry {missing[0]} in the log")
    return {i: _parse(found[i]) for i in wanted}


def _parse(leaf: bytes) -> tuple[Statement, str]:
    statement, logged_at = parse_leaf(leaf)
    return statement, format_time(logged_at)


def _party_entries(
    store: Store, leaves: dict[int, tuple[Statement, str]], size: int
) -> dict[int, tuple[Statement, str]]:
    """Return the party entries that establish the keys of *leaves*' signers, transitively."""
    found: dict[int, tuple[Statement, str]] = {}
    seen: set[bytes] = set()
    todo: list[Statement] = [s for s, _ in leaves.values()]
    while todo:
        parties = {p for s in todo for p in _parties_of(store, s)} - seen
        seen |= parties
        needed: set[int] = set()
        for party_id in parties:
            needed |= _history(store, party_id)
        new = _leaves(store, needed - leaves.keys() - found.keys(), size)
        found |= new
        todo = [s for s, _ in new.values()]
    return found


def _parties_of(store: Store, statement: Statement) -> set[bytes]:
    """Return the parties whose keys *statement* relies on: its signers', and the one it changes."""
    out = set()
    for key in statement.signers:
        record = store.key_record(key)
        if record is not None:
            out.add(record.party)
    if statement.type in ("party.rotate_key", "party.revoke_key"):
        out.add(bytes.fromhex(statement.body["party"]))
    return out


def _history(store: Store, party_id: bytes) -> set[int]:
    """Return the entries that registered *party_id*, introduced each of its keys and revoked them."""
    party = store.party(party_id)
    out = set() if party is None else {party.index}
    for record in store.party_keys(party_id):
        out.add(record.index)
        if record.revoked_index is not None:
            out.add(record.revoked_index)
    return out
