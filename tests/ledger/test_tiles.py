"""C2SP tlog-tiles paths, hash tiles and entry bundles."""

from __future__ import annotations

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
