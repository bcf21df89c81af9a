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
        found = self._lookup(located)
        if None in found:
            missing = {(loc[0], loc[1]) for loc, h in zip(located, found, strict=True) if h is None}
            for key, data in self._fetch(missing).items():
                self.put(key, data)
            found = self._lookup(located)
        hashes = []
        for (level, index), h in zip(nodes, found, strict=True):
            if h is None:
                raise NotFound(f"tree node at level {level}, index {index} is not stored yet")
            hashes.append(h)
        return hashes

    def _lookup(self, located: Sequence[tuple[int, int, int, int]]) -> list[bytes | None]:
        out: list[bytes | None] = []
        with self._lock:
            for tile_level, tile_index, within, offset in located:
                levels = self._tiles.get((tile_level, tile_index))
                if levels is None:
                    out.append(None)
                    continue
                self._tiles.move_to_end((tile_level, tile_index))
                out.append(node_in(levels, within, offset))
        return out

    def _store(self, key: TileKey, levels: list[bytes]) -> None:
        self._tiles[key] = levels
        self._tiles.move_to_end(key)
        while len(self._tiles) > self._capacity:
            self._tiles.popitem(last=False)
