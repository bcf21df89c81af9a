"""Selective disclosure: prove that one record or file belongs to a committed dataset.

A disclosure (``schemas.fingerprints.Disclosure``) carries one item of a
dataset fingerprinted by ``ledger.fingerprint`` — a record's bytes, or a
file's path and digest — with the item's own salt if the dataset was salted,
its index, the dataset's size and the RFC 9162 inclusion proof of its leaf.
The verifier rebuilds the leaf from the item and checks the proof against
the root taken from the logged statement; it sees no other item, and the
sibling hashes in the proof reveal nothing about them when the dataset is
salted.

The proof binds the item and its index to the root. It does not bind the
size (RFC 9162 proofs commit to the tree's shape along the path, which some
other sizes share), so a verifier that must know the dataset's size passes
the statement's ``count``.

Building a disclosure from a manifest and verifying one are pure: the caller
reads the files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from hmac import compare_digest
from typing import Literal

from cunzheng.ledger import merkle
from cunzheng.ledger.errors import InvalidProof, MalformedInput
from cunzheng.ledger.fingerprint import (
    file_commitment,
    file_leaf,
    item_salt,
    record_digest,
    record_leaf,
)
from cunzheng.ledger.wire import parse_model
from cunzheng.schemas.fingerprints import DISCLOSURE_FORMAT, MANIFEST_FORMAT, Disclosure, Manifest

__all__ = [
    "DisclosedItem",
    "check_manifest",
    "disclose_file",
    "disclose_record",
    "disclosure_json",
    "leaf_hashes",
    "parse_disclosure",
    "parse_manifest",
    "verify_disclosure",
]


@dataclass(frozen=True)
class DisclosedItem:
    """An item proved to be in a dataset: a record's bytes, or a file's path, with its SHA-256.

    ``sha256`` is the plain SHA-256 of the record's bytes or of the file, to
    compare with the evidence itself (``sha256sum``); ``salt`` is the item's own.
    """

    scheme: Literal["records", "directory"]
    index: int
    size: int
    root: bytes
    sha256: bytes
    salt: bytes | None
    record: bytes | None = None
    path: str | None = None

    def describe(self) -> str:
        """Return a short human name of the item, such as "record 1234 of 10001"."""
        if self.scheme == "records":
            return f"record {self.index} of {self.size}"
        return f"file {self.path!r} (item {self.index} of {self.size})"


def parse_manifest(data: bytes | str) -> Manifest:
    """Return the manifest in *data*, or raise MalformedInput naming the first field that is wrong."""
    return parse_model(Manifest, data, what="manifest", fmt=MANIFEST_FORMAT)


def parse_disclosure(data: bytes | str) -> Disclosure:
    """Return the disclosure in *data*, or raise MalformedInput naming the first field that is wrong."""
    return parse_model(Disclosure, data, what="disclosure", fmt=DISCLOSURE_FORMAT)


def disclosure_json(disclosure: Disclosure) -> bytes:
    """Return the disclosure as indented JSON, the form written to disclosure files."""
    return disclosure.model_dump_json(indent=2, exclude_none=True).encode() + b"\n"


def leaf_hashes(manifest: Manifest) -> list[bytes]:
    """Return the RFC 9162 leaf hashes of a dataset manifest's items, in order."""
    if manifest.files is not None:
        master = manifest.salt
        return [
            merkle.leaf_hash(
                file_leaf(f.path, file_commitment(f.sha256, master and item_salt(master, i)))
            )
            for i, f in enumerate(manifest.files)
        ]
    if manifest.records is not None:
        return [merkle.leaf_hash(record_leaf(i, d)) for i, d in enumerate(manifest.records)]
    raise MalformedInput("a manifest of kind file has no items to disclose")


def check_manifest(manifest: Manifest) -> list[bytes]:
    """Return the manifest's leaf hashes after checking that they give its root."""
    hashes = leaf_hashes(manifest)
    if not compare_digest(merkle.root_from_leaf_hashes(hashes), manifest.root):
        raise InvalidProof(
            f"the manifest's {manifest.kind} entries do not give its root "
            f"{manifest.root.hex()}: the manifest was altered or damaged"
        )
    return hashes


