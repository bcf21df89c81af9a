"""A cache of expanded hash tiles that answers the Merkle math's hash reads.

Proofs and roots ask for complete subtrees (``merkle.HashReader``). Each such
node lies in one hash tile; the cache keeps tiles expanded to all 8 levels
within them, so a node costs a slice once its tile is loaded. A tile's prefix
never changes as the log grows, so a cached tile answers any request that
fits its width, and a wider copy simply replaces a narrower one. The cache
does no I/O: it is handed a function that fetches raw tiles.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

from ledger.errors import NotFound
from ledger.tiles import expand, locate, node_in

TileKey = tuple[int, int]
FetchTiles = Callable[[Iterable[TileKey]], dict[TileKey, bytes]]


class TileCache:
    """Expanded hash tiles by (level, index), least recently used first out."""

    def __init__(self, fetch: FetchTiles, *, capacity: int = 4096) -> None:
        self._fetch = fetch
        self._capacity = capacity
        self._tiles: OrderedDict[TileKey, list[bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: TileKey, data: bytes) -> None:
        """Remember tile *key* as *data* unless a copy at least as wide is cached."""
        with self._lock:
            held = self._tiles.get(key)
            if held is not None and len(held[0]) >= len(data):
                return
        levels = expand(data)
        with self._lock:
            self._store(key, levels)

    def read_hashes(self, nodes: Sequence[tuple[int, int]]) -> list[bytes]:
        """Return the hashes of complete subtrees *nodes*, given as (level, index)."""
        located = [locate(level, index) for level, index in nodes]
        missing = {
            (tl, ti)
            for tl, ti, within, offset in located
            if self._get(tl, ti, within, offset) is None
        }
        if missing:
            for key, data in self._fetch(missing).items():
                self.put(key, data)
        out = []
        for (level, index), (tl, ti, within, offset) in zip(nodes, located, strict=True):
            h = self._get(tl, ti, within, offset)
            if h is None:
                raise NotFound(f"tree node at level {level}, index {index} is not stored yet")
            out.append(h)
        return out

    def _get(self, tile_level: int, tile_index: int, within: int, offset: int) -> bytes | None:
        with self._lock:
            levels = self._tiles.get((tile_level, tile_index))
            if levels is None:
                return None
            self._tiles.move_to_end((tile_level, tile_index))
        return node_in(levels, within, offset)

    def _store(self, key: TileKey, levels: list[bytes]) -> None:
        self._tiles[key] = levels
        self._tiles.move_to_end(key)
        while len(self._tiles) > self._capacity:
            self._tiles.popitem(last=False)
