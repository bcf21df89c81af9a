"""Tests for ledger.tilecache: a cache of hash tiles reads as the tree it caches.

The source of truth is a Frontier's completed nodes: every complete subtree of a
tree large enough to have three levels of tiles, partial tiles at each.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Sequence
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cunzheng.ledger import merkle
from cunzheng.ledger.committed import CommittedTree
from cunzheng.ledger.errors import NotFound
from cunzheng.ledger.tilecache import TileCache
from cunzheng.ledger.tiles import TILE_HEIGHT, TILE_WIDTH, tiles_for_size

# Full tiles at tile levels 0 and 1, partial ones at levels 0, 1 and 2.
SIZE = TILE_WIDTH**2 + 3 * TILE_WIDTH + 77

Node = tuple[int, int]
TileKey = tuple[int, int]


@cache
def all_nodes() -> dict[Node, bytes]:
    """Every complete subtree (level, index) of the tree of SIZE leaves."""
    frontier = merkle.Frontier.empty()
    nodes = {}
    for i in range(SIZE):
        for level, index, h in frontier.append(merkle.leaf_hash(i.to_bytes(4, "big"))):
            nodes[(level, index)] = h
    return nodes


def tree_read(nodes: Sequence[Node]) -> list[bytes]:
    return [all_nodes()[node] for node in nodes]


def tile_data(level: int, index: int, width: int, *, height: int = TILE_HEIGHT) -> bytes:
    """The hash tile (level, index) of the given *height* holding *width* hashes."""
    row = height * level
    return b"".join(all_nodes()[(row, (index << height) + k)] for k in range(width))


def nodes_of(size: int) -> list[Node]:
    """The complete subtrees of the tree of *size* leaves."""
    return [(level, index) for level, index in all_nodes() if (index + 1) << level <= size]


class Store:
    """The hash tiles of the tree of *size* leaves, counting what is fetched."""

    def __init__(self, size: int, *, height: int = TILE_HEIGHT) -> None:
        self.tiles = {
            (ref.level, ref.index): tile_data(ref.level, ref.index, ref.width, height=height)
            for ref in tiles_for_size(size, height=height)
            if ref.level is not None
        }
        self.fetched: list[TileKey] = []

    def fetch(self, keys: Iterable[TileKey]) -> dict[TileKey, bytes]:
        keys = sorted(keys)
        self.fetched += keys
        return {key: self.tiles[key] for key in keys if key in self.tiles}


def test_every_node_is_read_as_stored() -> None:
    store = Store(SIZE)
    tiles = TileCache(store.fetch, capacity=len(store.tiles))
    nodes = nodes_of(SIZE)
    random.Random(1).shuffle(nodes)
    for start in range(0, len(nodes), 40):
        batch = nodes[start : start + 40]
        assert tiles.read_hashes(batch) == tree_read(batch)
    assert sorted(store.fetched) == sorted(store.tiles)  # each tile fetched once
    assert tiles.read_hashes(nodes) == tree_read(nodes)  # and all served from memory
    assert len(store.fetched) == len(store.tiles)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=SIZE), st.randoms(use_true_random=False))
def test_proofs_from_partial_tiles_match_the_tree(size: int, rng: random.Random) -> None:
    store = Store(size)
    tiles = TileCache(store.fetch, capacity=8)
    for _ in range(5):
        index = rng.randrange(size)
        got = merkle.inclusion_proof(index, size, tiles.read_hashes)
        assert got == merkle.inclusion_proof(index, size, tree_read)
        old = rng.randrange(1, size + 1)
        got = merkle.consistency_proof(old, size, tiles.read_hashes)
        assert got == merkle.consistency_proof(old, size, tree_read)
    assert merkle.root(size, tiles.read_hashes) == merkle.root(size, tree_read)


def test_a_narrow_tile_is_widened_when_a_node_lies_past_it() -> None:
    store = Store(SIZE)
    tiles = TileCache(store.fetch)
    tiles.put((0, 0), tile_data(0, 0, 3))
    assert tiles.read_hashes([(0, 2), (1, 0)]) == tree_read([(0, 2), (1, 0)])
    assert store.fetched == []
    assert tiles.read_hashes([(0, 2), (0, 200), (3, 5)]) == tree_read([(0, 2), (0, 200), (3, 5)])
    assert store.fetched == [(0, 0)]
    tiles.put((0, 0), tile_data(0, 0, 5))  # narrower than the copy held: ignored
    assert tiles.read_hashes([(0, 255), (7, 1)]) == tree_read([(0, 255), (7, 1)])
    assert store.fetched == [(0, 0)]


def test_nodes_not_stored_are_not_found() -> None:
    store = Store(300)  # level 0: tile 0 full, tile 1 holds 44 hashes
    tiles = TileCache(store.fetch)
    with pytest.raises(NotFound, match="level 0, index 300 is not stored yet"):
        tiles.read_hashes([(0, 5), (0, 300)])
    with pytest.raises(NotFound, match="level 2, index 75 is not stored yet"):
        tiles.read_hashes([(2, 75)])  # leaves [300, 304)
    with pytest.raises(NotFound, match="level 9, index 0 is not stored yet"):
        tiles.read_hashes([(9, 0)])  # leaves [0, 512)
    for node in [(-1, 0), (0, -1), (-8, 3)]:
        with pytest.raises(NotFound):
            tiles.read_hashes([node])
    assert tiles.read_hashes([(0, 299), (2, 74)]) == tree_read([(0, 299), (2, 74)])


def test_the_least_recently_used_tile_is_evicted() -> None:
    store = Store(SIZE)
    tiles = TileCache(store.fetch, capacity=2)
    for node in [(0, 0), (0, 256), (0, 1), (0, 512)]:  # tiles (0,0), (0,1), (0,0), (0,2)
        tiles.read_hashes([node])
    assert store.fetched == [(0, 0), (0, 1), (0, 2)]
    tiles.read_hashes([(0, 5)])  # still cached: (0, 1) went
    assert store.fetched == [(0, 0), (0, 1), (0, 2)]
    tiles.read_hashes([(3, 32)])  # tile (0, 1) again, evicting (0, 2)
    assert store.fetched == [(0, 0), (0, 1), (0, 2), (0, 1)]
    tiles.read_hashes([(8, 0)])  # tile (1, 0), evicting (0, 0)
    tiles.read_hashes([(1, 130)])
    assert store.fetched == [(0, 0), (0, 1), (0, 2), (0, 1), (1, 0)]


def test_a_read_wider_than_the_cache_is_answered() -> None:
    store = Store(SIZE)
    tiles = TileCache(store.fetch, capacity=1)
    nodes = [(0, 0), (0, 256), (8, 1), (0, 512), (16, 0)]
    assert tiles.read_hashes(nodes) == tree_read(nodes)


def test_concurrent_readers_see_the_tree() -> None:
    store = Store(SIZE)
    tiles = TileCache(store.fetch, capacity=4)
    nodes = nodes_of(SIZE)
    errors: list[BaseException] = []

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(100):
                batch = rng.sample(nodes, 6)
                assert tiles.read_hashes(batch) == tree_read(batch)
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=reader, args=(seed,)) for seed in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


# -- Other tile heights --------------------------------------------------------
#
# At height 1, 2 or 3 a tree of a few hundred leaves has many levels of
# tiles, so proofs cross tile boundaries, partial tiles and tile levels in
# every way height 8 would need millions of leaves to show.

SMALL_HEIGHTS = [1, 2, 3]


@pytest.mark.parametrize("height", SMALL_HEIGHTS)
def test_every_node_is_read_as_stored_at_other_heights(height: int) -> None:
    for size in [1, 2, 3, 5, 8, 13, 64, 100, 255, 256, 257, 1000, 4097]:
        store = Store(size, height=height)
        tiles = TileCache(store.fetch, capacity=7, height=height)
        nodes = nodes_of(size)
        random.Random(size).shuffle(nodes)
        for start in range(0, len(nodes), 9):
            batch = nodes[start : start + 9]
            assert tiles.read_hashes(batch) == tree_read(batch), (size, batch)


@pytest.mark.parametrize("height", SMALL_HEIGHTS)
def test_every_proof_of_small_trees_through_tiles(height: int) -> None:
    for size in range(1, 130):
        store = Store(size, height=height)
        tiles = TileCache(store.fetch, capacity=5, height=height)
        for index in range(size):
            got = merkle.inclusion_proof(index, size, tiles.read_hashes)
            assert got == merkle.inclusion_proof(index, size, tree_read), (size, index)
        for old in range(size + 1):
            got = merkle.consistency_proof(old, size, tiles.read_hashes)
            assert got == merkle.consistency_proof(old, size, tree_read), (old, size)
        assert merkle.root(size, tiles.read_hashes) == merkle.root(size, tree_read)


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(SMALL_HEIGHTS),
    st.integers(min_value=1, max_value=SIZE),
    st.randoms(use_true_random=False),
)
def test_proofs_through_tiles_at_other_heights_match(
    height: int, size: int, rng: random.Random
) -> None:
    store = Store(size, height=height)
    tiles = TileCache(store.fetch, capacity=16, height=height)
    for _ in range(10):
        index = rng.randrange(size)
        got = merkle.inclusion_proof(index, size, tiles.read_hashes)
        assert got == merkle.inclusion_proof(index, size, tree_read)
        old = rng.randrange(0, size + 1)
        got = merkle.consistency_proof(old, size, tiles.read_hashes)
        assert got == merkle.consistency_proof(old, size, tree_read)


@pytest.mark.parametrize("height", SMALL_HEIGHTS)
def test_a_growing_tree_widens_its_cached_tiles(height: int) -> None:
    """As the log does: each new size puts its right-edge tiles, wider than before."""
    fetched: list[TileKey] = []

    def fetch(keys: Iterable[TileKey]) -> dict[TileKey, bytes]:
        fetched.extend(keys)
        return {}

    tiles = TileCache(fetch, height=height)
    for size in range(1, 300):
        for ref in tiles_for_size(size, height=height):
            assert ref.level is not None
            tiles.put(
                (ref.level, ref.index), tile_data(ref.level, ref.index, ref.width, height=height)
            )
        for index in {0, size // 3, size - 1}:
            got = merkle.inclusion_proof(index, size, tiles.read_hashes)
            assert got == merkle.inclusion_proof(index, size, tree_read)
        got = merkle.consistency_proof(size // 2, size, tiles.read_hashes)
        assert got == merkle.consistency_proof(size // 2, size, tree_read)
    assert fetched == []  # every node was answered from the tiles put


@pytest.mark.parametrize("height", SMALL_HEIGHTS)
def test_nodes_past_a_partial_tile_are_not_found_at_other_heights(height: int) -> None:
    size = 21
    tiles = TileCache(Store(size, height=height).fetch, height=height)
    for level in range(6):
        beyond = size >> level  # the first complete node at this level not in the tree
        with pytest.raises(NotFound):
            tiles.read_hashes([(level, beyond)])
        if beyond:
            assert tiles.read_hashes([(level, beyond - 1)]) == tree_read([(level, beyond - 1)])


def test_a_tile_height_outside_1_to_63_is_refused() -> None:
    for height in [0, -1, 64]:
        with pytest.raises(ValueError, match="tile height"):
            TileCache(Store(1).fetch, height=height)


def test_warming_loads_every_tile_of_the_tree() -> None:
    store = Store(SIZE)
    tree = CommittedTree(store.fetch, tile_cache=16)
    loaded = tree.warm(SIZE, limit=10_000)
    assert loaded == len(store.tiles) and tree.warmed == (loaded, loaded)
    store.fetched.clear()
    for size in (1, TILE_WIDTH, SIZE // 2, SIZE):
        assert tree.read_hashes(nodes_of(size)) == tree_read(nodes_of(size))
    assert store.fetched == []


def test_warming_stops_at_the_limit_keeping_the_upper_levels() -> None:
    store = Store(SIZE)
    tree = CommittedTree(store.fetch, tile_cache=4)
    assert tree.warm(SIZE, limit=6) == 6
    upper = {key for key in store.tiles if key[0] > 0}
    assert upper <= set(store.fetched)
