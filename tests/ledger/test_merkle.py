"""Tests for ledger.merkle.

Three independent sources of truth: the published RFC 6962 reference-tree vectors
(tests/ledger/vectors/merkle/), a naive recursive implementation written straight
from the RFC 9162 §2.1 text, and pymerkle 7.0.0.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pymerkle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cunzheng.ledger import merkle
from cunzheng.ledger.errors import InvalidProof, MalformedInput

VECTORS = Path(__file__).parent / "vectors" / "merkle"
MAX_SIZE = 300
ENTRIES = [b"entry %d" % i for i in range(2 * MAX_SIZE)]
OTHER_HASH = hashlib.sha256(b"not a node of any tree here").digest()

# -- Naive reference: RFC 9162 §2.1, transcribed ------------------------------


def ref_leaf(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def ref_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def ref_k(n: int) -> int:
    k = 1
    while 2 * k < n:
        k *= 2
    return k


def ref_mth(d: Sequence[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return ref_leaf(d[0])
    k = ref_k(n)
    return ref_node(ref_mth(d[:k]), ref_mth(d[k:]))


def ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = ref_k(n)
    if m < k:
        return ref_path(m, d[:k]) + [ref_mth(d[k:])]
    return ref_path(m - k, d[k:]) + [ref_mth(d[:k])]


def ref_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = ref_k(n)
    if m <= k:
        return ref_subproof(m, d[:k], b) + [ref_mth(d[k:])]
    return ref_subproof(m - k, d[k:], False) + [ref_mth(d[:k])]


def ref_proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True)


def ref_nodes(lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """Yield every node [lo, hi) of the RFC 9162 tree over leaves [lo, hi)."""
    yield lo, hi
    if hi - lo > 1:
        k = ref_k(hi - lo)
        yield from ref_nodes(lo, lo + k)
        yield from ref_nodes(lo + k, hi)


# -- An in-memory store of complete subtrees ----------------------------------


class MemoryTree:
    """The complete subtrees of a tree of leaf hashes, served as a HashReader."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.levels = [list(leaf_hashes)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            pairs = range(0, len(below) - 1, 2)
            self.levels.append([ref_node(below[i], below[i + 1]) for i in pairs])
        self.calls: list[list[tuple[int, int]]] = []

    def read(self, nodes: Sequence[tuple[int, int]]) -> list[bytes]:
        self.calls.append(list(nodes))
        out = []
        for level, index in nodes:
            assert 0 <= level < len(self.levels), (level, index)
            assert 0 <= index < len(self.levels[level]), (level, index)
            out.append(self.levels[level][index])
        return out

    def all_nodes(self) -> dict[tuple[int, int], bytes]:
        return {(lv, i): h for lv, hs in enumerate(self.levels) for i, h in enumerate(hs)}


@cache
def leaf_hashes(size: int) -> tuple[bytes, ...]:
    return tuple(ref_leaf(e) for e in ENTRIES[:size])


def tree(size: int) -> MemoryTree:
    return MemoryTree(leaf_hashes(size))


@cache
def ref_root(size: int) -> bytes:
    return ref_mth(ENTRIES[:size])


def flip(h: bytes, bit: int) -> bytes:
    b = bytearray(h)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


def verifies(check: Callable[..., None], **kwargs: Any) -> bool:
    try:
        check(**kwargs)
    except InvalidProof:
        return False
    return True


# -- Published vectors ---------------------------------------------------------


@pytest.fixture(scope="module")
def reference_tree() -> dict[str, Any]:
    with open(VECTORS / "rfc6962-reference-tree.json") as f:
        vectors: dict[str, Any] = json.load(f)
    return vectors


def vector_parts(v: dict[str, Any]) -> tuple[list[bytes], MemoryTree, dict[int, bytes]]:
    hashes = [merkle.leaf_hash(bytes.fromhex(x)) for x in v["leaves"]]
    roots = {int(size): bytes.fromhex(r) for size, r in v["roots"].items()}
    return hashes, MemoryTree(hashes), roots


def test_reference_tree_roots(reference_tree: dict[str, Any]) -> None:
    hashes, store, roots = vector_parts(reference_tree)
    for size, want in roots.items():
        assert merkle.root(size, store.read) == want
        assert merkle.root_from_leaf_hashes(hashes[:size]) == want
        assert merkle.subtree_hash(0, size, store.read) == want
        assert merkle.Frontier.from_reader(size, store.read).root() == want


