"""C2SP tlog-tiles paths, hash tiles and entry bundles."""

from __future__ import annotations

import hashlib
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cunzheng.ledger import merkle
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.tiles import (
    TileRef,
    decode_entry_bundle,
    encode_entry_bundle,
    encode_index,
    expand,
    locate,
    node_in,
    parse_tile_path,
    tile_width_at,
    tiles_for_size,
)

# Examples from the C2SP tlog-tiles specification.
SPEC_INDEXES = {0: "000", 1: "001", 999: "999", 1000: "x001/000", 1234067: "x001/x234/067"}


@pytest.mark.parametrize(("index", "path"), SPEC_INDEXES.items())
def test_index_encoding_matches_the_spec(index: int, path: str) -> None:
    assert encode_index(index) == path
    assert parse_tile_path(f"0/{path}") == TileRef(0, index)


def test_paths_of_partial_tiles_and_entry_bundles() -> None:
    assert TileRef(2, 1234067, 7).path() == "tile/2/x001/x234/067.p/7"
    assert TileRef(None, 5).path() == "tile/entries/005"
    assert parse_tile_path("entries/x001/000.p/255") == TileRef(None, 1000, 255)


@pytest.mark.parametrize(
    "path",
    [
        "0/1",
        "0/0001",
        "0/x1/000",
        "0/000/001",
        "0/x000/001",
        "0/000.p/0",
        "0/000.p/256",
        "0/000.p/007",
        "64/000",
        "01/000",
        "-1/000",
        "0/",
        "0",
        "data/000",
        "0/abc",
        "0/000.p/",
    ],
)
def test_malformed_tile_paths_are_refused(path: str) -> None:
    with pytest.raises(MalformedInput):
        parse_tile_path(path)


@given(st.integers(min_value=0, max_value=2**63), st.integers(min_value=1, max_value=256))
def test_paths_round_trip(index: int, width: int) -> None:
    ref = TileRef(3, index, width)
    assert parse_tile_path(ref.path().removeprefix("tile/")) == ref


def test_tiles_of_a_tree() -> None:
    size = 256 * 256 + 300
    refs = tiles_for_size(size)
    assert TileRef(0, 256) in refs and TileRef(0, 257, 300 - 256) in refs
    assert TileRef(1, 0, 256) in refs and TileRef(1, 1, 1) in refs
    assert TileRef(2, 0, 1) in refs
    assert tile_width_at(0, 258, size) == 0
    assert tiles_for_size(0) == []


