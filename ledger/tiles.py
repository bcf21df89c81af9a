"""C2SP tlog-tiles: tile paths, hash tiles and entry bundles.

A log is served as static tiles (https://c2sp.org/tlog-tiles). A hash tile at
level L holds up to 256 consecutive hashes of the tree's level 8*L, so tile
height is 8; tile N at level L covers those hashes [256*N, 256*N + 256). A
tile holding fewer than 256 hashes is partial and is served at a path with a
``.p/<W>`` suffix. An entry bundle holds the leaves whose leaf hashes make up
the level 0 tile of the same index, each prefixed by its 2-byte length.

The wire fixes the height at 8; the tree math (``tiles_for_size``,
``tile_width_at``, ``locate``, ``expand``) takes it as a keyword, as Go's
sumdb/tlog does, so that tests can cut a small tree into many levels of
tiles (height 1, 2, 3) and reach every edge case that height 8 hides.

Everything here is pure: it maps between tree coordinates, paths and bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
    """One tile: ``level`` is None for an entry bundle; ``width`` is 1..2**height."""

    level: int | None
    index: int
    width: int = TILE_WIDTH
    height: int = field(default=TILE_HEIGHT, kw_only=True)

    @property
    def is_full(self) -> bool:
        """Return whether the tile holds all 2**height hashes (and so never changes)."""
        return self.width == 1 << self.height

    def path(self) -> str:
        """Return the tile's path below the log prefix, e.g. ``tile/0/x001/234.p/7``."""
        if self.height != TILE_HEIGHT:
            raise ValueError(f"C2SP tlog-tiles has no path for a tile of height {self.height}")
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
    # A tree size is a uint64 (C2SP tlog-checkpoint), so no tile index has more than seven
    # 3-digit elements; refuse longer paths before int() reads thousands of digits.
    if len(elements) > 7:
        raise MalformedInput(f"tile path {path!r}: index is beyond any tree of 2^64 leaves")
    index = int("".join(e.lstrip("x") for e in elements))
    if encode_index(index) != rest:
        raise MalformedInput(f"tile path {path!r}: index is not in canonical form")
    return TileRef(level, index, width)


def tile_width_at(level: int, index: int, size: int, *, height: int = TILE_HEIGHT) -> int:
    """Return how many hashes tile *index* at *level* holds in a tree of *size* leaves (0 if none)."""
    count = size >> (height * level)
    return max(0, min(1 << height, count - (index << height)))


def tiles_for_size(size: int, *, height: int = TILE_HEIGHT) -> list[TileRef]:
    """Return every hash tile of a tree of *size* leaves, the partial right edge included."""
    _check_height(height)
    refs = []
    level = 0
    while (count := size >> (height * level)) > 0:
        for index in range((count + (1 << height) - 1) >> height):
            width = tile_width_at(level, index, size, height=height)
            refs.append(TileRef(level, index, width, height=height))
        level += 1
    return refs


def locate(level: int, index: int, *, height: int = TILE_HEIGHT) -> tuple[int, int, int, int]:
    """Return (tile level, tile index, level within tile, offset) of tree node (*level*, *index*)."""
    _check_height(height)
    tile_level, within = divmod(level, height)
    tile_index = (index << within) >> height
    offset = index - (tile_index << (height - within))
    return tile_level, tile_index, within, offset


def expand(data: bytes, *, height: int = TILE_HEIGHT) -> list[bytes]:
    """Return the tile's hashes at each level within it: element r holds level r, concatenated."""
    _check_height(height)
    if len(data) % HASH_SIZE or len(data) > HASH_SIZE << height:
        raise MalformedInput(
            f"hash tile of {len(data)} bytes is not 1..{1 << height} hashes of 32 bytes"
        )
    levels = [data]
    current = data
    for _ in range(height - 1):
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


def _check_height(height: int) -> None:
    if not 1 <= height <= 63:
        raise ValueError(f"tile height {height} is not 1..63")


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
