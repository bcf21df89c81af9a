"""Rebuild: the registry's tables and the verifiable index replayed from the log, entry 0 on.

The database is a cache of the log. ``rebuild`` empties the registry's tables
and the index leaves and replays every leaf through the same rules the
sequencer applied, at the ``logged_at`` each leaf records, inside one
transaction that holds the log's lock. The rules apply the log's own
settings (its ``log.settings`` entries, replayed with the rest), never the
local configuration. A leaf the rules refuse on replay means the cache and
the log disagree about the rules; the rebuild stops and says which entry.

The index is recomputed from the effects the rules return
(``ledger.index.entries``), and at the size of every checkpoint the log
signed its root is compared with the checkpoint's index line, as a monitor
does: a checkpoint that commits to another root raises ``Misbehaviour``
(``index_root_mismatch``), as does one without a line after one with it
(``index_missing``). Nothing is written then: the operator must find out why
the log signed an index its entries do not make.
"""

from __future__ import annotations

from collections import deque

from cunzheng.ledger import registry
from cunzheng.ledger.errors import LedgerError, RuleViolation
from cunzheng.ledger.index import IndexChanges, IndexTree
from cunzheng.ledger.monitor.misbehaviour import check_index
from cunzheng.ledger.note import Checkpoint, read_note
from cunzheng.ledger.statements import parse_leaf
from cunzheng.ledger.store import Batch, Store

CHUNK = 5000


def rebuild(store: Store) -> int:
    """Replay the whole log into empty registry tables and index; return the number of entries replayed."""
    with store.batch() as batch:
        replay(batch)
        return batch.head.size


def replay(batch: Batch) -> IndexTree:
    """Replay every entry of the log into empty registry tables and index leaves; return the index.

    Every checkpoint the log signed is checked against the index its entries
    make (raising ``Misbehaviour``); the registry's tables, the index leaves
    and the size they reflect are written in *batch*.
    """
    batch.clear_registry()
    batch.clear_index()
    tree = IndexTree()
    checkpoints = _Checkpoints(batch)
    checkpoints.check(0, tree)
    replayed = 0
    while rows := batch.leaves_from(replayed, limit=CHUNK):
        view = batch.registry_view()
        changes = IndexChanges(tree.get)
        for index, leaf in rows:
            statement, logged_at = parse_leaf(leaf)
            try:
                effects = registry.check(statement, index=index, logged_at=logged_at, view=view)
            except RuleViolation as e:
                raise LedgerError(f"entry {index} is refused on replay: {e.message}") from None
            view.apply(effects, index)
            changes.add(statement, index=index, effects=effects)
            if checkpoints.due(index + 1):
                tree.update(changes.changed())
                changes = IndexChanges(tree.get)
                checkpoints.check(index + 1, tree)
        tree.update(changes.changed())
        view.save()
        replayed = rows[-1][0] + 1
    batch.put_index(dict(tree.items()), size=replayed)
    return tree


class _Checkpoints:
    """The log's signed checkpoints in size order, each checked when the replay reaches its size."""

    def __init__(self, batch: Batch) -> None:
        self._batch = batch
        self._pending: deque[tuple[int, str]] = deque()
        self._next = 0
        self._exhausted = False
        # Once a checkpoint carries an index line, every later one must.
        self._indexed = False

    def due(self, size: int) -> bool:
        """Return whether the log signed a checkpoint of *size*."""
        while self._pending and self._pending[0][0] < size:
            self._pending.popleft()
        if not self._pending and not self._exhausted:
            self._pending.extend(self._batch.checkpoints_from(max(size, self._next), limit=1000))
            self._exhausted = not self._pending
            if self._pending:
                self._next = self._pending[-1][0] + 1
        return bool(self._pending) and self._pending[0][0] == size

    def check(self, size: int, tree: IndexTree) -> None:
        """Check the checkpoint of *size*, if there is one, against *tree*."""
        if not self.due(size):
            return
        _, note = self._pending.popleft()
        checkpoint = Checkpoint.parse(read_note(note, []).text)
        self._indexed = check_index(
            checkpoint, tree.root(), required=self._indexed, evidence=(note,)
        )
