"""The sequencer: statements in, durable entries and signed checkpoints out.

Checked statements are queued; a background thread closes a batch after
``batch_wait`` seconds or ``batch_size`` statements, whichever comes first,
and integrates it in one database transaction that writes the entries, the
hash tiles they change and a new signed checkpoint. Every ``add`` returns a
future that resolves only after that transaction has committed, so no index
is handed out before it is durable. A statement already logged resolves to
its existing entry and never becomes a second leaf.

After each commit the sequencer advances the ``CommittedTree`` it shares
with the log's readers (``ledger.reader``): the tiles it wrote and the right
edge of the new tree, so that proofs at that size read neither again.

The same batch updates the verifiable index of registry state
(``ledger.index``): each accepted statement's changes to the index leaves
(``ledger.index.entries``) are written in the batch's transaction, and the
new index root goes into the checkpoint as its ``cunzheng-index`` extension
line, so one signature covers log and index and a crash never separates
them. On start the sequencer loads the index and refuses to run if its root
is not the one the latest checkpoint commits to; an index never built (a
database from before the index) or left behind by a writer without it is
replayed from the log first (``ledger.rebuild.replay``). A sequencer that
finds the head moved by another process takes in the leaves changed since
its own size.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

from cunzheng.ledger import merkle, registry
from cunzheng.ledger.clock import Clock, format_time, utc_now
from cunzheng.ledger.committed import CommittedTree, Logged, Outcome
from cunzheng.ledger.errors import LedgerError, RuleViolation
from cunzheng.ledger.index import IndexChanges, IndexTree, checkpoint_index_root, index_root_line
from cunzheng.ledger.metrics import SequencerMetrics
from cunzheng.ledger.note import Checkpoint, Signer, read_note, sign_checkpoint
from cunzheng.ledger.rebuild import replay
from cunzheng.ledger.statements import Statement, make_leaf
from cunzheng.ledger.store import Batch, Store
from cunzheng.ledger.tilecache import TileCache
from cunzheng.ledger.tiles import TILE_HEIGHT, TILE_WIDTH

logger = logging.getLogger(__name__)


@dataclass
class _Pending:
    """Statements queued together: integrated in one batch and answered by one future."""

    statements: Sequence[Statement]
    future: Future[list[Outcome]]


class Sequencer:
    """The one writer of a log in this process: batches statements and publishes checkpoints."""

    def __init__(
        self,
        store: Store,
        signer: Signer,
        tree: CommittedTree,
        *,
        batch_size: int = 1024,
        batch_wait: float = 0.005,
        index: bool = True,
        now: Clock = utc_now,
        metrics: SequencerMetrics | None = None,
    ) -> None:
        self._store = store
        self._signer = signer
        self.origin = signer.name
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        self._now = now
        self._tree = tree
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._frontier: merkle.Frontier | None = None
        self._edges: dict[int, tuple[int, bytearray]] = {}
        self._checkpoint: str | None = None
        self._written: dict[tuple[int, int], bytes] = {}
        # The tree size the current batch will commit.
        self._pending_size = 0
        # Whether checkpoints commit to the verifiable index (off only to measure what it costs).
        self.index = index
        # Whether this thread holds the index's lock until the current batch ends.
        self._index_held = False
        # Called after every commit that published a checkpoint (the publisher listens here).
        self.on_publish: list[Callable[[], None]] = []
        # Read by /metrics; a registry per sequencer, so several logs in one process never collide.
        self.metrics = metrics or SequencerMetrics()
        self.metrics.watch(size=lambda: self._tree.size, now=now, records=store)
        # When the checkpoint the current batch signs was signed, until its transaction commits.
        self._signing_at: datetime | None = None

    # Lifecycle -----------------------------------------------------------

    def start(self) -> Sequencer:
        """Publish the first checkpoint if there is none and start integrating; return self."""
        if self._store.latest_checkpoint() is None:
            self._commit([], publish=True)
        if self.index:
            self._check_index()
        with self._store.batch() as batch:
            # A log upgraded from a version without runs has them written here, before reads.
            batch.keep_runs()
            size = batch.head.size
        self._tree.saw(size)  # the size readers and /metrics give is the log's from the start
        self._checkpoint = self._store.latest_checkpoint()
        self._thread = threading.Thread(target=self._run, name="cunzheng-sequencer", daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        """Return whether the sequencer thread is alive and taking statements."""
        return self._thread is not None and self._thread.is_alive()

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
        self.metrics.queue_depth.inc(len(statements))
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

    def _commit(self, statements: Sequence[Statement], *, publish: bool = False) -> list[Outcome]:
        """Integrate *statements* in one transaction, and release the index once it has ended."""
        index = self._tree.index
        try:
            self._signing_at = None
            with self._store.batch() as batch:
                results = self._integrate(batch, statements, publish=publish)
            if self._signing_at is not None:
                self.metrics.signed(self._signing_at)
            if self._index_held:
                index.size = self._pending_size
        except BaseException:
            if self.index:
                with index.lock:
                    index.forget()  # it may hold changes that rolled back
            raise
        finally:
            if self._index_held:
                self._index_held = False
                index.lock.release()
        return results

    def _integrate_safely(self, items: list[_Pending]) -> None:
        statements = [s for p in items for s in p.statements]
        self.metrics.queue_depth.dec(len(statements))
        began = time.monotonic()
        try:
            results = self._commit(statements)
        except Exception as e:  # the batch rolled back: nothing was acknowledged
            logger.exception("integration of %d statements failed", len(items))
            self._frontier = None
            self._written = {}
            self._pending_size = self._tree.size
            self._checkpoint = None  # reloaded with the frontier on the next batch
            for p in items:
                p.future.set_exception(e)
            return
        self.metrics.committed(results, seconds=time.monotonic() - began)
        published = self._tree.size < self._pending_size
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
        tree = self._sync_index(batch) if self.index else None
        changes = IndexChanges(tree.get) if tree is not None else None
        view = batch.registry_view()
        rows = []
        changed: dict[tuple[int, int], bytearray] = {}
        for statement, h in zip(statements, hashes, strict=True):
            if h in placed or h in refused:
                continue
            index = self._frontier.size
            try:
                effects = registry.check(statement, index=index, logged_at=logged_at, view=view)
            except RuleViolation as e:
                refused[h] = e
                continue
            view.apply(effects, index)
            if changes is not None:
                changes.add(statement, index=index, effects=effects)
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
            extensions = () if changes is None else self._put_index(batch, changes, size)
            note = sign_checkpoint(Checkpoint(self.origin, size, root, extensions), self._signer)
            batch.publish(size=size, root=root, note=note, at=logged_at)
            self._checkpoint = note
            self._signing_at = logged_at
            self._pending_size = size
        checkpoint = self._checkpoint
        assert checkpoint is not None
        return [
            refused[h] if h in refused else Logged(*placed[h][:2], size, checkpoint, placed[h][2])
            for h in hashes
        ]

    # The verifiable index --------------------------------------------------

    def _sync_index(self, batch: Batch) -> IndexTree:
        """Return the index as of the batch's head: loaded, caught up or replayed from the log."""
        index, head = self._tree.index, batch.head
        with index.lock:
            if index.tree is not None and index.size == head.size:
                return index.tree
            if head.index_size != head.size:
                logger.log(
                    logging.WARNING if head.size else logging.DEBUG,
                    "the stored index reflects tree size %s, not %d: replaying the log into it",
                    head.index_size,
                    head.size,
                )
                index.tree, index.size = replay(batch), head.size
                return index.tree
            after = index.size if index.tree is not None else -1
            return index.catch_up(head.size, batch.index_leaves_since(after))

    def _put_index(self, batch: Batch, changes: IndexChanges, size: int) -> tuple[str]:
        """Apply and write the batch's index changes; return the checkpoint line of the new root.

        The index's lock is held from here until the batch has ended, so that
        no reader proves against a root before its checkpoint is durable.
        """
        index = self._tree.index
        assert index.tree is not None
        leaves = changes.changed()
        if not self._index_held:
            index.lock.acquire()
            self._index_held = True
        index.tree.update(leaves)
        batch.put_index(leaves, size=size)
        return (index_root_line(index.tree.root()),)

    def _check_index(self) -> None:
        """Load the index and refuse to go on if it is not the one the latest checkpoint commits to."""
        with self._store.batch() as batch:
            try:
                tree = self._sync_index(batch)
            except BaseException:
                with self._tree.index.lock:
                    self._tree.index.forget()
                raise
            size = batch.head.size
            note = batch.checkpoint_at(size)
        assert note is not None
        signed = checkpoint_index_root(Checkpoint.parse(read_note(note, []).text))
        if signed is not None and signed != tree.root():
            raise LedgerError(
                f"the index in the database makes root {tree.root().hex()}, but the latest "
                f"checkpoint (size {size}) commits to index root {signed.hex()}: the database "
                "does not hold the index the log signed, so the log will not start. Run "
                "`cunzheng rebuild` to recompute the index from the log; it also checks the "
                "index line of every checkpoint against the log's entries."
            )

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
        self._checkpoint = self._store.latest_checkpoint()

    def _after_commit(self) -> None:
        edge = self._tree.edge
        if self._frontier is not None and (edge is None or edge.size != self._frontier.size):
            edge = merkle.RightEdge(self._frontier)
        self._tree.advance(self._pending_size, edge=edge, tiles=self._written)
        self._written = {}
