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
from cunzheng.ledger.committed import CommittedTree, Logged, Outcome
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.note import Checkpoint, Signer, sign_checkpoint
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
        now: Clock = utc_now,
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
        # Called after every commit that published a checkpoint (the publisher listens here).
        self.on_publish: list[Callable[[], None]] = []

    # Lifecycle -----------------------------------------------------------

    def start(self) -> Sequencer:
        """Publish the first checkpoint if there is none and start integrating; return self."""
        if self._store.latest_checkpoint() is None:
            with self._store.batch() as batch:
                self._integrate(batch, [], publish=True)
        self._checkpoint = self._store.latest_checkpoint()
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
            with self._store.batch() as batch:
                results = self._integrate(batch, [s for p in items for s in p.statements])
        except Exception as e:  # the batch rolled back: nothing was acknowledged
            logger.exception("integration of %d statements failed", len(items))
            self._frontier = None
            self._written = {}
            self._pending_size = self._tree.size
            self._checkpoint = None  # reloaded with the frontier on the next batch
            for p in items:
                p.future.set_exception(e)
            return
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
            note = sign_checkpoint(Checkpoint(self.origin, size, root), self._signer)
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
        self._checkpoint = self._store.latest_checkpoint()

    def _after_commit(self) -> None:
        edge = self._tree.edge
        if self._frontier is not None and (edge is None or edge.size != self._frontier.size):
            edge = merkle.RightEdge(self._frontier)
        self._tree.advance(self._pending_size, edge=edge, tiles=self._written)
        self._written = {}
