"""Reading the log: checkpoints, entries, tiles, proofs and receipts.

A ``LogReader`` holds the store's reads only (``ReadOnlyStore``) and the
log's verifier key, not its signing key, so it cannot change the log. It
shares a ``CommittedTree`` with the log's sequencer: proofs read hashes
through its tile cache, and proofs at the latest size take their
incomplete node from its right edge.

Index proofs (presence or absence of a key in the verifiable index of
registry state) are served at the latest checkpoint only: the index is kept
in memory as of that size, and older roots are not kept. A reader whose
index is behind the store (another process's sequencer committed since)
takes in the leaves changed since, under the index's lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cunzheng.ledger import merkle
from cunzheng.ledger.committed import CommittedTree, Logged
from cunzheng.ledger.errors import Conflict, InvalidProof, NotFound
from cunzheng.ledger.index import IndexProof, checkpoint_index_root
from cunzheng.ledger.note import Checkpoint, Verifier, open_checkpoint
from cunzheng.ledger.receipts import build_receipt, receipt_bytes
from cunzheng.ledger.store import CheckpointEvidence, EntryRow, ReadOnlyStore
from cunzheng.ledger.tiles import TILE_WIDTH, TileRef, encode_entry_bundle, tile_width_at
from cunzheng.schemas.receipts import Receipt


@dataclass(frozen=True)
class IndexAnswer:
    """A key's value in the verifiable index (None: absent) and its proof at a signed checkpoint."""

    key: str
    value: bytes | None
    proof: IndexProof
    root: bytes
    tree_size: int
    checkpoint: str


