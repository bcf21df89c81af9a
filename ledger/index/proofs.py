"""Index proofs: their JSON form, their checks, and the checkpoint line that carries the root.

A proof is checked against a root alone (the format is in ``smt``'s module
docstring); nothing here needs the tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import sha256
from hmac import compare_digest
from typing import Any

from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import InvalidProof, MalformedInput
from cunzheng.ledger.index.hashes import (
    EMPTY,
    HASH_SIZE,
    INDEX_LINE_NAME,
    NODE_PREFIX,
    PATH_BITS,
    key_path,
    leaf_hash,
    short_key,
)

__all__ = [
    "IndexProof",
    "index_root_line",
    "parse_index_root_line",
    "parse_proof",
    "proof_json",
    "verify_absence",
    "verify_presence",
]

_PROOF_MEMBERS = frozenset({"key", "depth", "siblings", "empty_bitmap", "other"})


_OTHER_MEMBERS = frozenset({"path", "value_hash"})


@dataclass(frozen=True)
class IndexProof:
    """The path from the index root to *key*'s leaf, to EMPTY, or to another key's leaf."""

    key: str
    depth: int
    siblings: tuple[bytes, ...]
    """The non-empty sibling hashes along the key's path, root first."""
    empty_bitmap: bytes
    """Bit i (most significant bit first) set when sibling i is EMPTY; ceil(depth / 8) bytes."""
    other: tuple[bytes, bytes] | None = None
    """For absence at another key's leaf: that leaf's path and value hash."""


def verify_presence(root: bytes, key: str, value: bytes, proof: IndexProof) -> None:
    """Return None if *proof* shows that the index with *root* maps *key* to *value*."""
    what = f"index proof for {short_key(key)}"
    path, levels = _check(root, key, proof, what)
    if proof.other is not None:
        raise InvalidProof(f"{what}: the proof ends at another key's leaf, so it shows absence")
    start = leaf_hash(path, sha256(value).digest())
    if not compare_digest(_fold(start, int.from_bytes(path), levels), root):
        raise InvalidProof(f"{what}: root mismatch (the value, the proof or the root is wrong)")


def verify_absence(root: bytes, key: str, proof: IndexProof) -> None:
    """Return None if *proof* shows that the index with *root* holds no value for *key*."""
    what = f"index proof of absence for {short_key(key)}"
    path, levels = _check(root, key, proof, what)
    p = int.from_bytes(path)
    start = EMPTY
    if proof.other is not None:
        other_path, value_hash = proof.other
        q = int.from_bytes(other_path)
        if q == p:
            raise InvalidProof(
                f"{what}: the proof ends at the key's own leaf, so it shows presence"
            )
        shared = PATH_BITS - (p ^ q).bit_length()
        if shared < proof.depth:
            raise InvalidProof(
                f"{what}: the other leaf's path shares {shared} leading bits with the key's,"
                f" fewer than the proof's depth {proof.depth}, so it is not on the key's path"
            )
        start = leaf_hash(other_path, value_hash)
    if not compare_digest(_fold(start, p, levels), root):
        raise InvalidProof(f"{what}: root mismatch (the key may be present, or the proof is wrong)")


def proof_json(proof: IndexProof) -> dict[str, Any]:
    """Return *proof* as a JSON object with base64 hashes (the format in this module's doc)."""
    other = None
    if proof.other is not None:
        other = {"path": encode_base64(proof.other[0]), "value_hash": encode_base64(proof.other[1])}
    return {
        "key": proof.key,
        "depth": proof.depth,
        "siblings": [encode_base64(s) for s in proof.siblings],
        "empty_bitmap": encode_base64(proof.empty_bitmap),
        "other": other,
    }


def parse_proof(obj: object) -> IndexProof:
    """Return the index proof in JSON value *obj*, or raise MalformedInput saying what is wrong."""
    _check_members(obj, _PROOF_MEMBERS, "an index proof")
    assert isinstance(obj, dict)
    key = obj["key"]
    if not isinstance(key, str):
        raise MalformedInput("an index proof's key must be a string")
    key_path(key)
    what = f"index proof for {short_key(key)}"
    depth = obj["depth"]
    if type(depth) is not int or not 0 <= depth <= PATH_BITS:
        raise MalformedInput(f"{what}: depth must be an integer from 0 to {PATH_BITS}")
    raw_siblings = obj["siblings"]
    if not isinstance(raw_siblings, list):
        raise MalformedInput(f"{what}: siblings must be an array of base64 hashes")
    siblings = tuple(
        decode_base64(s, what=f"{what}: sibling {i}", size=HASH_SIZE)
        for i, s in enumerate(raw_siblings)
    )
    bitmap = decode_base64(obj["empty_bitmap"], what=f"{what}: empty_bitmap")
    other = None
    if obj["other"] is not None:
        _check_members(obj["other"], _OTHER_MEMBERS, f"{what}: other")
        other = (
            decode_base64(obj["other"]["path"], what=f"{what}: other path", size=HASH_SIZE),
            decode_base64(
                obj["other"]["value_hash"], what=f"{what}: other value_hash", size=HASH_SIZE
            ),
        )
    proof = IndexProof(key, depth, siblings, bitmap, other)
    problem = _shape_problem(proof)
    if problem is not None:
        raise MalformedInput(f"{what}: {problem}")
    return proof


