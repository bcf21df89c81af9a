"""A cache of expanded hash tiles that answers the Merkle math's hash reads.

Proofs and roots ask for complete subtrees (``merkle.HashReader``). Each such
node lies in one hash tile; the cache keeps tiles expanded to all 8 levels
within them, so a node costs a slice once its tile is loaded. A tile's prefix
never changes as the log grows, so a cached tile answers any request that
fits its width, and a wider copy simply replaces a narrower one. The cache
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

from cunzheng.ledger.errors import NotFound
from cunzheng.ledger.merkle import HASH_SIZE
from cunzheng.ledger.tiles import TILE_HEIGHT, TILE_WIDTH, expand

TileKey = tuple[int, int]
FetchTiles = Callable[[Iterable[TileKey]], dict[TileKey, bytes]]

# Where level r of a tile starts in its block: after the 256 + 128 + ... hashes below it.
_LEVEL_START = tuple(
    (2 * TILE_WIDTH - (2 * TILE_WIDTH >> r)) * HASH_SIZE for r in range(TILE_HEIGHT)
)
# tlog-tiles fixes the height at 8, so a tree level splits into tile level and
# level within the tile by a shift and a mask.
_LEVEL_SHIFT = 3
assert 1 << _LEVEL_SHIFT == TILE_HEIGHT
_WITHIN = TILE_HEIGHT - 1


class TileCache:
    """Expanded hash tiles by (level, index), least recently used first out."""

    def __init__(self, fetch: FetchTiles, *, capacity: int = 4096) -> None:
        self._fetch = fetch
        self._capacity = capacity
        # (tile level, tile index) -> (block, width), least recently used first.
        self._tiles: OrderedDict[TileKey, tuple[bytes, int]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: TileKey, data: bytes) -> None:
        """Remember tile *key* as *data* unless a copy at least as wide is cached."""
        self._put(key, data)

    def read_hashes(self, nodes: Sequence[tuple[int, int]]) -> list[bytes]:
        """Return the hashes of complete subtrees *nodes*, given as (level, index)."""
        with self._lock:
            hashes = _read(self._tiles.get, nodes, touch=self._tiles.move_to_end)
            if hashes is not None:
                return hashes
            # Keep the copies held now: another reader may evict them meanwhile.
            keys = {_tile_of(level, index) for level, index in nodes}
            held = {key: self._tiles[key] for key in keys if key in self._tiles}
        # Fetch the tiles that are missing or too narrow for some node.
        wanted = {
            _tile_of(level, index)
            for level, index in nodes
            if _read(held.get, [(level, index)]) is None
        }
        copies = held | {key: self._put(key, data) for key, data in self._fetch(wanted).items()}
        out = []
        for level, index in nodes:
            h = _read(copies.get, [(level, index)]) if level >= 0 and index >= 0 else None
            if h is None:
                raise NotFound(f"tree node at level {level}, index {index} is not stored yet")
            out.append(h[0])
        return out

    def _put(self, key: TileKey, data: bytes) -> tuple[bytes, int]:
        """Cache tile *key* as *data* unless a copy as wide is held; return the copy held."""
        with self._lock:
            held = self._tiles.get(key)
        width = len(data) // HASH_SIZE
        if held is not None and held[1] >= width:
            return held
        entry = (_block(expand(data)), width)
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
    *,
    touch: Callable[[TileKey], None] | None = None,
) -> list[bytes] | None:
    """Return the hashes of *nodes* if the tiles *tile* gives hold them all, else None.

    A warm proof is nearly all this loop, so it does little per node: a
    proof's nodes come in runs from one tile (bottom-up, eight levels each),
    so the tile is looked up, and marked recently used, once per run.
    """
    out: list[bytes] = []
    append = out.append
    level_start = _LEVEL_START
    held_level = held_index = -1
    block = b""
    width = 0
    for level, index in nodes:
        within = level & _WITHIN
        tile_level = level >> _LEVEL_SHIFT
        tile_index = (index << within) >> TILE_HEIGHT
        if tile_index != held_index or tile_level != held_level:
            key = (tile_level, tile_index)
            entry = tile(key)
            if entry is None:
                return None
            if touch is not None:
                touch(key)
            block, width = entry
            held_level, held_index = tile_level, tile_index
        offset = index & ((TILE_WIDTH - 1) >> within)
        if (offset + 1) << within > width:
            return None  # past the width of a partial tile
        start = level_start[within] + offset * HASH_SIZE
        append(block[start : start + HASH_SIZE])
    return out


def _tile_of(level: int, index: int) -> TileKey:
    within = level & _WITHIN
    return level >> _LEVEL_SHIFT, (index << within) >> TILE_HEIGHT


def _block(levels: list[bytes]) -> bytes:
    """Return the levels of a tile laid out as in a full tile, padding short rows."""
    return b"".join(row.ljust((TILE_WIDTH >> r) * HASH_SIZE, b"\0") for r, row in enumerate(levels))