def _leaf_hashes(n: int) -> list[bytes]:
    return [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


@pytest.mark.parametrize("width", [1, 2, 3, 100, 255, 256])
def test_expanded_tiles_hold_the_subtree_hashes(width: int) -> None:
    hashes = _leaf_hashes(width)
    levels = expand(b"".join(hashes))
    for level in range(8):
        for offset in range(width >> level):
            lo, hi = offset << level, (offset + 1) << level
            assert node_in(levels, level, offset) == merkle.root_from_leaf_hashes(hashes[lo:hi])
        assert node_in(levels, level, width >> level) is None


def test_locate_maps_tree_nodes_to_tiles() -> None:
    assert locate(0, 300) == (0, 1, 0, 44)
    assert locate(8, 3) == (1, 0, 0, 3)
    assert locate(3, 33) == (0, 1, 3, 1)
    assert locate(17, 1) == (2, 0, 1, 1)


def test_malformed_hash_tiles_are_refused() -> None:
    with pytest.raises(MalformedInput):
        expand(b"\x00" * 33)
    with pytest.raises(MalformedInput):
        expand(b"\x00" * 32 * 257)


@given(st.lists(st.binary(max_size=300), max_size=20))
def test_entry_bundles_round_trip(entries: list[bytes]) -> None:
    assert decode_entry_bundle(encode_entry_bundle(entries)) == entries


def test_truncated_entry_bundles_are_refused() -> None:
    bundle = encode_entry_bundle([b"abc", b"defg"])
    for cut in range(1, len(bundle)):
        if cut in (5,):  # a cut between entries is a valid shorter bundle
            continue
        with pytest.raises(MalformedInput):
            decode_entry_bundle(bundle[:cut])


def test_oversized_entries_cannot_be_bundled() -> None:
    with pytest.raises(MalformedInput):
        encode_entry_bundle([b"x" * 65536])
    assert len(encode_entry_bundle([b"x" * 65535])) == 65537


def test_entry_bundle_vector() -> None:
    bundle = encode_entry_bundle([b"", b"hello"])
    assert bundle == b"\x00\x00\x00\x05hello"


# -- Other tile heights --------------------------------------------------------
#
# tlog-tiles serves height 8 only, but the math takes the height as a
# parameter, as Go's sumdb/tlog does: at height 1, 2 or 3 a tree of a few
# hundred leaves already has many levels of tiles, full and partial, so
# every way a node can sit in a tile is reached by a small tree.

SMALL_HEIGHTS = [1, 2, 3]
LEAVES = [b"leaf %d" % i for i in range(700)]


@cache
def _mth(lo: int, hi: int) -> bytes:
    """The RFC 9162 hash of leaves [lo, hi), straight from the definition (hi > lo)."""
    if hi - lo == 1:
        return hashlib.sha256(b"\x00" + LEAVES[lo]).digest()
    k = 1 << (hi - lo - 1).bit_length() - 1
    return hashlib.sha256(b"\x01" + _mth(lo, lo + k) + _mth(lo + k, hi)).digest()


def _complete_nodes(size: int) -> list[tuple[int, int]]:
    """Every complete subtree (level, index) of the tree of *size* leaves."""
    return [(lv, i) for lv in range(size.bit_length()) for i in range(size >> lv)]


def _cut(size: int, height: int) -> dict[tuple[int, int], bytes]:
    """The hash tiles of the tree of *size* leaves at *height*, by (level, index)."""
    tiles = {}
    for ref in tiles_for_size(size, height=height):
        assert ref.level is not None and ref.height == height
        row, first = ref.level * height, ref.index << height
        tiles[ref.level, ref.index] = b"".join(
            _mth((first + k) << row, (first + k + 1) << row) for k in range(ref.width)
        )
    return tiles


@pytest.mark.parametrize("height", [*SMALL_HEIGHTS, 8])
def test_every_node_read_through_tiles_is_its_subtree_hash(height: int) -> None:
    for size in [*range(1, 80), 127, 128, 129, 255, 256, 257, 300, 511, 512, 513, 700]:
        tiles = _cut(size, height)
        expanded = {key: expand(data, height=height) for key, data in tiles.items()}
        for level, index in _complete_nodes(size):
            tile_level, tile_index, within, offset = locate(level, index, height=height)
            got = node_in(expanded[tile_level, tile_index], within, offset)
            assert got == _mth(index << level, (index + 1) << level), (size, level, index)


@pytest.mark.parametrize("height", SMALL_HEIGHTS)
def test_tiles_of_a_tree_at_other_heights(height: int) -> None:
    full = 1 << height
    for size in range(0, 300):
        refs = tiles_for_size(size, height=height)
        for level in range(size.bit_length() // height + 1):
            row = [ref for ref in refs if ref.level == level]
            hashes = size >> (level * height)  # complete nodes at tree level level * height
            assert [ref.index for ref in row] == list(range(len(row)))
            assert sum(ref.width for ref in row) == hashes
            assert all(ref.is_full for ref in row[:-1])
            assert all(ref.width == full for ref in row if ref.is_full)
        for ref in refs:
            assert ref.width == tile_width_at(ref.level or 0, ref.index, size, height=height)
            assert 1 <= ref.width <= full
        assert tile_width_at(0, -(-size // full), size, height=height) == 0


@given(
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=0, max_value=63),
    st.integers(min_value=0, max_value=2**40),
)
def test_locate_splits_a_node_into_tile_and_place(height: int, level: int, index: int) -> None:
    tile_level, tile_index, within, offset = locate(level, index, height=height)
    assert level == tile_level * height + within and 0 <= within < height
    # The node's hashes at the tile's base row start where the tile starts, plus offset.
    assert 0 <= offset < (1 << height) >> within
    assert index << within == (tile_index << height) + (offset << within)


@given(st.integers(min_value=1, max_value=8), st.integers(min_value=1, max_value=256))
def test_expand_holds_every_level_of_a_partial_tile(height: int, width: int) -> None:
    width = min(width, 1 << height)
    hashes = [hashlib.sha256(b"\x00" + LEAVES[i]).digest() for i in range(width)]
    levels = expand(b"".join(hashes), height=height)
    assert len(levels) == min(height, width.bit_length())
    for within, row in enumerate(levels):
        assert row == b"".join(_mth(k << within, (k + 1) << within) for k in range(width >> within))


def test_tiles_at_other_heights_have_no_wire_path() -> None:
    ref = TileRef(0, 3, 4, height=2)
    assert ref.is_full and not TileRef(0, 3, 3, height=2).is_full
    assert TileRef(0, 3) == TileRef(0, 3, 256, height=8)
    with pytest.raises(ValueError, match="height 2"):
        ref.path()


def test_malformed_tiles_at_other_heights_are_refused() -> None:
    with pytest.raises(MalformedInput, match="1..4 hashes"):
        expand(b"\x00" * 32 * 5, height=2)
    for height in [0, -1, 64]:
        with pytest.raises(ValueError):
            tiles_for_size(10, height=height)
        with pytest.raises(ValueError):
            locate(0, 0, height=height)
