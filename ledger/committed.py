"""What the sequencer has committed, as the log's readers see it.

The sequencer and the readers of one log, in one process, share a
``CommittedTree``: the cache of hash tiles, the right edge of the latest tree
the sequencer committed, and the largest tree size known to be committed.
Only the sequencer advances it, once a batch is durable, so a reader never
sees a tile, an edge or a size before its transaction has committed
(tessera: an index is trusted only after it is stored). A reader may raise
the known size to a size it read from the store (another process's
sequencer may have committed it).

Each piece is safe to read from any thread without a lock: the edge is an
immutable value swapped in whole, the size only grows, and the tile cache
locks itself. A reader that meets an older edge or a narrower cached tile
falls back to the store, which holds every committed tile.

The verifiable index is the exception: one mutable ``IndexTree`` in a
``CommittedIndex``, changed only under its lock. The sequencer holds the
lock from applying a batch's changes until that batch has committed (or
forgets the tree if it rolled back), so a reader that takes the lock proves
against a root that is signed and durable.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from cunzheng.ledger import merkle
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.index import IndexTree
from cunzheng.ledger.tilecache import FetchTiles, TileCache, TileKey


@dataclass(frozen=True)
class Logged:
    """Where a statement stands in the log: its index and leaf, and a checkpoint that covers it."""

    index: int
    leaf: bytes
    tree_size: int
    checkpoint: str
    existed: bool


# What the sequencer answers for each statement: its entry, or the rule it broke.
Outcome = Logged | RuleViolation


class CommittedIndex:
    """The verifiable index as of a committed tree size; change or read it holding ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        # The index as of tree size ``size``; None until loaded, or after a failed batch.
        self.tree: IndexTree | None = None
        self.size = -1

    def catch_up(self, size: int, leaves: list[tuple[str, bytes]]) -> IndexTree:
        """Take in the *leaves* changed up to tree *size* (all of them if none are held); return the tree."""
        if self.tree is None:
            self.tree = IndexTree(leaves)
        else:
            self.tree.update(leaves)
        self.size = size
        return self.tree

    def forget(self) -> None:
        """Drop the tree, to be loaded again from the store."""
        self.tree = None
        self.size = -1


class CommittedTree:
    """The tile cache, right edge and size of the latest committed tree, shared by sequencer and readers."""

    def __init__(self, fetch_tiles: FetchTiles, *, tile_cache: int = 4096) -> None:
        self._tiles = TileCache(fetch_tiles, capacity=tile_cache)
        # Bound once: proofs call it for every run of nodes.
        self.read_hashes = self._tiles.read_hashes
        self._edge: merkle.RightEdge | None = None
        self._size = 0
        self._lock = threading.Lock()
        self.index = CommittedIndex()

    @property
    def size(self) -> int:
        """Return the largest tree size known to be committed."""
        return self._size

    @property
    def edge(self) -> merkle.RightEdge | None:
        """Return the right edge of the latest tree this process committed, if any."""
        return self._edge

    def saw(self, size: int) -> None:
        """Note that the store holds a committed tree of *size* leaves."""
        with self._lock:
            self._size = max(self._size, size)

    def advance(
        self, size: int, *, edge: merkle.RightEdge | None, tiles: Mapping[TileKey, bytes]
    ) -> None:
        """Take in a commit: the tree of *size* leaves, its right *edge* and the hash *tiles* it wrote."""
        for key, data in tiles.items():
            self._tiles.put(key, data)
        with self._lock:
            if edge is not None:
                self._edge = edge
            self._size = max(self._size, size)
