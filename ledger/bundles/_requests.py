"""The bundle of the entries a request names: by index, by leaf hash or by receipt."""

from __future__ import annotations

from hmac import compare_digest
from typing import Any

from cunzheng.ledger import merkle
from cunzheng.ledger.bundles._assembly import assemble, index_proof
from cunzheng.ledger.errors import Conflict, MalformedInput, NotFound
from cunzheng.ledger.index import SETTINGS_KEY
from cunzheng.ledger.note import Checkpoint, open_checkpoint
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.receipts import receipt_leaf
from cunzheng.ledger.store import CheckpointEvidence, ReadOnlyStore
from cunzheng.schemas.bundles import (
    MAX_REQUESTED,
    Bundle,
    BundleIndexProof,
    BundleRequest,
    EarlierCheckpoint,
)
from cunzheng.schemas.questions import Question
from cunzheng.schemas.receipts import Receipt


def build_bundle(
    log: LogReader, request: BundleRequest, *, claim: tuple[Question, Any] | None = None
) -> Bundle:
    """Return the bundle of the entries *request* names, with *claim* (a question and its answer) if given."""
    wanted = len(request.indexes) + len(request.leaf_hashes) + len(request.receipts)
    if not wanted:
        raise MalformedInput("name at least one entry: give indexes, leaf_hashes or receipts")
    if wanted > MAX_REQUESTED:
        raise MalformedInput(f"a bundle covers at most {MAX_REQUESTED} entries, not {wanted}")
    latest = log.checkpoint()
    latest_size = log.open(latest).size
    indexes = {_check_index(log.records, i, latest_size) for i in request.indexes}
    indexes |= {_index_of_leaf(log.records, h, latest_size) for h in request.leaf_hashes}
    indexes |= {_index_of_receipt(log, r, n, latest_size) for n, r in enumerate(request.receipts)}
    needed = max([i + 1 for i in indexes] + [r.tree_size for r in request.receipts])
    note, evidence = _bundle_checkpoint(log, latest, needed)
    size = log.open(note).size
    earlier = {r.tree_size: r.checkpoint for r in request.receipts if r.tree_size != size}
    proofs = [
        EarlierCheckpoint(checkpoint=earlier[s], consistency_proof=log.consistency_proof(s, size))
        for s in sorted(earlier)
    ]
    settings = _settings_proof(log, note)
    return assemble(log, indexes, note, evidence, claim=claim, earlier=proofs, settings=settings)


def _settings_proof(log: LogReader, note: str) -> BundleIndexProof | None:
    """Return the proof of ``settings:log`` at checkpoint *note*, or None if the log serves none there.

    The log proves index keys at its latest checkpoint only: a bundle
    checkpoint that is an earlier one, or a log without an index, gets none.
    """
    try:
        answer = log.index_proof(SETTINGS_KEY)
    except NotFound:
        return None
    if answer.checkpoint != note:
        return None
    return index_proof(answer)


def _bundle_checkpoint(
    log: LogReader, latest: str, needed: int
) -> tuple[str, CheckpointEvidence | None]:
    """Return the latest checkpoint with independent evidence if it covers *needed* entries, else *latest*."""
    evidence = log.checkpoint_evidence()
    if evidence is not None and evidence.size >= needed:
        return evidence.note, evidence
    return latest, None


def _check_index(store: ReadOnlyStore, index: int, size: int) -> int:
    if index >= size or store.entry(index) is None:
        raise NotFound(f"there is no entry {index} in the log's checkpoint of {size} entries")
    return index


def _index_of_leaf(store: ReadOnlyStore, leaf_hash: bytes, size: int) -> int:
    row = store.entry_by_leaf_hash(leaf_hash)
    if row is None or row.index >= size:
        raise NotFound(
            f"no entry in the log's checkpoint of {size} entries has leaf hash {leaf_hash.hex()}"
        )
    return row.index


def _index_of_receipt(log: LogReader, receipt: Receipt, n: int, size: int) -> int:
    """Return the index of the receipt's entry after checking the receipt names this log's entry and checkpoint."""
    what = f"receipt {n}"
    leaf_hash = merkle.leaf_hash(receipt_leaf(receipt))
    # The entry the receipt names, first: a search by leaf hash only when it is not that one.
    row = log.records.entry(receipt.index) if receipt.index < size else None
    if row is None or row.leaf_hash != leaf_hash:
        row = log.entry_by_leaf_hash(leaf_hash)
    if row is None or row.index >= size:
        raise NotFound(f"{what}: this log holds no entry with its statement and logged_at")
    if row.index != receipt.index:
        raise Conflict(
            f"{what}: its statement is entry {row.index} of this log, not {receipt.index}"
        )
    theirs, _ = open_checkpoint(receipt.checkpoint, log.verifier, origin=log.origin)
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


def _same_tree(log: LogReader, theirs: Checkpoint, what: str) -> None:
    if not compare_digest(log.root(theirs.size), theirs.root):
        raise Conflict(
            f"{what}: its checkpoint of {theirs.size} entries has root {theirs.root.hex()}, but this "
            "log's tree of that size has another: the checkpoint is forged or the log has forked"
        )