def index_root_line(root: bytes) -> str:
    """Return the checkpoint extension line committing to index *root*."""
    if not isinstance(root, bytes) or len(root) != HASH_SIZE:
        raise MalformedInput(f"an index root is {HASH_SIZE} bytes")
    return f"{INDEX_LINE_NAME} sha256:{encode_base64(root)}"


def parse_index_root_line(line: str) -> bytes | None:
    """Return the index root in checkpoint extension *line*, or None if it is not an index line."""
    name, _, rest = line.partition(" ")
    if name != INDEX_LINE_NAME:
        return None
    if not rest.startswith("sha256:"):
        raise MalformedInput(
            f"checkpoint line {short_key(line)} is not '{INDEX_LINE_NAME} sha256:<base64 root>'"
        )
    return decode_base64(rest[7:], what="the index root in the checkpoint", size=HASH_SIZE)


def _check(root: bytes, key: str, proof: IndexProof, what: str) -> tuple[bytes, list[bytes]]:
    """Return *key*'s path and the proof's siblings with EMPTY filled in, or raise InvalidProof."""
    if not isinstance(proof, IndexProof):
        raise TypeError("an IndexProof is needed; parse_proof reads one from JSON")
    if proof.key != key:
        raise InvalidProof(f"{what}: the proof is for another key, {short_key(str(proof.key))}")
    if not isinstance(root, bytes) or len(root) != HASH_SIZE:
        raise InvalidProof(f"{what}: the root is not a {HASH_SIZE}-byte hash")
    path = key_path(key)
    problem = _shape_problem(proof)
    if problem is not None:
        raise InvalidProof(f"{what}: {problem}")
    siblings = iter(proof.siblings)
    bitmap = proof.empty_bitmap
    levels = [
        EMPTY if (bitmap[i >> 3] >> (7 - (i & 7))) & 1 else next(siblings)
        for i in range(proof.depth)
    ]
    if levels and levels[-1] == EMPTY:
        raise InvalidProof(
            f"{what}: the deepest sibling is empty, so the path ends one level higher;"
            " the proof is not in canonical form"
        )
    return path, levels


def _shape_problem(proof: IndexProof) -> str | None:
    """Return what makes *proof* inconsistent in itself, or None."""
    depth, bitmap, siblings = proof.depth, proof.empty_bitmap, proof.siblings
    if type(depth) is not int or not 0 <= depth <= PATH_BITS:
        return f"depth must be an integer from 0 to {PATH_BITS}"
    size = (depth + 7) // 8
    if not isinstance(bitmap, bytes) or len(bitmap) != size:
        return f"empty_bitmap must be {size} byte{'' if size == 1 else 's'} for depth {depth}"
    bits = int.from_bytes(bitmap)
    if bits & ((1 << (8 * size - depth)) - 1):
        return "empty_bitmap has bits set beyond the proof's depth"
    if not isinstance(siblings, tuple):
        return "siblings must be a tuple of hashes"
    expected = depth - bits.bit_count()
    if len(siblings) != expected:
        return f"{len(siblings)} siblings, but depth and empty_bitmap call for {expected}"
    for i, s in enumerate(siblings):
        if not isinstance(s, bytes) or len(s) != HASH_SIZE:
            return f"sibling {i} is not a {HASH_SIZE}-byte hash"
        if s == EMPTY:
            return f"sibling {i} is the empty hash written out; empty_bitmap must mark it instead"
    other = proof.other
    if other is not None and (
        not isinstance(other, tuple)
        or len(other) != 2
        or not all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in other)
    ):
        return f"other must be a leaf's path and value hash, {HASH_SIZE} bytes each"
    return None


def _fold(start: bytes, p: int, levels: list[bytes]) -> bytes:
    """Return the root reached from *start* at depth len(*levels*) on path *p*."""
    h = start
    for i in range(len(levels) - 1, -1, -1):
        if (p >> (PATH_BITS - 1 - i)) & 1:
            h = sha256(NODE_PREFIX + levels[i] + h).digest()
        else:
            h = sha256(NODE_PREFIX + h + levels[i]).digest()
    return h


def _check_members(obj: object, members: frozenset[str], what: str) -> None:
    if not isinstance(obj, dict):
        raise MalformedInput(f"{what} must be a JSON object")
    missing = sorted(members - obj.keys())
    if missing:
        raise MalformedInput(f"{what} lacks member {missing[0]!r}")
    unknown = sorted(str(k) for k in obj.keys() - members)
    if unknown:
        raise MalformedInput(f"{what} has unknown member {unknown[0]!r}")
