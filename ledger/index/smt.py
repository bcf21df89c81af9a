"""The verifiable index: a compact sparse Merkle tree over registry state, and its proofs.

The format, for other implementations
-------------------------------------

The index is a map from *keys* (non-empty Unicode strings such as
``"asset:<64 hex>"``) to *values* (bytes; in practice the canonical JSON of a
leaf document). A key's *path* is SHA-256 of its UTF-8 bytes: 256 bits read
most significant bit first, where bit i = 0 means "go left" at depth i.

Hashes are domain-separated from the log's RFC 9162 tree (0x00 leaf, 0x01 node)
so that no index hash can be passed off as a log hash or the reverse::

    leaf hash  = SHA-256(0x10 || path || SHA-256(value))
    node hash  = SHA-256(0x11 || left || right)
    EMPTY      = 32 zero bytes

Think of the full binary tree of depth 256 with each key's leaf at the end of
its path. The hash of a subtree is EMPTY when it holds no leaf, the leaf hash
of its one leaf when it holds exactly one (at whatever depth the subtree is),
and otherwise the node hash of its two halves. The root is the hash of the
whole tree, so the root of the empty map is EMPTY, and the root depends only on
the map's contents, never on the order in which keys were written.

A proof for a key follows the key's path from the root down to the first depth
d at which the subtree on the path holds at most one leaf. It carries the d
*siblings* met on the way (sibling i is the hash of the half not taken at
depth i), and ends in one of three ways:

- presence: the subtree is this key's own leaf; the verifier is given the value;
- absence, empty: the subtree is EMPTY;
- absence, other leaf: the subtree is another key's leaf, whose path agrees
  with this key's in the first d bits; the proof carries that leaf's path and
  value hash (``other``), never its key or value.

The verifier starts from the end (the leaf hash, EMPTY or the other leaf's
hash), folds the siblings bottom-up with the node hash, taking path bit i to
decide whether sibling i is on the right (bit 0) or the left (bit 1), and
compares with the root. Most siblings deep in a sparse tree are EMPTY, and
near the root none are, so a proof is encoded compactly: ``depth`` (d, 0 to
256), ``empty_bitmap`` (ceil(d/8) bytes, bit i set, most significant bit of
byte i // 8 first, when sibling i is EMPTY; the unused low bits of the last
byte are zero) and ``siblings`` (only the non-empty ones, root first; none may
be EMPTY written out). About log2(n) + 1 hashes at n keys, 17 or so at 10^5.

A proof is accepted only in its one canonical form, as the prover makes it:
when d > 0 the deepest sibling (d - 1) is not EMPTY, because otherwise the
parent would hold at most one leaf and the proof would have stopped there; and
an ``other`` leaf must differ from the key's path but share its first d bits.
Soundness does not rest on these checks (a leaf hash, a node hash and EMPTY
cannot be confused without breaking SHA-256), but they give each key and root
exactly one proof.

In JSON (``proof_json``) a proof is an object with exactly the members ``key``
(string), ``depth`` (integer), ``siblings`` (array of base64), ``empty_bitmap``
(base64, "" when d = 0) and ``other`` (null, or an object with exactly ``path``
and ``value_hash``, both base64), all base64 canonical and padded. A
checkpoint commits to the index root with the extension line
``cunzheng-index sha256:<base64 root>``.

The in-memory tree
------------------

Nodes are named by integers as in a binary heap: the root is 1 and the
children of n are 2n and 2n + 1, so the node at depth d on path p is
``(1 << d) | (p >> (256 - d))`` and its depth is ``n.bit_length() - 1``.
``IndexTree`` keeps one dict, node -> hash, for every non-empty subtree that
holds two or more leaves (internal nodes) and for each leaf at the highest
node holding only it, plus a dict from those leaf nodes to their keys. A node
absent from the dict is EMPTY. With random paths there are about n / ln 2
internal nodes, so the tree holds about 2.4 n hashes; the paths of leaves are
not kept, since hashing a key again is cheap. A batch of writes changes the
shape along the changed paths only, collects the internal nodes above them,
and rehashes those deepest first: a thousand writes into half a million keys
rehash some ten thousand nodes. A large batch into a small tree rebuilds from
sorted paths instead, which also serves ``root_of``. At 5 x 10^5 keys the tree
takes about 760 bytes a key, its own copies of ~150-byte values included
(bench/index.py). No function here does I/O.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import ItemsView, Iterable, Mapping
from hashlib import sha256

from cunzheng.ledger.index.hashes import (
    EMPTY,
    NODE_PREFIX,
    PATH_BITS,
    key_path,
    leaf_hash,
    short_key,
)
from cunzheng.ledger.index.proofs import IndexProof

__all__ = ["IndexTree", "root_of"]


_Dirty = set[int]
"""Internal nodes to rehash (an alias: IndexTree.set hides the builtin in the class body)."""

# A batch that writes more than a quarter as many keys as the tree holds is cheaper
# to apply by rebuilding from sorted paths than by walking each path.
_BULK_SHARE = 4

Items = Iterable[tuple[str, bytes | None]] | Mapping[str, bytes | None]
"""Writes to the index: (key, value) pairs, where a value of None deletes the key."""


class IndexTree:
    """A mutable in-memory index whose root and proofs are kept up to date incrementally.

    Not safe for concurrent use: one writer, and no reader while it writes
    (prove from a ``copy()`` taken between batches to serve readers alongside).
    """

    __slots__ = ("_hashes", "_leaf_at", "_values")

    def __init__(self, items: Items = ()) -> None:
        self._values: dict[str, bytes] = {}
        self._hashes: dict[int, bytes] = {}
        self._leaf_at: dict[int, str] = {}
        self.update(items)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def items(self) -> ItemsView[str, bytes]:
        """Return a view of the (key, value) pairs in the index."""
        return self._values.items()

    def get(self, key: str) -> bytes | None:
        """Return the value of *key*, or None when the index does not hold it."""
        return self._values.get(key)

    def root(self) -> bytes:
        """Return the root hash of the index (EMPTY when it holds nothing)."""
        return self._hashes.get(1, EMPTY)

    def set(self, key: str, value: bytes) -> None:
        """Set *key* to *value*."""
        self.update(((key, value),))

    def delete(self, key: str) -> None:
        """Remove *key* from the index, if it is there."""
        self.update(((key, None),))

    def copy(self) -> IndexTree:
        """Return an independent copy of this tree (for proving at an older state)."""
        twin = IndexTree()
        twin._values, twin._hashes = dict(self._values), dict(self._hashes)
        twin._leaf_at = dict(self._leaf_at)
        return twin

    def update(self, items: Items) -> None:
        """Apply a batch of writes (a value of None deletes); later writes to a key win."""
        batch = _batch(items)
        if not batch:
            return
        if len(batch) * _BULK_SHARE > len(self._values):
            merged: dict[str, bytes | None] = {**self._values, **batch}
            self._values = {k: v for k, v in merged.items() if v is not None}
            self._hashes, self._leaf_at = {}, {}
            _Bulk(self._values, record=self).root()
            return
        dirty: _Dirty = set()
        for key, value in batch.items():
            if value is not None:
                self._insert(key, value, dirty)
            elif key in self._values:
                self._remove(key, dirty)
        self._rehash(dirty)

    def prove(self, key: str) -> IndexProof:
        """Return the proof of *key*'s presence or absence at the current root."""
        path = key_path(key)
        p = int.from_bytes(path)
        hashes, leaf_at = self._hashes, self._leaf_at
        node, depth, empties, siblings = 1, 0, 0, []
        while node in hashes and node not in leaf_at:
            bit = (p >> (PATH_BITS - 1 - depth)) & 1
            sibling = hashes.get((node << 1) | (bit ^ 1))
            empties <<= 1
            if sibling is None:
                empties |= 1
            else:
                siblings.append(sibling)
            node, depth = (node << 1) | bit, depth + 1
        other_key = leaf_at.get(node)
        other = None
        if other_key is not None and other_key != key:
            other = (key_path(other_key), sha256(self._values[other_key]).digest())
        size = (depth + 7) // 8
        bitmap = (empties << (8 * size - depth)).to_bytes(size)
        return IndexProof(key, depth, tuple(siblings), bitmap, other)

    def _insert(self, key: str, value: bytes, dirty: _Dirty) -> None:
        path = key_path(key)
        p = int.from_bytes(path)
        hashes, leaf_at = self._hashes, self._leaf_at
        node = _locate(hashes, leaf_at, p)
        h = leaf_hash(path, sha256(value).digest())
        self._values[key] = value
        other = leaf_at.get(node)
        if other is not None and other != key:
            # Both leaves go below the deepest node whose subtree holds them both.
            q = int.from_bytes(key_path(other))
            shared = PATH_BITS - (p ^ q).bit_length()
            del leaf_at[node]
            other_hash = hashes[node]
            for depth in range(node.bit_length() - 1, shared):
                hashes[node] = b""  # an internal node; _rehash computes its hash
                node = (node << 1) | ((p >> (PATH_BITS - 1 - depth)) & 1)
            hashes[node] = b""
            node = (node << 1) | ((p >> (PATH_BITS - 1 - shared)) & 1)
            hashes[node ^ 1], leaf_at[node ^ 1] = other_hash, other
        hashes[node], leaf_at[node] = h, key
        _mark(dirty, node >> 1)

    def _remove(self, key: str, dirty: _Dirty) -> None:
        hashes, leaf_at = self._hashes, self._leaf_at
        node = _locate(hashes, leaf_at, int.from_bytes(key_path(key)))
        del self._values[key], leaf_at[node], hashes[node]
        sibling = node ^ 1
        if node > 1 and sibling in leaf_at:
            # The sibling leaf is now alone: it rises to the highest node holding only it.
            survivor, h = leaf_at.pop(sibling), hashes.pop(sibling)
            node >>= 1
            while node > 1 and (node ^ 1) not in hashes:
                del hashes[node]
                node >>= 1
            hashes[node], leaf_at[node] = h, survivor
        _mark(dirty, node >> 1)

    def _rehash(self, dirty: _Dirty) -> None:
        hashes, leaf_at = self._hashes, self._leaf_at
        for node in sorted(dirty, key=int.bit_length, reverse=True):
            if node in hashes and node not in leaf_at:
                left = hashes.get(node << 1, EMPTY)
                right = hashes.get((node << 1) | 1, EMPTY)
                hashes[node] = sha256(NODE_PREFIX + left + right).digest()


