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

A process that starts on a large log warms the cache first (``warm``): it
grows the cache to hold every hash tile of the committed tree, with room to
grow, and loads them from the store, the shared upper levels first, so that
the first proofs after a restart are as fast as later ones.

The verifiable index is the exception: one mutable ``IndexTree`` in a
``CommittedIndex``, changed only under its lock. The sequencer holds the
lock from applying a batch's changes until that batch has committed (or
forgets the tree if it rolled back), so a reader that takes the lock proves
against a root that is signed and durable.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from cunzheng.ledger import merkle
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.index import IndexTree
from cunzheng.ledger.tilecache import FetchTiles, TileCache, TileKey
from cunzheng.ledger.tiles import tiles_for_size

# Tiles fetched from the store in one query while warming.
WARM_CHUNK = 512
_log = logging.getLogger(__name__)


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
        self._fetch_tiles = fetch_tiles
        self._tiles = TileCache(fetch_tiles, capacity=tile_cache)
        # Tiles loaded and to load by ``warm``; equal once the cache is warm.
        self.warmed: tuple[int, int] = (0, 0)
        # Bound once: proofs call it for every run of nodes.
        self.read_hashes = self._tiles.read_hashes
        self._edge: merkle.RightEdge | None = None
        self._size = 0
        self._lock = threading.Lock()
        self.index = CommittedIndex()

    def warm(self, size: int, *, limit: int) -> int:
        """Load the hash tiles of the tree of *size* into the cache; return how many were loaded.

        The cache grows to hold every tile and a quarter more for the log's
        growth, but to no more than *limit* tiles; past it, the upper levels,
        which every proof reads, are loaded first, then as many leaf-level
        tiles as fit.
        """
        keys = [(r.level, r.index) for r in tiles_for_size(size) if r.level is not None]
        keys.sort(key=lambda key: -key[0])
        self._tiles.grow(min(limit, len(keys) + len(keys) // 4 + 64))
        keys = keys[: self._tiles.capacity]
        self.warmed = (0, len(keys))
        for start in range(0, len(keys), WARM_CHUNK):
            chunk = keys[start : start + WARM_CHUNK]
            for key, data in self._fetch_tiles(chunk).items():
                self._tiles.put(key, data)
            self.warmed = (start + len(chunk), len(keys))
        return len(keys)

    def warm_in_background(self, size: int, *, limit: int) -> threading.Thread:
        """Start warming the cache for the tree of *size* in a daemon thread (``warmed`` tells how far)."""

        def run() -> None:
            try:
                self.warm(size, limit=limit)
            except (
                Exception
            ):  # a store closed at shutdown, a lost connection: proofs read the store
                _log.warning("warming the tile cache stopped", exc_info=True)
                self.warmed = (0, 0)

        thread = threading.Thread(target=run, name="tile-cache-warm", daemon=True)
        thread.start()
        return thread

    @property
    def warming(self) -> bool:
        """Return whether the cache is still being warmed."""
        done, total = self.warmed
        return done < total

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
