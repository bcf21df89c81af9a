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

from cunzheng.ledger.errors import InvalidProof, MalformedInput

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "HashReader",
    "RightEdge",
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
    return _hash_range(0, size, read_hashes)


def subtree_hash(lo: int, hi: int, read_hashes: HashReader) -> bytes:
    """Return the RFC 9162 hash of leaves [*lo*, *hi*), which must be a node of some tree."""
    _check_node_range(lo, hi)
    if lo == hi:
        return EMPTY_ROOT
    return _hash_range(lo, hi, read_hashes)


def inclusion_proof(
    index: int, size: int, read_hashes: HashReader, *, edge: RightEdge | None = None
) -> list[bytes]:
    """Return the RFC 9162 inclusion proof (PATH) of leaf *index* in the tree of *size*.

    *edge*, the right edge of some tree, saves reading and folding the proof's
    one incomplete node when that tree is the tree of *size*.
    """
    if size <= 0 or not 0 <= index < size:
        raise MalformedInput(
            f"no inclusion proof for leaf {index} in tree {size}: "
            "the index must be at least 0 and less than the size"
        )
    return _path(index, 0, size, [], read_hashes, _edge_at(edge, size))


def consistency_proof(
    old_size: int, new_size: int, read_hashes: HashReader, *, edge: RightEdge | None = None
) -> list[bytes]:
    """Return the RFC 9162 consistency proof from tree *old_size* to tree *new_size*.

    *edge* is used as in ``inclusion_proof`` when it is the edge of *new_size*.
    """
    if not 0 <= old_size <= new_size:
        raise MalformedInput(
            f"no consistency proof from tree {old_size} to tree {new_size}: "
            "sizes must satisfy 0 <= old_size <= new_size"
        )
    if old_size in (0, new_size):
        return []
    # RFC 9162 SUBPROOF descends until it reaches the complete subtree that ends
    # the old tree, [old_size - 2**level, old_size) with level the number of
    # trailing zero bits of old_size, and then climbs back up collecting that
    # subtree's siblings: the proof is the subtree itself (omitted when it is
    # the whole old tree, which the verifier already holds) followed by the
    # upper part of the inclusion path of leaf old_size - 1.
    level = (old_size & -old_size).bit_length() - 1
    first = [] if old_size == 1 << level else [(level, (old_size - 1) >> level)]
    return _path(old_size - 1, level, new_size, first, read_hashes, _edge_at(edge, new_size))


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


class RightEdge:
    """The hashes of the incomplete nodes on the right edge of one tree.

    A tree whose size has k set bits has k - 1 nodes that are not complete
    subtrees, all on its right edge: [lo, size) for each lo that clears one
    more of those bits, the root among them. Each is the fold of a suffix of
    the frontier. An inclusion or consistency proof needs at most one, which
    otherwise costs several reads and hashes; the log keeps the edge of its
    latest tree so that proofs at that size need neither.
    """

    __slots__ = ("_nodes", "size")

    def __init__(self, frontier: Frontier) -> None:
        self.size = frontier.size
        self._nodes: dict[int, bytes] = {}
        hashes = frontier._hashes
        # Fold from the right: after taking hashes[i:], the node starts where
        # the frontier's first i subtrees end.
        starts = [index << level for level, index in _complete_subtrees(0, self.size)]
        h = hashes[-1] if hashes else EMPTY_ROOT
        for i in range(len(hashes) - 2, -1, -1):
            h = node_hash(hashes[i], h)
            self._nodes[starts[i]] = h

    def node(self, lo: int) -> bytes:
        """Return the hash of the incomplete node [*lo*, size); KeyError if there is none."""
        return self._nodes[lo]

    def __repr__(self) -> str:
        return f"RightEdge(size={self.size})"


def _edge_at(edge: RightEdge | None, size: int) -> RightEdge | None:
    return edge if edge is not None and edge.size == size else None


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


def _hash_range(lo: int, hi: int, read_hashes: HashReader) -> bytes:
    """Return the hash of node range [lo, hi) (lo < hi), folded from its complete subtrees."""
    return _fold(_read(_complete_subtrees(lo, hi), read_hashes))


def _path(
    leaf: int,
    level: int,
    size: int,
    first: list[tuple[int, int]],
    read_hashes: HashReader,
    edge: RightEdge | None,
) -> list[bytes]:
    """Return the hashes of *first* followed by the RFC 9162 path of *leaf* in tree *size*.

    The path starts at *level* (0 for an inclusion proof). An RFC 9162 tree is
    the perfect binary tree over the leaves padded to a power of two, with the
    nodes covering no leaf dropped and lone left children moved up, so the path
    is, bottom-up, the sibling of each node above *leaf*, clipped to the tree.
    With last = size - 1 and inner the bit length of leaf ^ last:

    - below level inner - 1, the sibling (j, (leaf >> j) ^ 1) ends before the
      last leaf, so it is complete;
    - at level inner - 1, the node above *leaf* is a left child and its sibling
      is the right edge's node [(last >> j) << j, size): a complete subtree if
      its width is a power of two, else held by *edge* or folded from the
      complete subtrees it is made of;
    - from level inner up, the node above *leaf* is on the right edge: it has a
      complete left sibling (j, (leaf >> j) - 1) where bit j of *leaf* is set,
      and no sibling otherwise.

    Every hash read is read in one call.
    """
    last = size - 1
    inner = (leaf ^ last).bit_length()
    nodes = first + [(j, (leaf >> j) ^ 1) for j in range(level, inner - 1)]
    above = [(j, (leaf >> j) - 1) for j in range(inner, last.bit_length()) if leaf >> j & 1]
    if not inner:  # leaf is the last leaf: no sibling on the right
        return _read(nodes + above, read_hashes)
    j = inner - 1
    lo = (last >> j) << j
    at = len(nodes)
    width = size - lo
    if not width & (width - 1):  # a complete subtree after all
        k = width.bit_length() - 1
        return _read([*nodes, (k, lo >> k), *above], read_hashes)
    if edge is not None:
        hashes = _read(nodes + above, read_hashes)
        hashes.insert(at, edge.node(lo))
        return hashes
    pieces = _complete_subtrees(lo, size)
    hashes = _read(nodes + pieces + above, read_hashes)
    hashes[at : at + len(pieces)] = [_fold(hashes[at : at + len(pieces)])]
    return hashes


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