class LogReader:
    """The read side of one verifiable log."""

    def __init__(self, records: ReadOnlyStore, verifier: Verifier, tree: CommittedTree) -> None:
        self.records = records
        self.verifier = verifier
        self.origin = verifier.name
        self._tree = tree
        # The last checkpoint note opened, so the same note's signature is checked once.
        self._opened: tuple[str, Checkpoint] | None = None

    @property
    def warmed(self) -> tuple[int, int]:
        """Return how many hash tiles the cache has loaded of those it is warming with."""
        return self._tree.warmed

    # Checkpoints and entries ---------------------------------------------

    def checkpoint(self) -> str:
        """Return the latest signed checkpoint, as stored."""
        note = self.records.latest_checkpoint()
        if note is None:
            raise NotFound("the log has published no checkpoint yet")
        return note

    def served_checkpoint(self) -> tuple[Checkpoint, str]:
        """Return the latest checkpoint and its note as served: with witness cosignatures once gathered."""
        note = self.checkpoint()
        evidence = self.records.checkpoint_evidence()
        if evidence is not None and evidence.note == note and evidence.cosigned:
            return self.open(note), evidence.cosigned
        return self.open(note), note

    def open(self, note: str) -> Checkpoint:
        """Return the checkpoint in *note*, signed by this log's key (checked once per note)."""
        opened = self._opened
        if opened is not None and opened[0] == note:
            return opened[1]
        checkpoint = open_checkpoint(note, self.verifier)[0]
        self._opened = (note, checkpoint)
        return checkpoint

    def checkpoint_evidence(self, size: int | None = None) -> CheckpointEvidence | None:
        """Return the time-stamps and cosignatures kept about the checkpoint of *size* (default: the latest that has any)."""
        return self.records.checkpoint_evidence(size)

    def size(self) -> int:
        """Return the size of the latest checkpoint."""
        return self.records.head().size

    def entry(self, index: int) -> EntryRow | None:
        """Return the entry at *index*, if logged."""
        return self.records.entry(index)

    def entry_by_leaf_hash(self, leaf_hash: bytes) -> EntryRow | None:
        """Return the entry whose leaf hashes to *leaf_hash*, if logged."""
        return self.records.entry_by_leaf_hash(leaf_hash)

    def indexes_for_digest(self, digest: bytes) -> list[int]:
        """Return the indexes of the entries that reference the content digest or dataset root *digest*."""
        return self.records.indexes_for_digest(digest)

    # Receipts ------------------------------------------------------------

    def receipts_for(self, indexes: Sequence[int]) -> list[Receipt]:
        """Return receipts for the entries at *indexes*, with time-stamp tokens when they exist.

        The receipts are proved against the latest time-stamped checkpoint if it
        covers every entry, else against the latest checkpoint.
        """
        note = self.checkpoint()
        size = self.open(note).size
        tokens: tuple[bytes, ...] = ()
        evidence = self.records.checkpoint_evidence()
        if evidence is not None and evidence.tokens and all(i < evidence.size for i in indexes):
            note, size, tokens = evidence.note, evidence.size, evidence.tokens
        leaves = self.records.leaves_at(indexes)
        missing = [i for i in indexes if i not in leaves or i >= size]
        if missing:
            raise NotFound(f"there is no entry {missing[0]} in the log of {size} entries")
        return [
            self.receipt(Logged(index, leaves[index], size, note, existed=True), timestamps=tokens)
            for index in indexes
        ]

    def receipt_json(self, logged: Logged, *, indent: bool = False) -> bytes:
        """Return the receipt of a logged statement as JSON (as ``receipt`` would dump it).

        Compact, or with *indent* the bytes of ``receipts.receipt_json`` (a receipt file's form).
        """
        proof = self.inclusion_proof(logged.index, logged.tree_size)
        return receipt_bytes(
            leaf=logged.leaf,
            index=logged.index,
            tree_size=logged.tree_size,
            proof=proof,
            checkpoint=logged.checkpoint,
            indent=indent,
        )

    def receipt(self, logged: Logged, *, timestamps: Sequence[bytes] = ()) -> Receipt:
        """Return the receipt of a logged statement, proved against the checkpoint that covered it."""
        proof = self.inclusion_proof(logged.index, logged.tree_size)
        return build_receipt(
            leaf=logged.leaf,
            index=logged.index,
            tree_size=logged.tree_size,
            proof=proof,
            checkpoint=logged.checkpoint,
            timestamps=timestamps,
        )

    # The verifiable index ------------------------------------------------

    def index_proof(self, key: str, size: int | None = None) -> IndexAnswer:
        """Return *key*'s index value and its presence or absence proof at the latest checkpoint.

        Only the latest checkpoint is served: a *size* other than its size is
        refused (NotFound), as is a log whose latest checkpoint commits to no
        index (one signed before the log kept it).
        """
        index = self._tree.index
        with index.lock:
            snapshot = self.records.index_snapshot(index.size if index.tree is not None else -1)
            if not snapshot.built or snapshot.checkpoint is None:
                raise NotFound("the log's index is not built yet; it is after the next batch")
            if index.tree is None or snapshot.size > index.size:
                index.catch_up(snapshot.size, snapshot.leaves)
                note = snapshot.checkpoint
            else:
                note = self._checkpoint_at(index.size)
            tree = index.tree
            assert tree is not None
            answer_size, root = index.size, tree.root()
            value, proof = tree.get(key), tree.prove(key)
        if size is not None and size != answer_size:
            raise NotFound(
                f"index proofs are served at the latest checkpoint only (size {answer_size}), "
                f"not at size {size}"
            )
        checkpoint = self.open(note)
        signed = checkpoint_index_root(checkpoint)
        if signed is None:
            raise NotFound(
                f"the checkpoint of size {answer_size} commits to no index: it was signed "
                "before the log kept one; the next checkpoint will"
            )
        if signed != root:
            raise InvalidProof(
                f"the index held makes root {root.hex()}, but the checkpoint of size "
                f"{answer_size} commits to {signed.hex()}"
            )
        return IndexAnswer(key, value, proof, root, answer_size, note)

    def _checkpoint_at(self, size: int) -> str:
        note = self.records.checkpoint_at(size)
        if note is None:
            raise NotFound(f"the log signed no checkpoint of size {size}")
        return note

    # Proofs and tiles ----------------------------------------------------

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Return the inclusion proof of leaf *index* in the tree of *size* leaves."""
        self._check_size(size)
        if not 0 <= index < size:
            raise Conflict(f"leaf {index} is not in a tree of {size} leaves")
        tree = self._tree
        return merkle.inclusion_proof(index, size, tree.read_hashes, edge=tree.edge)

    def consistency_proof(self, old_size: int, size: int) -> list[bytes]:
        """Return the proof that the tree of *old_size* leaves is a prefix of that of *size*."""
        self._check_size(size)
        if not 0 <= old_size <= size:
            raise Conflict(f"old size {old_size} must be between 0 and {size}")
        tree = self._tree
        return merkle.consistency_proof(old_size, size, tree.read_hashes, edge=tree.edge)

    def root(self, size: int) -> bytes:
        """Return the root hash of the tree of *size* leaves."""
        self._check_size(size)
        return merkle.root(size, self._tree.read_hashes)

    def hash_tile(self, ref: TileRef) -> bytes:
        """Return the hash tile *ref*, if the log is large enough to have it at that width."""
        assert ref.level is not None
        width = tile_width_at(ref.level, ref.index, self.size())
        if width < ref.width:
            raise NotFound(
                f"{ref.path()} does not exist yet: the log holds {width} hashes of that tile"
            )
        key = (ref.level, ref.index)
        data = self.records.read_tiles([key]).get(key, b"")
        return data[: ref.width * merkle.HASH_SIZE]

    def entry_bundle(self, ref: TileRef) -> bytes:
        """Return the entry bundle *ref*, if the log is large enough to have it at that width."""
        width = tile_width_at(0, ref.index, self.size())
        if width < ref.width:
            raise NotFound(
                f"{ref.path()} does not exist yet: the log holds {width} entries of that bundle"
            )
        start = ref.index * TILE_WIDTH
        return encode_entry_bundle(self.records.leaves(start, start + ref.width))

    def _check_size(self, size: int) -> None:
        if size < 0:
            raise Conflict(f"tree size {size} is negative")
        # Sizes seen committed need no database round trip; the log never shrinks.
        if size <= self._tree.size:
            return
        current = self.size()
        self._tree.saw(current)
        if size > current:
            raise Conflict(f"tree size {size} is beyond the log's size {current}")