def root_of(items: Items) -> bytes:
    """Return the index root of the map written by *items*, computed from scratch."""
    values = {k: v for k, v in _batch(items).items() if v is not None}
    return _Bulk(values, record=None).root()


class _Bulk:
    """The hashes of a whole tree, from its paths in sorted order."""

    def __init__(self, values: dict[str, bytes], *, record: IndexTree | None) -> None:
        leaves = sorted(
            (int.from_bytes(path := key_path(key)), leaf_hash(path, sha256(value).digest()), key)
            for key, value in values.items()
        )
        self.paths = [leaf[0] for leaf in leaves]
        self.leaves = leaves
        self.record = record

    def root(self) -> bytes:
        return self.subtree(0, len(self.paths), 1, 0)

    def subtree(self, lo: int, hi: int, node: int, depth: int) -> bytes:
        """Return the hash of *node* (at *depth*), which holds the sorted paths [lo, hi)."""
        if hi - lo <= 1:
            if hi == lo:
                return EMPTY
            _, h, key = self.leaves[lo]
            if self.record is not None:
                self.record._hashes[node], self.record._leaf_at[node] = h, key
            return h
        prefix = node ^ (1 << depth)
        mid = bisect_left(self.paths, ((prefix << 1) | 1) << (PATH_BITS - 1 - depth), lo, hi)
        left = self.subtree(lo, mid, node << 1, depth + 1)
        right = self.subtree(mid, hi, (node << 1) | 1, depth + 1)
        h = sha256(NODE_PREFIX + left + right).digest()
        if self.record is not None:
            self.record._hashes[node] = h
        return h


