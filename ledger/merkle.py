"""RFC 9162 Merkle tree math: roots, inclusion and consistency proofs.

The log is a Merkle tree over a list of leaves as defined in RFC 9162 (Certificate
Transparency v2) §2.1: a leaf hashes as SHA-256(0x00 || leaf), an interior node as
SHA-256(0x01 || left || right), and the tree over n > 1 leaves splits at k, the
largest power of two smaller than n. The empty tree's root is SHA-256 of nothing.

Storage holds only *complete* subtrees, named (level, index): level 0 are the leaf
hashes and node (level, n) covers leaves [n * 2**level, (n + 1) * 2**level). Every
RFC 9162 node is either complete or, on a tree's right edge, the right fold of the
complete subtrees picked out by the set bits of its width. So each function here
first works out which complete subtrees it needs, fetches them all with a single
call to a ``HashReader`` (storage reads tiles), and folds them; it does no I/O.

Errors: asking for a proof or root the tree cannot have (index >= size, negative
sizes, old_size > new_size) raises ``MalformedInput``; a proof that does not check
out, for whatever reason, raises ``InvalidProof``. A reader that returns the wrong
number of hashes is a storage bug and raises ``ValueError``.

Inclusion and consistency proofs commit to the shape of the tree, not to its size:
sizes whose trees have the same shape along the proven path accept the same proof
(RFC 9162 §2.1.3.2). A tree size is bound to its root by the signed checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from hashlib import sha256
from hmac import compare_digest

from ledger.errors import InvalidProof, MalformedInput

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "HashReader",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_leaf_hashes",
    "subtree_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()

HashReader = Callable[[Sequence[tuple[int, int]]], Sequence[bytes]]
"""Return the hashes of the given complete subtrees (level, index), in order."""

_Range = tuple[int, int]


def leaf_hash(leaf: bytes) -> bytes:
    """Return the RFC 9162 hash of a leaf: SHA-256(0x00 || leaf)."""
    return sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 hash of an interior node: SHA-256(0x01 || left || right)."""
    return sha256(b"\x01" + left + right).digest()


def root(size: int, read_hashes: HashReader) -> bytes:
    """Return the RFC 9162 root of the first *size* leaves (EMPTY_ROOT for 0)."""
    if size < 0:
        raise MalformedInput(f"tree size {size} is negative")
    if size == 0:
        return EMPTY_ROOT
    return _hash_ranges([(0, size)], read_hashes)[0]


def subtree_hash(lo: int, hi: int, read_hashes: HashReader) -> bytes:
    """Return the RFC 9162 hash of leaves [*lo*, *hi*), which must be a node of some tree."""
    _check_node_range(lo, hi)
    if lo == hi:
        return EMPTY_ROOT
    return _hash_ranges([(lo, hi)], read_hashes)[0]


