"""The sequencer: statements in, durable entries and signed checkpoints out.

Checked statements are queued; a background thread closes a batch after
``batch_wait`` seconds or ``batch_size`` statements, whichever comes first,
and integrates it in one database transaction that writes the entries, the
hash tiles they change and a new signed checkpoint. Every ``add`` returns a
future that resolves only after that transaction has committed, so no index
is handed out before it is durable. A statement already logged resolves to
its existing entry and never becomes a second leaf.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from cunzheng.ledger import merkle, registry
from cunzheng.ledger.clock import Clock, format_time, utc_now
from cunzheng.ledger.errors import Conflict, NotFound, RuleViolation
from cunzheng.ledger.note import Checkpoint, Signer, open_checkpoint, sign_checkpoint
from cunzheng.ledger.receipts import build_receipt, receipt_bytes
from cunzheng.ledger.registry.policy import Policy
from cunzheng.ledger.registry.rules import DEFAULT_POLICY
from cunzheng.ledger.statements import Statement, make_leaf
from cunzheng.ledger.store import Batch, Store
from cunzheng.ledger.tilecache import TileCache
from cunzheng.ledger.tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    TileRef,
    encode_entry_bundle,
    tile_width_at,
)
from cunzheng.schemas.receipts import Receipt

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Logged:
    """Where a statement stands in the log: its index and leaf, and a checkpoint that covers it."""

    index: int
    leaf: bytes
    tree_size: int
    checkpoint: str
    existed: bool


Outcome = Logged | RuleViolation


@dataclass
class _Pending:
    """Statements queued together: integrated in one batch and answered by one future."""

    statements: Sequence[Statement]
    future: Future[list[Outcome]]


class Log:
    """One verifiable log: its sequencer and the reads that serve it."""

    def __init__(
        self,
        store: Store,
        signer: Signer,
        *,
        batch_size: int = 1024,
        batch_wait: float = 0.005,
        tile_cache: int = 4096,
        policy: Policy = DEFAULT_POLICY,
        now: Clock = utc_now,
    ) -> None:
        self.store = store
        self.signer = signer
        self.origin = signer.name
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        self._now = now
        self.policy = policy
        self._tiles = TileCache(store.read_tiles, capacity=tile_cache)
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._frontier: merkle.Frontier | None = None
        # The right edge of the latest committed tree: proofs at that size skip its folds.
        self._edge: merkle.RightEdge | None = None
        self._edges: dict[int, tuple[int, bytearray]] = {}
        self._checkpoint: str | None = None
        self._written: dict[tuple[int, int], bytes] = {}
        # The largest tree size known to be committed, and the one the current batch will commit.
        self._known_size = 0
        self._pending_size = 0
        # Called after every commit that published a checkpoint (the publisher listens here).
        self.on_publish: list[Callable[[], None]] = []

    # Lifecycle -----------------------------------------------------------

    def start(self) -> Log:
        """Publish the first checkpoint if there is none and start integrating; return self."""
        if self.store.latest_checkpoint() is None:
            with self.store.batch() as batch:
                self._integrate(batch, [], publish=True)
        self._checkpoint = self.store.latest_checkpoint()
        self._thread = threading.Thread(target=self._run, name="cunzheng-sequencer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Integrate what is queued, then stop the sequencer thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    # Writes --------------------------------------------------------------

    def add(self, statement: Statement) -> Future[Logged]:
        """Queue a checked statement; the future resolves once its entry is committed."""
        single: Future[Logged] = Future()

        def unwrap(done: Future[list[Outcome]]) -> None:
            error = done.exception()
            outcome = error if error is not None else done.result()[0]
            if isinstance(outcome, BaseException):
                single.set_exception(outcome)
            else:
                single.set_result(outcome)

        self.add_all([statement]).add_done_callback(unwrap)
        return single

    def add_all(self, statements: Sequence[Statement]) -> Future[list[Outcome]]:
        """Queue checked statements together; the future gives each one's entry or refusal once committed.

        The statements are integrated in the same batch (a batch may hold more
        than ``batch_size`` statements to keep them together).
        """
        if self._thread is None:
            raise RuntimeError("the log is not started")
        future: Future[list[Outcome]] = Future()
        self._queue.put(_Pending(statements, future))
        return future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            items, stopping = self._collect(first)
            self._integrate_safely(items)
            if stopping:
                return

    def _collect(self, first: _Pending) -> tuple[list[_Pending], bool]:
        items = [first]
        count = len(first.statements)
        deadline = time.monotonic() + self.batch_wait
        while count < self.batch_size:
            try:
                item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if item is None:
                return items, True
            items.append(item)
            count += len(item.statements)
        return items, False

    def _integrate_safely(self, items: list[_Pending]) -> None:
        try:
            with self.store.batch() as batch:
                results = self._integrate(batch, [s for p in items for s in p.statements])
        except Exception as e:  # the batch rolled back: nothing was acknowledged
            logger.exception("integration of %d statements failed", len(items))
            self._frontier = None
            self._written = {}
            self._pending_size = self._known_size
            self._checkpoint = None  # reloaded with the frontier on the next batch
            for p in items:
                p.future.set_exception(e)
            return
        published = self._known_size < self._pending_size
        self._after_commit()
        start = 0
        for p in items:
            p.future.set_result(results[start : start + len(p.statements)])
            start += len(p.statements)
        if published:
            for listener in self.on_publish:
                listener()

    def _integrate(
        self, batch: Batch, statements: Sequence[Statement], *, publish: bool = False
    ) -> list[Outcome]:
        if self._frontier is None or self._frontier.size != batch.head.size:
            self._reload(batch)
        assert self._frontier is not None
        hashes = [s.hash for s in statements]
        known = batch.find_statements(list(set(hashes)))
        logged_at = self._now()
        stamp = format_time(logged_at)
        placed: dict[bytes, tuple[int, bytes, bool]] = {
            h: (e.index, e.leaf, True) for h, e in known.items()
        }
        refused: dict[bytes, RuleViolation] = {}
        view = batch.registry_view()
        rows = []
        changed: dict[tuple[int, int], bytearray] = {}
        for statement, h in zip(statements, hashes, strict=True):
            if h in placed or h in refused:
                continue
            index = self._frontier.size
            try:
                effects = registry.check(
                    statement, index=index, logged_at=logged_at, view=view, policy=self.policy
                )
            except RuleViolation as e:
                refused[h] = e
                continue
            view.apply(effects, index)
            leaf = make_leaf(statement, stamp)
            lh = merkle.leaf_hash(leaf)
            for level, node_index, node in self._frontier.append(lh):
                if level % TILE_HEIGHT == 0:
                    key, data = self._grow_edge(level // TILE_HEIGHT, node_index, node)
                    changed[key] = data
            placed[h] = (index, leaf, False)
            rows.append((index, h, lh, leaf, statement.type, statement.signer))
        size = self._frontier.size
        if rows or publish:
            batch.add_entries(rows)
            view.save()
            self._written = {key: bytes(data) for key, data in changed.items()}
            batch.put_tiles(self._written)
            root = self._frontier.root()
            note = sign_checkpoint(Checkpoint(self.origin, size, root), self.signer)
            batch.publish(size=size, root=root, note=note, at=logged_at)
            self._checkpoint = note
            self._pending_size = size
        checkpoint = self._checkpoint
        assert checkpoint is not None
        return [
            refused[h] if h in refused else Logged(*placed[h][:2], size, checkpoint, placed[h][2])
            for h in hashes
        ]

    def _grow_edge(
        self, tile_level: int, node_index: int, node: bytes
    ) -> tuple[tuple[int, int], bytearray]:
        tile_index = node_index >> TILE_HEIGHT
        held = self._edges.get(tile_level)
        if held is None or held[0] != tile_index:
            held = (tile_index, bytearray())
            self._edges[tile_level] = held
        held[1].extend(node)
        return (tile_level, tile_index), held[1]

    def _reload(self, batch: Batch) -> None:
        size = batch.head.size
        cache = TileCache(batch.read_tiles, capacity=64)
        self._frontier = merkle.Frontier.from_reader(size, cache.read_hashes)
        self._edges = {}
        level = 0
        while (count := size >> (TILE_HEIGHT * level)) > 0:
            index, width = divmod(count, TILE_WIDTH)
            if width:
                data = batch.read_tiles([(level, index)]).get((level, index), b"")
                self._edges[level] = (index, bytearray(data[: width * merkle.HASH_SIZE]))
            level += 1
        self._checkpoint = self.store.latest_checkpoint()

    def _after_commit(self) -> None:
        self._known_size = max(self._known_size, self._pending_size)
        if self._frontier is not None and (
            self._edge is None or self._edge.size != self._frontier.size
        ):
            self._edge = merkle.RightEdge(self._frontier)
        for key, data in self._written.items():
            self._tiles.put(key, data)
        self._written = {}

    # Reads ---------------------------------------------------------------

    def checkpoint(self) -> str:
        """Return the latest signed checkpoint, as stored."""
        note = self.store.latest_checkpoint()
        if note is None:
            raise NotFound("the log has published no checkpoint yet")
        return note

    def receipts_for(self, indexes: Sequence[int]) -> list[Receipt]:
        """Return receipts for the entries at *indexes*, with time-stamp tokens when they exist.

        The receipts are proved against the latest time-stamped checkpoint if it
        covers every entry, else against the latest checkpoint.
        """
        note = self.checkpoint()
        size = open_checkpoint(note, self.signer.verifier())[0].size
        tokens: tuple[bytes, ...] = ()
        evidence = self.store.checkpoint_evidence()
        if evidence is not None and evidence.tokens and all(i < evidence.size for i in indexes):
            note, size, tokens = evidence.note, evidence.size, evidence.tokens
        leaves = self.store.leaves_at(indexes)
        missing = [i for i in indexes if i not in leaves or i >= size]
        if missing:
            raise NotFound(f"there is no entry {missing[0]} in the log of {size} entries")
        return [
            self.receipt(Logged(index, leaves[index], size, note, existed=True), timestamps=tokens)
            for index in indexes
        ]

    def size(self) -> int:
        """Return the size of the latest checkpoint."""
        return self.store.head().size

    def receipt_json(self, logged: Logged) -> bytes:
        """Return the receipt of a logged statement as compact JSON (as ``receipt`` would dump it)."""
        proof = self.inclusion_proof(logged.index, logged.tree_size)
        return receipt_bytes(
            leaf=logged.leaf,
            index=logged.index,
            tree_size=logged.tree_size,
            proof=proof,
            checkpoint=logged.checkpoint,
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

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Return the inclusion proof of leaf *index* in the tree of *size* leaves."""
        self._check_size(size)
        if not 0 <= index < size:
            raise Conflict(f"leaf {index} is not in a tree of {size} leaves")
        return merkle.inclusion_proof(index, size, self._tiles.read_hashes, edge=self._edge)

    def consistency_proof(self, old_size: int, size: int) -> list[bytes]:
        """Return the proof that the tree of *old_size* leaves is a prefix of that of *size*."""
        self._check_size(size)
        if not 0 <= old_size <= size:
            raise Conflict(f"old size {old_size} must be between 0 and {size}")
        return merkle.consistency_proof(old_size, size, self._tiles.read_hashes, edge=self._edge)

    def root(self, size: int) -> bytes:
        """Return the root hash of the tree of *size* leaves."""
        self._check_size(size)
        return merkle.root(size, self._tiles.read_hashes)

    def hash_tile(self, ref: TileRef) -> bytes:
        """Return the hash tile *ref*, if the log is large enough to have it at that width."""
        assert ref.level is not None
        width = tile_width_at(ref.level, ref.index, self.size())
        if width < ref.width:
            raise NotFound(
                f"{ref.path()} does not exist yet: the log holds {width} hashes of that tile"
            )
        data = self.store.read_tiles([(ref.level, ref.index)]).get((ref.level, ref.index), b"")
        return data[: ref.width * merkle.HASH_SIZE]

    def entry_bundle(self, ref: TileRef) -> bytes:
        """Return the entry bundle *ref*, if the log is large enough to have it at that width."""
        width = tile_width_at(0, ref.index, self.size())
        if width < ref.width:
            raise NotFound(
                f"{ref.path()} does not exist yet: the log holds {width} entries of that bundle"
            )
        start = ref.index * TILE_WIDTH
        return encode_entry_bundle(self.store.leaves(start, start + ref.width))

    def _check_size(self, size: int) -> None:
        if size < 0:
            raise Conflict(f"tree size {size} is negative")
        # Sizes this process has seen committed need no database round trip; the log never shrinks.
        if size <= self._known_size:
            return
        current = self.size()
        self._known_size = max(self._known_size, current)
        if size > current:
            raise Conflict(f"tree size {size} is beyond the log's size {current}")
        if size < 0:
            raise Conflict(f"tree size {size} is negative")