def test_reference_tree_inclusion_proofs(reference_tree: dict[str, Any]) -> None:
    hashes, store, roots = vector_parts(reference_tree)
    for v in reference_tree["inclusion"]:
        index, size = v["index"], v["size"]
        want = [bytes.fromhex(h) for h in v["proof"]]
        assert merkle.inclusion_proof(index, size, store.read) == want
        merkle.verify_inclusion(
            leaf_hash=hashes[index], index=index, size=size, proof=want, root=roots[size]
        )


def test_reference_tree_consistency_proofs(reference_tree: dict[str, Any]) -> None:
    _, store, roots = vector_parts(reference_tree)
    for v in reference_tree["consistency"]:
        old, new = v["old_size"], v["new_size"]
        want = [bytes.fromhex(h) for h in v["proof"]]
        assert merkle.consistency_proof(old, new, store.read) == want
        merkle.verify_consistency(
            old_size=old, new_size=new, old_root=roots[old], new_root=roots[new], proof=want
        )


def test_reference_tree_every_single_bit_flip_is_rejected(
    reference_tree: dict[str, Any],
) -> None:
    hashes, _, roots = vector_parts(reference_tree)
    for v in reference_tree["inclusion"]:
        i, n = v["index"], v["size"]
        good = {
            "leaf_hash": hashes[i],
            "root": roots[n],
            "proof": [bytes.fromhex(h) for h in v["proof"]],
        }
        for bad in _bit_flips(good):
            assert not verifies(merkle.verify_inclusion, index=i, size=n, **bad)
    for v in reference_tree["consistency"]:
        old, new = v["old_size"], v["new_size"]
        good = {
            "old_root": roots[old],
            "new_root": roots[new],
            "proof": [bytes.fromhex(h) for h in v["proof"]],
        }
        for bad in _bit_flips(good):
            assert not verifies(merkle.verify_consistency, old_size=old, new_size=new, **bad)