def _batch(items: Items) -> dict[str, bytes | None]:
    """Return *items* as a dict, values copied to their own size, or raise on a bad key or value."""
    batch = dict(items.items() if isinstance(items, Mapping) else items)
    for key, value in batch.items():
        key_path(key)
        if value is not None:
            if not isinstance(value, bytes):
                raise TypeError(f"the value of index key {short_key(key)} is not bytes")
            # orjson (so canonical_json) returns bytes inside a buffer of 4 KiB or more;
            # the tree keeps its values for its lifetime, so it keeps exact-size copies.
            batch[key] = bytes(memoryview(value))
    return batch


def _locate(hashes: dict[int, bytes], leaf_at: dict[int, str], p: int) -> int:
    """Return the node where path *p* reaches a subtree holding at most one leaf."""
    # Nothing is stored below a leaf, so the deepest stored node on the path is either
    # the leaf itself or an internal node whose half on the path is empty: one dict
    # lookup a level. Shifting p with a 1 bit above it gives each node's number at once.
    marked = p | (1 << PATH_BITS)
    node, depth = 1, 0
    if node not in hashes:
        return node
    while True:
        depth += 1
        child = marked >> (PATH_BITS - depth)
        if child not in hashes:
            return node if node in leaf_at else child
        node = child


def _mark(dirty: _Dirty, node: int) -> None:
    """Add *node* and its ancestors to *dirty*; an ancestor of a dirty node is always dirty."""
    while node and node not in dirty:
        dirty.add(node)
        node >>= 1