def inclusion_proof(index: int, size: int, read_hashes: HashReader) -> list[bytes]:
    """Return the RFC 9162 inclusion proof (PATH) of leaf *index* in the tree of *size*."""
    if size <= 0 or not 0 <= index < size:
        raise MalformedInput(
            f"no inclusion proof for leaf {index} in tree {size}: "
            "the index must be at least 0 and less than the size"
        )
    siblings: list[_Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            siblings.append((mid, hi))
            hi = mid
        else:
            siblings.append((lo, mid))
            lo = mid
    siblings.reverse()
    return _hash_ranges(siblings, read_hashes)


def consistency_proof(old_size: int, new_size: int, read_hashes: HashReader) -> list[bytes]:
    """Return the RFC 9162 consistency proof from tree *old_size* to tree *new_size*."""
    if not 0 <= old_size <= new_size:
        raise MalformedInput(
            f"no consistency proof from tree {old_size} to tree {new_size}: "
            "sizes must satisfy 0 <= old_size <= new_size"
        )
    if old_size in (0, new_size):
        return []
    ranges: list[_Range] = []
    lo, hi, whole_old_tree = 0, new_size, True
    while hi != old_size:
        mid = lo + _split(hi - lo)
        if old_size <= mid:
            ranges.append((mid, hi))
            hi = mid
        else:
            ranges.append((lo, mid))
            lo, whole_old_tree = mid, False
    if not whole_old_tree:
        ranges.append((lo, hi))
    ranges.reverse()
    return _hash_ranges(ranges, read_hashes)


def verify_inclusion(
    *, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Return None if *proof* puts *leaf_hash* at *index* in the tree of *size* with *root*."""
    what = f"leaf {index} is not in tree {size}"
    if not 0 <= index < size:
        raise InvalidProof(f"{what}: the index must be at least 0 and less than the size")
    _check_hash(leaf_hash, what, "leaf hash")
    _check_hash(root, what, "root")
    _check_proof(proof, _inclusion_length(index, size), what, f"index {index} in tree {size}")
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or not compare_digest(r, root):
        raise InvalidProof(f"{what}: root mismatch")


def verify_consistency(
    *, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Return None if *proof* shows tree *new_size* (*new_root*) extends *old_size* (*old_root*)."""
    what = f"tree {new_size} does not extend tree {old_size}"
    if not 0 <= old_size <= new_size:
        raise InvalidProof(f"{what}: sizes must satisfy 0 <= old_size <= new_size")
    _check_hash(old_root, what, "old root")
    _check_hash(new_root, what, "new root")
    if old_size == 0:
        _check_proof(proof, 0, what, "an empty old tree")
        # RFC 9162 §2.1.1: the empty tree has exactly one root, SHA-256 of nothing.
        if not compare_digest(old_root, EMPTY_ROOT):
            raise InvalidProof(f"{what}: a tree of size 0 has root {EMPTY_ROOT.hex()}")
        if new_size == 0 and not compare_digest(new_root, EMPTY_ROOT):
            raise InvalidProof(f"{what}: a tree of size 0 has root {EMPTY_ROOT.hex()}")
        return
    if old_size == new_size:
        _check_proof(proof, 0, what, "trees of equal size")
        if not compare_digest(old_root, new_root):
            raise InvalidProof(f"{what}: equal sizes but different roots")
        return
    expected = _consistency_length(old_size, new_size)
    _check_proof(proof, expected, what, f"tree {old_size} to tree {new_size}")
    if not _consistency_roots_match(old_size, new_size, old_root, new_root, proof):
        raise InvalidProof(f"{what}: root mismatch")


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Return the RFC 9162 root of a tree whose leaf hashes are *hashes*."""
    frontier = Frontier.empty()
    for h in hashes:
        frontier.append(h)
    return frontier.root()


class Frontier:
    """The complete subtrees that make up leaves [0, size): one per set bit of size.

    Appending a leaf completes the nodes above it on the right edge; the root is the
    right fold of the frontier, largest subtree first.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int, hashes: Sequence[bytes]) -> None:
        if size < 0 or len(hashes) != size.bit_count():
            raise MalformedInput(
                f"a frontier of size {size} holds {size.bit_count()} hashes, not {len(hashes)}"
            )
        for h in hashes:
            _check_length(h, "frontier hash")
        self._size = size
        self._hashes = list(hashes)

    @classmethod
    def empty(cls) -> Frontier:
        """Return the frontier of the empty tree."""
        return cls(0, [])

    @classmethod
    def from_reader(cls, size: int, read_hashes: HashReader) -> Frontier:
        """Return the frontier of the first *size* leaves, read in one call."""
        if size < 0:
            raise MalformedInput(f"tree size {size} is negative")
        nodes = _complete_subtrees(0, size)
        return cls(size, _read(nodes, read_hashes))

    @property
    def size(self) -> int:
        """Return the number of leaves appended so far."""
        return self._size

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Return every node (level, index, hash) completed by appending *leaf_hash*, leaf first."""
        if len(leaf_hash) != HASH_SIZE:
            _check_length(leaf_hash, "leaf hash")
        index = self._size
        hashes = self._hashes
        h = leaf_hash
        completed = [(0, index, h)]
        level = 0
        while index & 1:
            h = node_hash(hashes.pop(), h)
            index >>= 1
            level += 1
            completed.append((level, index, h))
        hashes.append(h)
        self._size += 1
        return completed

    def root(self) -> bytes:
        """Return the RFC 9162 root of the leaves appended so far (EMPTY_ROOT for none)."""
        if not self._hashes:
            return EMPTY_ROOT
        return _fold(self._hashes)

    def __repr__(self) -> str:
        return f"Frontier(size={self._size})"


def _split(width: int) -> int:
    """Return k, the largest power of two smaller than *width* (> 1)."""
    return 1 << ((width - 1).bit_length() - 1)


def _complete_subtrees(lo: int, hi: int) -> list[tuple[int, int]]:
    """Return the complete subtrees (level, index) that tile [lo, hi), largest first."""
    nodes = []
    width = hi - lo
    while width:
        level = width.bit_length() - 1
        nodes.append((level, lo >> level))
        lo += 1 << level
        width ^= 1 << level
    return nodes


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Return the right fold of *hashes*: node_hash(h0, node_hash(h1, ... hn))."""
    r = hashes[-1]
    for h in reversed(hashes[:-1]):
        r = node_hash(h, r)
    return r


def _read(nodes: Sequence[tuple[int, int]], read_hashes: HashReader) -> list[bytes]:
    """Return the hashes of *nodes*, read in one call, checking the reader's answer."""
    if not nodes:
        return []
    hashes = list(read_hashes(nodes))
    if len(hashes) != len(nodes):
        raise ValueError(f"hash reader returned {len(hashes)} hashes for {len(nodes)} nodes")
    return hashes


def _hash_ranges(ranges: Sequence[_Range], read_hashes: HashReader) -> list[bytes]:
    """Return the hash of each node range, reading all their complete subtrees at once."""
    pieces = [_complete_subtrees(lo, hi) for lo, hi in ranges]
    hashes = _read([node for nodes in pieces for node in nodes], read_hashes)
    out = []
    start = 0
    for nodes in pieces:
        end = start + len(nodes)
        out.append(hashes[start] if end == start + 1 else _fold(hashes[start:end]))
        start = end
    return out


def _check_node_range(lo: int, hi: int) -> None:
    """Raise MalformedInput unless [lo, hi) is a node of some RFC 9162 tree."""
    width = hi - lo
    if lo < 0 or width < 0:
        raise MalformedInput(f"leaf range [{lo}, {hi}) is not a range")
    # A node of width w starts at a multiple of the smallest power of two >= w.
    if width > 1 and lo % (1 << (width - 1).bit_length()):
        raise MalformedInput(f"leaf range [{lo}, {hi}) is not a node of any RFC 9162 tree")


def _inclusion_length(index: int, size: int) -> int:
    """Return how many hashes the inclusion proof of *index* in tree *size* has."""
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def _consistency_length(old_size: int, new_size: int) -> int:
    """Return how many hashes the proof from *old_size* to *new_size* has (0 < old < new)."""
    shift = (old_size & -old_size).bit_length() - 1
    start = 0 if old_size == 1 << shift else 1
    return start + _inclusion_length(old_size - 1, new_size) - shift


def _consistency_roots_match(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Return whether *proof* folds to both roots, per RFC 9162 §2.1.4.2."""
    path = list(proof)
    if (old_size & (old_size - 1)) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and compare_digest(fr, old_root) and compare_digest(sr, new_root)


def _check_length(h: bytes, name: str) -> None:
    """Raise MalformedInput unless *h* is a HASH_SIZE-byte hash."""
    if len(h) != HASH_SIZE:
        raise MalformedInput(f"{name} has {len(h)} bytes, expected {HASH_SIZE}")


def _check_hash(h: bytes, what: str, name: str) -> None:
    """Raise InvalidProof unless *h* is a HASH_SIZE-byte hash."""
    if len(h) != HASH_SIZE:
        raise InvalidProof(f"{what}: {name} has {len(h)} bytes, expected {HASH_SIZE}")


def _check_proof(proof: Sequence[bytes], expected: int, what: str, where: str) -> None:
    """Raise InvalidProof unless *proof* has *expected* hashes of HASH_SIZE bytes."""
    if len(proof) != expected:
        raise InvalidProof(
            f"{what}: proof has {len(proof)} hashes, expected {expected} for {where}"
        )
    for i, h in enumerate(proof):
        if len(h) != HASH_SIZE:
            raise InvalidProof(f"{what}: proof hash {i} has {len(h)} bytes, expected {HASH_SIZE}")