def _bit_flips(good: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for name, value in good.items():
        if name == "proof":
            for j, h in enumerate(value):
                for bit in range(8 * len(h)):
                    yield {**good, "proof": [*value[:j], flip(h, bit), *value[j + 1 :]]}
        else:
            for bit in range(8 * len(value)):
                yield {**good, name: flip(value, bit)}


# -- Against the naive RFC 9162 reference -------------------------------------


def test_hash_primitives() -> None:
    assert merkle.leaf_hash(b"abc") == ref_leaf(b"abc")
    assert merkle.node_hash(b"l" * 32, b"r" * 32) == ref_node(b"l" * 32, b"r" * 32)
    assert merkle.EMPTY_ROOT == hashlib.sha256(b"").digest() == ref_mth([])
    assert merkle.HASH_SIZE == 32


def test_small_trees_exhaustively() -> None:
    for n in range(0, 34):
        store = tree(n)
        assert merkle.root(n, store.read) == ref_root(n)
        for m in range(n):
            assert merkle.inclusion_proof(m, n, store.read) == ref_path(m, ENTRIES[:n])
        for m in range(1, n + 1):
            assert merkle.consistency_proof(m, n, store.read) == ref_proof(m, ENTRIES[:n])
        assert len(store.calls) <= 2 * n + 1


sizes = st.integers(min_value=1, max_value=MAX_SIZE)


@st.composite
def size_and_index(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(sizes)
    return n, draw(st.integers(min_value=0, max_value=n - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(min_value=2, max_value=MAX_SIZE))
    return draw(st.integers(min_value=1, max_value=n - 1)), n


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_SIZE))
def test_root_matches_reference(n: int) -> None:
    store = tree(n)
    assert merkle.root(n, store.read) == ref_root(n)
    assert merkle.root_from_leaf_hashes(leaf_hashes(n)) == ref_root(n)
    assert len(store.calls) == (1 if n else 0)


@settings(max_examples=150, deadline=None)
@given(size_and_index())
def test_inclusion_proof_matches_reference_and_verifies(case: tuple[int, int]) -> None:
    n, m = case
    store = tree(n)
    proof = merkle.inclusion_proof(m, n, store.read)
    assert proof == ref_path(m, ENTRIES[:n])
    assert len(store.calls) <= 1
    assert sum(map(len, store.calls)) <= 2 * n.bit_length()
    merkle.verify_inclusion(
        leaf_hash=leaf_hashes(n)[m], index=m, size=n, proof=proof, root=ref_root(n)
    )


@settings(max_examples=150, deadline=None)
@given(two_sizes())
def test_consistency_proof_matches_reference_and_verifies(case: tuple[int, int]) -> None:
    m, n = case
    store = tree(n)
    proof = merkle.consistency_proof(m, n, store.read)
    assert proof == ref_proof(m, ENTRIES[:n])
    assert len(store.calls) == 1
    merkle.verify_consistency(
        old_size=m, new_size=n, old_root=ref_root(m), new_root=ref_root(n), proof=proof
    )


@cache
def ref_range_hash(lo: int, hi: int) -> bytes:
    """MTH(ENTRIES[lo:hi]) by the RFC 9162 recursion, each node hashed once."""
    if hi - lo == 1:
        return ref_leaf(ENTRIES[lo])
    k = ref_k(hi - lo)
    return ref_node(ref_range_hash(lo, lo + k), ref_range_hash(lo + k, hi))


def ref_path_fast(m: int, lo: int, hi: int) -> list[bytes]:
    """ref_path(m - lo, ENTRIES[lo:hi]), with subtree hashes from ref_range_hash."""
    if hi - lo == 1:
        return []
    k = ref_k(hi - lo)
    if m < lo + k:
        return ref_path_fast(m, lo, lo + k) + [ref_range_hash(lo + k, hi)]
    return ref_path_fast(m, lo + k, hi) + [ref_range_hash(lo, lo + k)]


def ref_subproof_fast(m: int, lo: int, hi: int, b: bool) -> list[bytes]:
    """ref_subproof(m - lo, ENTRIES[lo:hi], b), with subtree hashes from ref_range_hash."""
    if m == hi:
        return [] if b else [ref_range_hash(lo, hi)]
    k = ref_k(hi - lo)
    if m <= lo + k:
        return ref_subproof_fast(m, lo, lo + k, b) + [ref_range_hash(lo + k, hi)]
    return ref_subproof_fast(m, lo + k, hi, False) + [ref_range_hash(lo, lo + k)]


def test_every_proof_up_to_max_size_matches_reference() -> None:
    # Proofs are computed bottom-up from bit tricks rather than by the RFC's
    # top-down recursion, so check every (index, size) and (old, new) pair.
    for n in range(1, MAX_SIZE + 1):
        store = tree(n)
        for m in range(n):
            store.calls.clear()
            assert merkle.inclusion_proof(m, n, store.read) == ref_path_fast(m, 0, n), (m, n)
            assert len(store.calls) == (1 if n > 1 else 0)
        for m in range(1, n):
            store.calls.clear()
            proof = merkle.consistency_proof(m, n, store.read)
            assert proof == ref_subproof_fast(m, 0, n, True), (m, n)
            assert len(store.calls) == 1


def test_right_edge_holds_every_incomplete_node_and_serves_proofs() -> None:
    for n in range(1, MAX_SIZE + 1):
        frontier = merkle.Frontier.from_reader(n, tree(n).read)
        edge = merkle.RightEdge(frontier)
        # The incomplete nodes are [lo, n) for each lo that clears one more set bit of n.
        starts = [n & ~((1 << b) - 1) for b in range(n.bit_length() + 1) if n & ((1 << b) - 1)]
        for lo in {lo for lo in starts if (n - lo).bit_count() > 1}:
            assert edge.node(lo) == ref_range_hash(lo, n), (lo, n)
        other = (
            merkle.RightEdge(merkle.Frontier.from_reader(n - 1, tree(n).read)) if n > 1 else edge
        )
        store = tree(n)
        for m in range(n):
            assert merkle.inclusion_proof(m, n, store.read, edge=edge) == ref_path_fast(m, 0, n)
            # An edge of another tree is ignored, never used.
            assert merkle.inclusion_proof(m, n, store.read, edge=other) == ref_path_fast(m, 0, n)
        for m in range(1, n):
            proof = merkle.consistency_proof(m, n, store.read, edge=edge)
            assert proof == ref_subproof_fast(m, 0, n, True), (m, n)


def test_subtree_hash_of_every_node() -> None:
    for n in (1, 2, 7, 8, 13, 64, 100):
        store = tree(n)
        for lo, hi in ref_nodes(0, n):
            assert merkle.subtree_hash(lo, hi, store.read) == ref_mth(ENTRIES[lo:hi])


def test_frontier_matches_reference_after_each_append() -> None:
    frontier = merkle.Frontier.empty()
    assert frontier.root() == merkle.EMPTY_ROOT
    reported: dict[tuple[int, int], bytes] = {}
    for n, h in enumerate(leaf_hashes(MAX_SIZE), start=1):
        completed = frontier.append(h)
        assert completed[0] == (0, n - 1, h)
        assert [level for level, _, _ in completed] == list(range(len(completed)))
        for level, index, node in completed:
            assert (level, index) not in reported
            assert node == ref_mth(ENTRIES[index << level : (index + 1) << level])
            reported[(level, index)] = node
        assert frontier.size == n
        assert frontier.root() == ref_root(n)
    assert reported == tree(MAX_SIZE).all_nodes()


@settings(max_examples=60, deadline=None)
@given(two_sizes())
def test_frontier_from_reader_continues_the_tree(case: tuple[int, int]) -> None:
    m, n = case
    store = tree(m)
    frontier = merkle.Frontier.from_reader(m, store.read)
    assert len(store.calls) == 1
    assert frontier.size == m
    assert frontier.root() == ref_root(m)
    full = tree(n).all_nodes()
    for h in leaf_hashes(n)[m:]:
        for level, index, node in frontier.append(h):
            assert full[(level, index)] == node
    assert frontier.root() == ref_root(n)


def test_frontier_costs_one_node_hash_per_completed_node(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    real = merkle.node_hash

    def counting(left: bytes, right: bytes) -> bytes:
        nonlocal calls
        calls += 1
        return real(left, right)

    monkeypatch.setattr(merkle, "node_hash", counting)
    frontier = merkle.Frontier.empty()
    for h in leaf_hashes(2 * MAX_SIZE):
        frontier.append(h)
    n = 2 * MAX_SIZE
    assert calls == n - n.bit_count()


def test_frontier_rejects_bad_input() -> None:
    with pytest.raises(MalformedInput):
        merkle.Frontier(3, [OTHER_HASH])
    with pytest.raises(MalformedInput):
        merkle.Frontier.empty().append(b"short")
    with pytest.raises(MalformedInput):
        merkle.Frontier.from_reader(-1, tree(0).read)


# -- Rejections ---------------------------------------------------------------


def inclusion_mutations(m: int, n: int) -> dict[str, dict[str, Any]]:
    """Name each way of corrupting the inclusion proof of leaf *m* in tree *n*."""
    h, r = leaf_hashes(n)[m], ref_root(n)
    p = merkle.inclusion_proof(m, n, tree(n).read)
    good = {"leaf_hash": h, "index": m, "size": n, "proof": p, "root": r}
    probes: dict[str, dict[str, Any]] = {
        "wrong-index-minus-1": {"index": m - 1},
        "wrong-index-plus-1": {"index": m + 1},
        "wrong-index-xor-2": {"index": m ^ 2},
        "wrong-size-double": {"size": 2 * n},
        "wrong-size-half": {"size": n // 2},
        "index-equals-size": {"index": n},
        "size-zero": {"size": 0},
        "wrong-leaf": {"leaf_hash": OTHER_HASH},
        "wrong-root": {"root": OTHER_HASH},
        "empty-root": {"root": merkle.EMPTY_ROOT},
        "leaf-hash-31-bytes": {"leaf_hash": h[:31]},
        "root-33-bytes": {"root": r + b"\x00"},
        "extra-hash-appended": {"proof": [*p, OTHER_HASH]},
        "extra-hash-prepended": {"proof": [OTHER_HASH, *p]},
        "root-appended": {"proof": [*p, r]},
        "empty-hash-appended": {"proof": [*p, b""]},
    }
    if p:
        probes["missing-last-hash"] = {"proof": p[:-1]}
        probes["missing-first-hash"] = {"proof": p[1:]}
        probes["proof-hash-33-bytes"] = {"proof": [p[0] + b"\x00", *p[1:]]}
    if len(p) > 1:
        probes["proof-reversed"] = {"proof": p[::-1]}
    return {name: {**good, **change} for name, change in probes.items()}


def consistency_mutations(m: int, n: int) -> dict[str, dict[str, Any]]:
    """Name each way of corrupting the consistency proof from tree *m* to tree *n*."""
    r1, r2 = ref_root(m), ref_root(n)
    p = merkle.consistency_proof(m, n, tree(n).read)
    good = {"old_size": m, "new_size": n, "old_root": r1, "new_root": r2, "proof": p}
    probes: dict[str, dict[str, Any]] = {
        "wrong-old-size-minus-1": {"old_size": m - 1},
        "wrong-old-size-plus-1": {"old_size": m + 1},
        "wrong-old-size-xor-2": {"old_size": m ^ 2},
        "wrong-new-size-double": {"new_size": 2 * n},
        "wrong-new-size-half": {"new_size": n // 2},
        "wrong-old-root": {"old_root": OTHER_HASH},
        "wrong-new-root": {"new_root": OTHER_HASH},
        "swapped-roots": {"old_root": r2, "new_root": r1},
        "empty-proof": {"proof": []},
        "old-root-31-bytes": {"old_root": r1[:31]},
        "extra-hash-appended": {"proof": [*p, OTHER_HASH]},
        "extra-hash-prepended": {"proof": [OTHER_HASH, *p]},
        "old-root-prepended": {"proof": [r1, *p]},
        "new-root-appended": {"proof": [*p, r2]},
        "first-hash-repeated": {"proof": [p[0], *p]},
        "missing-last-hash": {"proof": p[:-1]},
        "missing-first-hash": {"proof": p[1:]},
        "proof-hash-31-bytes": {"proof": [p[0][:31], *p[1:]]},
    }
    return {name: {**good, **change} for name, change in probes.items()}


@settings(max_examples=150, deadline=None)
@given(size_and_index())
def test_corrupted_inclusion_proofs_are_rejected(case: tuple[int, int]) -> None:
    n, m = case
    for name, probe in inclusion_mutations(m, n).items():
        assert not verifies(merkle.verify_inclusion, **probe), name


@settings(max_examples=150, deadline=None)
@given(two_sizes())
def test_corrupted_consistency_proofs_are_rejected(case: tuple[int, int]) -> None:
    for name, probe in consistency_mutations(*case).items():
        assert not verifies(merkle.verify_consistency, **probe), name


@settings(max_examples=150, deadline=None)
@given(size_and_index(), st.data())
def test_inclusion_single_bit_flip_is_rejected(case: tuple[int, int], data: st.DataObject) -> None:
    n, m = case
    proof = merkle.inclusion_proof(m, n, tree(n).read)
    good: dict[str, Any] = {"leaf_hash": leaf_hashes(n)[m], "proof": proof, "root": ref_root(n)}
    target = data.draw(st.integers(min_value=-2, max_value=len(proof) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=255))
    if target >= 0:
        bad = {**good, "proof": [*proof[:target], flip(proof[target], bit), *proof[target + 1 :]]}
    else:
        name = ("leaf_hash", "root")[target]
        bad = {**good, name: flip(good[name], bit)}
    assert not verifies(merkle.verify_inclusion, index=m, size=n, **bad)


@settings(max_examples=150, deadline=None)
@given(two_sizes(), st.data())
def test_consistency_single_bit_flip_is_rejected(
    case: tuple[int, int], data: st.DataObject
) -> None:
    m, n = case
    proof = merkle.consistency_proof(m, n, tree(n).read)
    good: dict[str, Any] = {"old_root": ref_root(m), "new_root": ref_root(n), "proof": proof}
    target = data.draw(st.integers(min_value=-2, max_value=len(proof) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=255))
    if target >= 0:
        bad = {**good, "proof": [*proof[:target], flip(proof[target], bit), *proof[target + 1 :]]}
    else:
        name = ("old_root", "new_root")[target]
        bad = {**good, name: flip(good[name], bit)}
    assert not verifies(merkle.verify_consistency, old_size=m, new_size=n, **bad)


def test_inclusion_messages() -> None:
    n, m = 100, 41
    proof = merkle.inclusion_proof(m, n, tree(n).read)
    good: dict[str, Any] = {"leaf_hash": leaf_hashes(n)[m], "index": m, "size": n, "proof": proof}
    good["root"] = OTHER_HASH
    with pytest.raises(InvalidProof, match=r"^leaf 41 is not in tree 100: root mismatch$"):
        merkle.verify_inclusion(**good)
    short = {**good, "proof": good["proof"][:3]}
    with pytest.raises(
        InvalidProof, match=r"proof has 3 hashes, expected 7 for index 41 in tree 100"
    ):
        merkle.verify_inclusion(**short)
    with pytest.raises(InvalidProof, match="less than the size"):
        merkle.verify_inclusion(**{**good, "index": 100})


def test_hashes_of_the_wrong_length_are_named() -> None:
    n, m = 100, 41
    proof = merkle.inclusion_proof(m, n, tree(n).read)
    good: dict[str, Any] = {"leaf_hash": leaf_hashes(n)[m], "index": m, "size": n}
    good |= {"proof": proof, "root": ref_root(n)}
    with pytest.raises(InvalidProof, match="leaf hash has 31 bytes, expected 32"):
        merkle.verify_inclusion(**{**good, "leaf_hash": good["leaf_hash"][:31]})
    with pytest.raises(InvalidProof, match="root has 33 bytes, expected 32"):
        merkle.verify_inclusion(**{**good, "root": good["root"] + b"\x00"})
    with pytest.raises(InvalidProof, match="proof hash 2 has 0 bytes, expected 32"):
        merkle.verify_inclusion(**{**good, "proof": [*proof[:2], b"", *proof[3:]]})
    consistency = merkle.consistency_proof(6, n, tree(n).read)
    with pytest.raises(InvalidProof, match="proof hash 0 has 31 bytes, expected 32"):
        merkle.verify_consistency(
            old_size=6,
            new_size=n,
            old_root=ref_root(6),
            new_root=ref_root(n),
            proof=[consistency[0][:31], *consistency[1:]],
        )


def test_inclusion_in_empty_tree_is_rejected() -> None:
    with pytest.raises(InvalidProof):
        merkle.verify_inclusion(
            leaf_hash=merkle.EMPTY_ROOT, index=0, size=0, proof=[], root=merkle.EMPTY_ROOT
        )


def test_rfc9162_inclusion_proof_does_not_bind_tree_size_of_same_shape() -> None:
    # Trees 3 and 4 have the same shape along leaf 0's path; the signed
    # checkpoint, not the proof, binds a size to its root.
    proof = merkle.inclusion_proof(0, 3, tree(3).read)
    args: dict[str, Any] = {
        "leaf_hash": leaf_hashes(3)[0],
        "index": 0,
        "proof": proof,
        "root": ref_root(3),
    }
    merkle.verify_inclusion(size=4, **args)
    with pytest.raises(InvalidProof):
        merkle.verify_inclusion(size=5, **args)


def test_trivial_consistency() -> None:
    r5, empty = ref_root(5), merkle.EMPTY_ROOT
    merkle.verify_consistency(old_size=5, new_size=5, old_root=r5, new_root=r5, proof=[])
    merkle.verify_consistency(old_size=0, new_size=5, old_root=empty, new_root=r5, proof=[])
    merkle.verify_consistency(old_size=0, new_size=0, old_root=empty, new_root=empty, proof=[])


TRIVIAL_CONSISTENCY_REJECTED = {
    "equal-size-different-roots": (5, 5, 5, 6, []),
    "equal-size-nonempty-proof": (5, 5, 5, 5, [merkle.EMPTY_ROOT]),
    "empty-old-tree-nonempty-proof": (0, 5, 0, 5, [merkle.EMPTY_ROOT]),
    "empty-old-tree-wrong-root": (0, 5, 6, 5, []),
    "empty-trees-wrong-new-root": (0, 0, 0, 5, []),
    "old-size-greater-than-new": (6, 5, 6, 5, []),
    "negative-old-size": (-1, 5, 0, 5, []),
    "empty-proof": (5, 6, 5, 6, []),
}


@pytest.mark.parametrize(
    ("old", "new", "old_root_of", "new_root_of", "proof"),
    list(TRIVIAL_CONSISTENCY_REJECTED.values()),
    ids=list(TRIVIAL_CONSISTENCY_REJECTED),
)
def test_trivial_consistency_rejected(
    old: int, new: int, old_root_of: int, new_root_of: int, proof: list[bytes]
) -> None:
    with pytest.raises(InvalidProof):
        merkle.verify_consistency(
            old_size=old,
            new_size=new,
            old_root=ref_root(old_root_of),
            new_root=ref_root(new_root_of),
            proof=proof,
        )


def test_consistency_messages() -> None:
    r5, r6 = ref_root(5), ref_root(6)
    with pytest.raises(InvalidProof, match="^tree 5 does not extend tree 5: equal sizes"):
        merkle.verify_consistency(old_size=5, new_size=5, old_root=r5, new_root=r6, proof=[])
    with pytest.raises(InvalidProof, match="proof has 0 hashes, expected 3 for tree 5 to tree 6"):
        merkle.verify_consistency(old_size=5, new_size=6, old_root=r5, new_root=r6, proof=[])


def test_proof_generation_rejects_impossible_requests() -> None:
    read = tree(8).read
    for index, size in [(8, 8), (9, 8), (-1, 8), (0, 0), (0, -1)]:
        with pytest.raises(MalformedInput):
            merkle.inclusion_proof(index, size, read)
    for old, new in [(9, 8), (-1, 8), (-2, -1)]:
        with pytest.raises(MalformedInput):
            merkle.consistency_proof(old, new, read)
    with pytest.raises(MalformedInput):
        merkle.root(-1, read)
    for lo, hi in [(2, 5), (1, 3), (4, 3), (-1, 0), (2, 8)]:
        with pytest.raises(MalformedInput):
            merkle.subtree_hash(lo, hi, read)


def test_trivial_proofs_read_nothing() -> None:
    store = tree(8)
    assert merkle.inclusion_proof(0, 1, store.read) == []
    assert merkle.consistency_proof(0, 8, store.read) == []
    assert merkle.consistency_proof(8, 8, store.read) == []
    assert merkle.root(0, store.read) == merkle.EMPTY_ROOT
    assert store.calls == []


def test_reader_returning_too_few_hashes_is_an_error() -> None:
    with pytest.raises(ValueError, match="returned 0 hashes"):
        merkle.root(5, lambda nodes: [])


# -- Differential: pymerkle 7.0.0 ---------------------------------------------


def test_pymerkle_uses_rfc9162_hashing() -> None:
    t = pymerkle.InmemoryTree(algorithm="sha256")
    assert t.hash_buff(b"x") == merkle.leaf_hash(b"x")
    assert t.hash_pair(b"l" * 32, b"r" * 32) == merkle.node_hash(b"l" * 32, b"r" * 32)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=1, max_size=120), st.data())
def test_against_pymerkle(entries: list[bytes], data: st.DataObject) -> None:
    t = pymerkle.InmemoryTree(algorithm="sha256")
    for e in entries:
        t.append_entry(e)
    store = MemoryTree([merkle.leaf_hash(e) for e in entries])
    n = len(entries)
    roots = [merkle.root(size, store.read) for size in range(n + 1)]
    assert roots[1:] == [t.get_root(size) for size in range(1, n + 1)]

    size = data.draw(st.integers(min_value=1, max_value=n))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    theirs = t.prove_inclusion(index + 1, size)  # pymerkle counts leaves from 1
    # pymerkle's path starts with the leaf hash itself; the rest is RFC 9162 PATH.
    assert theirs.path[1:] == merkle.inclusion_proof(index, size, store.read)
    pymerkle.verify_inclusion(theirs.path[0], roots[size], theirs)

    if size > 1:
        old = data.draw(st.integers(min_value=1, max_value=size - 1))
        # pymerkle lays out consistency paths its own way, so compare what they
        # prove and that each of its hashes is a node hash of our tree.
        proof = t.prove_consistency(old, size)
        pymerkle.verify_consistency(roots[old], roots[size], proof)
        nodes = {merkle.subtree_hash(lo, hi, store.read) for lo, hi in ref_nodes(0, size)}
        assert set(proof.path) <= nodes
