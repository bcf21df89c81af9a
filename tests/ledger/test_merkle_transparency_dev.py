"""Known-answer tests for ledger.merkle from transparency-dev/merkle's published data.

Every inclusion and consistency probe in tests/ledger/vectors/transparency-dev/
goes through our verifier: the genuine ones must verify and be what our own
proof generation produces over the reference tree; the mutated ones must be
refused with InvalidProof. See the README there for provenance and licence.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cunzheng.ledger import merkle
from cunzheng.ledger.errors import InvalidProof

VECTORS = Path(__file__).parent / "vectors" / "transparency-dev"
PROBES = VECTORS / "testdata"

# Probes Go accepts and we refuse on purpose, with the reason.
STRICTER = {
    "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json": (
        "its roots are 12-byte placeholders; we refuse any root that is not 32 bytes"
    ),
}


def _probe_files(kind: str) -> list[Path]:
    return sorted((PROBES / kind).rglob("*.json"))


def _probe_id(path: Path) -> str:
    return path.relative_to(PROBES).as_posix()


def _b64(s: str) -> bytes:
    return base64.b64decode(s, validate=True)


def _proof(probe: dict[str, Any]) -> list[bytes]:
    # Go marshals an empty proof as null.
    return [_b64(h) for h in probe["proof"] or []]


class ReferenceTree:
    """The 8-leaf reference tree, its complete subtrees served as a HashReader."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.leaves = [bytes.fromhex(x) for x in data["leaves"]]
        self.nodes = [[bytes.fromhex(h) for h in level] for level in data["node_hashes"]]
        self.roots = [bytes.fromhex(r) for r in data["roots"]]

    def read(self, nodes: Sequence[tuple[int, int]]) -> list[bytes]:
        return [self.nodes[level][index] for level, index in nodes]


@cache
def reference() -> ReferenceTree:
    with open(VECTORS / "testonly-reference-tree.json") as f:
        return ReferenceTree(json.load(f))


def _load(path: Path) -> dict[str, Any]:
    with open(path) as f:
        probe: dict[str, Any] = json.load(f)
    return probe


def _on_reference_tree(path: Path) -> bool:
    """Return whether the probe's genuine form is a proof over the reference tree."""
    # <kind>/<n>/<probe>.json, not <kind>/additional/<n>/... nor single-entry.
    return path.relative_to(PROBES).parts[1].isdigit()


# -- The reference tree itself --------------------------------------------------


def test_reference_tree_node_hashes_are_rfc9162_subtree_hashes() -> None:
    ref = reference()
    hashes = [merkle.leaf_hash(leaf) for leaf in ref.leaves]
    assert hashes == ref.nodes[0]
    for level, row in enumerate(ref.nodes):
        width = 1 << level
        for index, want in enumerate(row):
            lo = index * width
            assert merkle.root_from_leaf_hashes(hashes[lo : lo + width]) == want


def test_frontier_completes_exactly_the_reference_nodes() -> None:
    ref = reference()
    frontier = merkle.Frontier.empty()
    completed = {}
    for size, leaf in enumerate(ref.leaves, start=1):
        for level, index, h in frontier.append(merkle.leaf_hash(leaf)):
            completed[level, index] = h
        assert frontier.root() == ref.roots[size]
    assert completed == {
        (level, index): h for level, row in enumerate(ref.nodes) for index, h in enumerate(row)
    }


def test_reference_tree_roots_through_a_reader() -> None:
    ref = reference()
    for size, want in enumerate(ref.roots):
        assert merkle.root(size, ref.read) == want
        assert merkle.Frontier.from_reader(size, ref.read).root() == want
    assert ref.roots[0] == merkle.EMPTY_ROOT


# -- Inclusion probes ------------------------------------------------------------


@pytest.mark.parametrize("path", _probe_files("inclusion"), ids=_probe_id)
def test_inclusion_probe(path: Path) -> None:
    probe = _load(path)
    index, size, proof = probe["leafIdx"], probe["treeSize"], _proof(probe)
    leaf_hash, root = _b64(probe["leafHash"]), _b64(probe["root"])

    def check() -> None:
        merkle.verify_inclusion(leaf_hash=leaf_hash, index=index, size=size, proof=proof, root=root)

    if probe["wantErr"]:
        with pytest.raises(InvalidProof):
            check()
        return
    check()
    # A proof in a one-leaf tree is empty and reads nothing, whatever the tree.
    assert merkle.inclusion_proof(index, size, reference().read) == proof
    if _on_reference_tree(path):
        assert leaf_hash == reference().nodes[0][index]
        assert root == reference().roots[size]


