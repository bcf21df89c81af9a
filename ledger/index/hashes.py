"""The index's hashes: key paths and the leaf, node and empty-subtree hashes (format in ``smt``).

Domain-separated from RFC 9162's 0x00/0x01 prefixes, so that no index hash
can be passed off as a log hash or the other way round.
"""

from __future__ import annotations

from hashlib import sha256

from cunzheng.ledger.errors import MalformedInput

__all__ = [
    "EMPTY",
    "HASH_SIZE",
    "INDEX_LINE_NAME",
    "LEAF_PREFIX",
    "NODE_PREFIX",
    "PATH_BITS",
    "key_path",
    "leaf_hash",
    "node_hash",
    "short_key",
]

HASH_SIZE = 32


PATH_BITS = 256


EMPTY = bytes(HASH_SIZE)
"""The hash of an empty subtree, and the root of the empty map."""


INDEX_LINE_NAME = "cunzheng-index"
"""The first word of the checkpoint extension line that carries the index root."""


LEAF_PREFIX = b"\x10"


NODE_PREFIX = b"\x11"


def key_path(key: str) -> bytes:
    """Return the 256-bit path of index *key*: SHA-256 of its UTF-8 bytes."""
    if not isinstance(key, str):
        raise TypeError(f"an index key is a str, not {type(key).__name__}")
    if not key:
        raise MalformedInput("an index key may not be empty")
    try:
        return sha256(key.encode("utf-8")).digest()
    except UnicodeEncodeError:
        raise MalformedInput(f"index key {short_key(key)} contains a lone surrogate") from None


def leaf_hash(path: bytes, value_hash: bytes) -> bytes:
    """Return the index leaf hash SHA-256(0x10 || path || value_hash)."""
    return sha256(LEAF_PREFIX + path + value_hash).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the index node hash SHA-256(0x11 || left || right)."""
    return sha256(NODE_PREFIX + left + right).digest()


def short_key(key: str) -> str:
    """Return *key* cut to a readable length for messages."""
    return key if len(key) <= 18 else key[:10] + "…"
