"""A cache of expanded hash tiles that answers the Merkle math's hash reads.

Proofs and roots ask for complete subtrees (``merkle.HashReader``). Each such
node lies in one hash tile; the cache keeps tiles expanded to all levels
within them (8, the tlog-tiles height, unless the cache is made with another
``height``, as tests do), so a node costs a slice once its tile is loaded. A
tile's prefix never changes as the log grows, so a cached tile answers any
request that fits its width, and a wider copy simply replaces a narrower one. The cache
does no I/O: it is handed a function that fetches raw tiles.

Each tile is held as one block of bytes: its levels one after another, each
at the offset it has in a full tile (a partial tile's rows are padded), with
the tile's width beside it. One block per tile, not one object per level,
keeps the memory a proof touches small; at 10^6 entries the cache holds some
4,000 tiles, and a proof's cost there is mostly memory traffic.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import cache

from cunzheng.ledger.errors import NotFound
from cunzheng.ledger.merkle import HASH_SIZE
from cunzheng.ledger.tiles import TILE_HEIGHT, expand

TileKey = tuple[int, int]
FetchTiles = Callable[[Iterable[TileKey]], dict[TileKey, bytes]]


@cache
def _level_starts(height: int) -> tuple[int, ...]:
    """Return where level r of a tile starts in its block: after the w + w/2 + ... hashes below."""
    width = 1 << height
    return tuple((2 * width - (2 * width >> r)) * HASH_SIZE for r in range(height))


class TileCache:
    """Expanded hash tiles by (level, index), least recently used first out.

    *height* is the tiles' height: 8 for tlog-tiles, smaller only in tests.
    """

    def __init__(
        self, fetch: FetchTiles, *, capacity: int = 4096, height: int = TILE_HEIGHT
    ) -> None:
        if not 1 <= height <= 63:
            raise ValueError(f"tile height {height} is not 1..63")
        self._fetch = fetch
        self._capacity = capacity
        self._height = height
        self._level_starts = _level_starts(height)
        # (tile level, tile index) -> (block, width), least recently used first.
        self._tiles: OrderedDict[TileKey, tuple[bytes, int]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        """Return how many tiles the cache holds at most."""
        return self._capacity

    def __len__(self) -> int:
        return len(self._tiles)

    def grow(self, capacity: int) -> None:
        """Hold up to *capacity* tiles from now on, if that is more than now."""
        with self._lock:
            self._capacity = max(self._capacity, capacity)

    def put(self, key: TileKey, data: bytes) -> None:
        """Remember tile *key* as *data* unless a copy at least as wide is cached."""
        self._put(key, data)

    def read_hashes(self, nodes: Sequence[tuple[int, int]]) -> list[bytes]:
        """Return the hashes of complete subtrees *nodes*, given as (level, index)."""
        with self._lock:
            hashes = _read(
                self._tiles.get,
                nodes,
                self._height,
                self._level_starts,
                touch=self._tiles.move_to_end,
            )
            if hashes is not None:
                return hashes
            # Keep the copies held now: another reader may evict them meanwhile.
            keys = {self._tile_of(level, index) for level, index in nodes}
            held = {key: self._tiles[key] for key in keys if key in self._tiles}
        # Fetch the tiles that are missing or too narrow for some node.
        wanted = {
            self._tile_of(level, index)
            for level, index in nodes
            if self._read_one(held.get, level, index) is None
        }
        copies = held | {key: self._put(key, data) for key, data in self._fetch(wanted).items()}
        out = []
        for level, index in nodes:
            h = self._read_one(copies.get, level, index) if level >= 0 and index >= 0 else None
            if h is None:
                raise NotFound(f"tree node at level {level}, index {index} is not stored yet")
            out.append(h)
        return out

    def _read_one(
        self, tile: Callable[[TileKey], tuple[bytes, int] | None], level: int, index: int
    ) -> bytes | None:
        hashes = _read(tile, [(level, index)], self._height, self._level_starts)
        return None if hashes is None else hashes[0]

    def _tile_of(self, level: int, index: int) -> TileKey:
        height = self._height
        within = level % height
        return level // height, (index << within) >> height

    def _put(self, key: TileKey, data: bytes) -> tuple[bytes, int]:
        """Cache tile *key* as *data* unless a copy as wide is held; return the copy held."""
        with self._lock:
            held = self._tiles.get(key)
        width = len(data) // HASH_SIZE
        if held is not None and held[1] >= width:
            return held
        entry = (_block(expand(data, height=self._height), self._height), width)
        with self._lock:
            held = self._tiles.get(key)
            if held is not None and held[1] >= width:
                return held  # another thread stored a copy at least as wide meanwhile
            self._tiles[key] = entry
            self._tiles.move_to_end(key)
            while len(self._tiles) > self._capacity:
                self._tiles.popitem(last=False)
        return entry


def _read(
    tile: Callable[[TileKey], tuple[bytes, int] | None],
    nodes: Sequence[tuple[int, int]],
    height: int,
    level_start: Sequence[int],
    *,
    touch: Callable[[TileKey], None] | None = None,
) -> list[bytes] | None:
    """Return the hashes of *nodes* if the tiles *tile* gives hold them all, else None.

    A warm proof is nearly all this loop, so it does little per node: a
    proof's nodes come in runs from one tile (bottom-up, *height* levels
    each), so the tile is looked up, and marked recently used, once per run.
    (CPython does not specialise ``>>`` and ``&`` on ints any more than ``//``
    and ``%``, so a height held in a local costs what the constant 8 did.)
    """
    out: list[bytes] = []
    append = out.append
    offset_mask = (1 << height) - 1
    held_level = held_index = -1
    block = b""
    width = 0
    for level, index in nodes:
        within = level % height
        tile_level = level // height
        tile_index = (index << within) >> height
        if tile_index != held_index or tile_level != held_level:
            key = (tile_level, tile_index)
            entry = tile(key)
            if entry is None:
                return None
            if touch is not None:
                touch(key)
            block, width = entry
            held_level, held_index = tile_level, tile_index
        offset = index & (offset_mask >> within)
        if (offset + 1) << within > width:
            return None  # past the width of a partial tile
        start = level_start[within] + offset * HASH_SIZE
        append(block[start : start + HASH_SIZE])
    return out


def _block(levels: list[bytes], height: int) -> bytes:
    """Return the levels of a tile laid out as in a full tile, padding short rows."""
    width = 1 << height
    return b"".join(row.ljust((width >> r) * HASH_SIZE, b"\0") for r, row in enumerate(levels))
