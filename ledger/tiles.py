"""C2SP tlog-tiles: tile paths, hash tiles and entry bundles.

A log is served as static tiles (https://c2sp.org/tlog-tiles). A hash tile at
level L holds up to 256 consecutive hashes of the tree's level 8*L, so tile
height is 8; tile N at level L covers those hashes [256*N, 256*N + 256). A
tile holding fewer than 256 hashes is partial and is served at a path with a
``.p/<W>`` suffix. An entry bundle holds the leaves whose leaf hashes make up
the level 0 tile of the same index, each prefixed by its 2-byte length.

Everything here is pure: it maps between tree coordinates, paths and bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.merkle import HASH_SIZE, node_hash

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
# 2-byte length prefix: C2SP tlog-tiles entry bundles cap an entry at 65,535 bytes.
MAX_ENTRY_SIZE = 0xFFFF
ENTRIES = "entries"

_INDEX_ELEMENT = re.compile(r"^x[0-9]{3}$")
_LAST_ELEMENT = re.compile(r"^[0-9]{3}$")


@dataclass(frozen=True)
class TileRef:
    """One tile: ``level`` is None for an entry bundle; ``width`` is 1..256."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    @property
    def is_full(self) -> bool:
        """Return whether the tile holds all 256 hashes (and so never changes)."""
        return self.width == TILE_WIDTH

    def path(self) -> str:
        """Return the tile's path below the log prefix, e.g. ``tile/0/x001/234.p/7``."""
        kind = ENTRIES if self.level is None else str(self.level)
        suffix = "" if self.is_full else f".p/{self.width}"
        return f"tile/{kind}/{encode_index(self.index)}{suffix}"


def encode_index(index: int) -> str:
    """Return *index* as C2SP path elements: zero-padded groups of 3 digits, all but the last x-prefixed."""
    if index < 0:
        raise MalformedInput(f"tile index {index} is negative")
    groups = []
    while True:
        groups.append(f"{index % 1000:03d}")
        index //= 1000
        if index == 0:
            break
    groups.reverse()
    return "/".join([f"x{g}" for g in groups[:-1]] + [groups[-1]])


def parse_tile_path(path: str) -> TileRef:
    """Return the tile named by *path* (``<L or entries>/<N>[.p/<W>]``, without ``tile/``)."""
    kind, _, rest = path.partition("/")
    if kind == ENTRIES:
        level = None
    elif kind.isdigit() and kind == str(int(kind)) and int(kind) <= 63:
        level = int(kind)
    else:
        raise MalformedInput(f"tile path {path!r}: level must be 0..63 or 'entries'")
    width = TILE_WIDTH
    if ".p/" in rest:
        rest, _, w = rest.partition(".p/")
        if not (w.isdigit() and w == str(int(w)) and 1 <= int(w) < TILE_WIDTH):
            raise MalformedInput(f"tile path {path!r}: partial width must be 1..255")
        width = int(w)
    elements = rest.split("/")
    if not rest or not _LAST_ELEMENT.match(elements[-1]):
        raise MalformedInput(f"tile path {path!r}: index must end in a 3-digit element")
    if any(not _INDEX_ELEMENT.match(e) for e in elements[:-1]):
        raise MalformedInput(f"tile path {path!r}: leading index elements must look like x123")
    index = int("".join(e.lstrip("x") for e in elements))
    if encode_index(index) != rest:
        raise MalformedInput(f"tile path {path!r}: index is not in canonical form")
    return TileRef(level, index, width)


def tile_width_at(level: int, index: int, size: int) -> int:
    """Return how many hashes tile *index* at *level* holds in a tree of *size* leaves (0 if none)."""
    count = size >> (TILE_HEIGHT * level)
    return max(0, min(TILE_WIDTH, count - index * TILE_WIDTH))


def tiles_for_size(size: int) -> list[TileRef]:
    """Return every hash tile of a tree of *size* leaves, the partial right edge included."""
    refs = []
    level = 0
    while (count := size >> (TILE_HEIGHT * level)) > 0:
        for index in range((count + TILE_WIDTH - 1) // TILE_WIDTH):
            refs.append(TileRef(level, index, tile_width_at(level, index, size)))
        level += 1
    return refs


def locate(level: int, index: int) -> tuple[int, int, int, int]:
    """Return (tile level, tile index, level within tile, offset) of tree node (*level*, *index*)."""
    tile_level, within = divmod(level, TILE_HEIGHT)
    base = index << within
    tile_index = base >> TILE_HEIGHT
    offset = index - (tile_index << (TILE_HEIGHT - within))
    return tile_level, tile_index, within, offset


def expand(data: bytes) -> list[bytes]:
    """Return the tile's hashes at each level within it: element r holds level r, concatenated."""
    if len(data) % HASH_SIZE or len(data) > TILE_WIDTH * HASH_SIZE:
        raise MalformedInput(f"hash tile of {len(data)} bytes is not 1..256 hashes of 32 bytes")
    levels = [data]
    current = data
    for _ in range(TILE_HEIGHT - 1):
        pairs = len(current) // (2 * HASH_SIZE)
        if pairs == 0:
            break
        current = b"".join(
            node_hash(
                current[2 * i * HASH_SIZE : (2 * i + 1) * HASH_SIZE],
                current[(2 * i + 1) * HASH_SIZE : (2 * i + 2) * HASH_SIZE],
            )
            for i in range(pairs)
        )
        levels.append(current)
    return levels


def node_in(levels: Sequence[bytes], within: int, offset: int) -> bytes | None:
    """Return the hash at (*within*, *offset*) of an expanded tile, or None if the tile is too narrow."""
    if within >= len(levels):
        return None
    h = levels[within][offset * HASH_SIZE : (offset + 1) * HASH_SIZE]
    return h if len(h) == HASH_SIZE else None


def encode_entry_bundle(entries: Iterable[bytes]) -> bytes:
    """Return the entries as a C2SP entry bundle: each one prefixed by its big-endian 2-byte length."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise MalformedInput(f"entry of {len(entry)} bytes exceeds {MAX_ENTRY_SIZE} bytes")
        out += len(entry).to_bytes(2, "big")
        out += entry
    return bytes(out)


def decode_entry_bundle(data: bytes) -> list[bytes]:
    """Return the entries of a C2SP entry bundle."""
    entries = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise MalformedInput("entry bundle ends inside a length prefix")
        n = int.from_bytes(data[pos : pos + 2], "big")
        if pos + 2 + n > len(data):
            raise MalformedInput(f"entry bundle is truncated: entry at byte {pos} needs {n} bytes")
        entries.append(data[pos + 2 : pos + 2 + n])
        pos += 2 + n
    return entries