def disclose_record(manifest: Manifest, index: int, record: bytes) -> Disclosure:
    """Return the disclosure of record *index*, whose bytes are *record*, of a records manifest."""
    if manifest.records is None:
        raise MalformedInput(
            f"the manifest is of kind {manifest.kind}: disclose a file by its path, not a record"
        )
    _check_index(index, manifest.count)
    salt = None if manifest.salt is None else item_salt(manifest.salt, index)
    if not compare_digest(record_digest(record, salt), manifest.records[index]):
        raise InvalidProof(
            f"record {index} of the data does not match the manifest: the data changed "
            "after it was fingerprinted, or the manifest is for other data"
        )
    proof = _proof(check_manifest(manifest), index)
    return Disclosure(
        scheme="records",
        root=manifest.root,
        size=manifest.count,
        index=index,
        record=record,
        salt=salt,
        inclusion_proof=proof,
    )


def disclose_file(manifest: Manifest, path: str, *, digest: bytes | None = None) -> Disclosure:
    """Return the disclosure of the file at relative *path* of a directory manifest.

    If *digest* (the file's SHA-256 as it is now) is given, it must match the manifest.
    """
    if manifest.files is None:
        raise MalformedInput(
            f"the manifest is of kind {manifest.kind}: disclose a record by its index, not a file"
        )
    index = next((i for i, f in enumerate(manifest.files) if f.path == path), None)
    if index is None:
        raise MalformedInput(f"the manifest lists no file {path!r}; paths are relative, with /")
    entry = manifest.files[index]
    if digest is not None and not compare_digest(digest, entry.sha256):
        raise InvalidProof(
            f"{path} does not match the manifest: the file changed after it was fingerprinted"
        )
    salt = None if manifest.salt is None else item_salt(manifest.salt, index)
    return Disclosure(
        scheme="directory",
        root=manifest.root,
        size=manifest.count,
        index=index,
        path=entry.path,
        sha256=entry.sha256,
        salt=salt,
        inclusion_proof=_proof(check_manifest(manifest), index),
    )


def verify_disclosure(
    disclosure: bytes | str, *, root: bytes, count: int | None = None
) -> DisclosedItem:
    """Return the item that *disclosure* proves to be in the dataset with *root* (and *count* items)."""
    if len(root) != merkle.HASH_SIZE:
        raise MalformedInput(f"a dataset root has {merkle.HASH_SIZE} bytes, not {len(root)}")
    d = parse_disclosure(disclosure)
    item, leaf = _item(d)
    what = f"{item.describe()} is not in the dataset"
    if not compare_digest(d.root, root):
        raise InvalidProof(f"{what}: the disclosure is for root {d.root.hex()}, not {root.hex()}")
    if count is not None and d.size != count:
        raise InvalidProof(f"{what}: the disclosure gives size {d.size}, the statement {count}")
    if d.index >= d.size:
        raise InvalidProof(f"{what}: index {d.index} is not less than the size {d.size}")
    try:
        merkle.verify_inclusion(
            leaf_hash=merkle.leaf_hash(leaf),
            index=d.index,
            size=d.size,
            proof=d.inclusion_proof,
            root=root,
        )
    except InvalidProof as e:
        if e.message.endswith("root mismatch"):
            altered = "record or its salt" if d.scheme == "records" else "path, digest or salt"
            raise InvalidProof(
                f"{what}: root mismatch: the {altered}, the index or the proof was altered, "
                "or the item belongs to another dataset"
            ) from None
        raise InvalidProof(f"{what}: {e.message.partition(': ')[2]}") from None
    return item


def _item(d: Disclosure) -> tuple[DisclosedItem, bytes]:
    """Return the disclosed item and its leaf; the model has checked which fields are set."""
    if d.record is not None:
        sha256 = hashlib.sha256(d.record).digest()
        item = DisclosedItem("records", d.index, d.size, d.root, sha256, d.salt, record=d.record)
        return item, record_leaf(d.index, record_digest(d.record, d.salt))
    if d.sha256 is None or d.path is None:
        raise MalformedInput("a disclosure holds either a record or a file's path and sha256")
    item = DisclosedItem("directory", d.index, d.size, d.root, d.sha256, d.salt, path=d.path)
    return item, file_leaf(d.path, file_commitment(d.sha256, d.salt))


def _proof(hashes: Sequence[bytes], index: int) -> list[bytes]:
    def read(nodes: Sequence[tuple[int, int]]) -> list[bytes]:
        return [
            merkle.root_from_leaf_hashes(hashes[n << level : (n + 1) << level])
            for level, n in nodes
        ]

    return merkle.inclusion_proof(index, len(hashes), read)


def _check_index(index: int, count: int) -> None:
    if count == 0:
        raise MalformedInput("the dataset is empty: there is nothing to disclose")
    if not 0 <= index < count:
        raise MalformedInput(f"there is no record {index}: the dataset holds 0 to {count - 1}")