# -- Consistency probes ----------------------------------------------------------


@pytest.mark.parametrize("path", _probe_files("consistency"), ids=_probe_id)
def test_consistency_probe(path: Path) -> None:
    probe = _load(path)
    old, new, proof = probe["size1"], probe["size2"], _proof(probe)
    old_root, new_root = _b64(probe["root1"]), _b64(probe["root2"])

    def check() -> None:
        merkle.verify_consistency(
            old_size=old, new_size=new, old_root=old_root, new_root=new_root, proof=proof
        )

    if probe["wantErr"] or _probe_id(path) in STRICTER:
        with pytest.raises(InvalidProof):
            check()
        return
    check()
    assert merkle.consistency_proof(old, new, reference().read) == proof
    if _on_reference_tree(path):
        assert old_root == reference().roots[old]
        assert new_root == reference().roots[new]


def test_stricter_probes_are_refused_only_for_hash_length() -> None:
    for name, reason in STRICTER.items():
        probe = _load(PROBES / name)
        assert not probe["wantErr"], name
        assert len(_b64(probe["root1"])) != merkle.HASH_SIZE, reason
        with pytest.raises(InvalidProof, match="expected 32"):
            merkle.verify_consistency(
                old_size=probe["size1"],
                new_size=probe["size2"],
                old_root=_b64(probe["root1"]),
                new_root=_b64(probe["root2"]),
                proof=_proof(probe),
            )


def test_every_probe_is_run() -> None:
    inclusion, consistency = _probe_files("inclusion"), _probe_files("consistency")
    assert (len(inclusion), len(consistency)) == (98, 98)
    genuine = [p for p in inclusion + consistency if not _load(p)["wantErr"]]
    assert len(genuine) == 12
    assert sum(_on_reference_tree(p) for p in genuine) == 10


# -- Subtree digests (draft-ietf-plants-merkle-tree-certs) -------------------------


@pytest.fixture(scope="module")
def digests() -> dict[str, Any]:
    with open(VECTORS / "mtc-subtree-digests.json") as f:
        data: dict[str, Any] = json.load(f)
    return data


def _is_subtree(start: int, end: int) -> bool:
    width = end - start
    return start == 0 or width == 0 or start % (1 << (width - 1).bit_length()) == 0


def _levels(size: int) -> list[list[bytes]]:
    levels = [[merkle.leaf_hash(bytes([i])) for i in range(size)]]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append(
            [merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        )
    return levels


def test_subtree_hash_digest(digests: dict[str, Any]) -> None:
    n = digests["tree_size"]
    levels = _levels(n)

    def read(nodes: Sequence[tuple[int, int]]) -> list[bytes]:
        return [levels[level][index] for level, index in nodes]

    transcript = hashlib.sha256()
    for end in range(n + 1):
        for start in filter(lambda s: _is_subtree(s, end), range(end + 1)):
            h = merkle.subtree_hash(start, end, read)
            transcript.update(f"[{start}, {end}) {h.hex()}\n".encode())
    assert transcript.hexdigest() == digests["subtree_hashes"]["sha256"]


def test_subtree_inclusion_proof_digest(digests: dict[str, Any]) -> None:
    n = digests["tree_size"]
    levels = _levels(n)
    transcript = hashlib.sha256()
    for end in range(n + 1):
        for start in filter(lambda s: _is_subtree(s, end), range(end + 1)):
            # A subtree starts at a multiple of its padded width, so its node
            # (level, i) is the whole tree's node (level, i + start >> level).
            def read(nodes: Sequence[tuple[int, int]], start: int = start) -> list[bytes]:
                return [levels[level][index + (start >> level)] for level, index in nodes]

            for index in range(start, end):
                proof = merkle.inclusion_proof(index - start, end - start, read)
                line = f"{index} [{start}, {end})" + "".join(f" {h.hex()}" for h in proof)
                transcript.update(line.encode() + b"\n")
    assert transcript.hexdigest() == digests["subtree_inclusion_proofs"]["sha256"]
