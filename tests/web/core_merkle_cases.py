"""Print, as JSON, Merkle proofs and the verdicts ledger.merkle gives on them.

tests/web/core-merkle.test.js runs this and holds api/web/js/04-merkle.js to
the same verdicts and messages: every transparency-dev probe, and proofs over
trees of up to 2^40 leaves (their hashes made up by a reader, so no tree is
stored), each genuine and with one bit of one hash flipped.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cunzheng.ledger import merkle
from cunzheng.ledger.errors import InvalidProof

PROBES = Path(__file__).parent.parent / "ledger" / "vectors" / "transparency-dev" / "testdata"


def made_up(nodes: Sequence[tuple[int, int]]) -> list[bytes]:
    """Return stand-in hashes for complete subtrees: any values make a consistent tree."""
    return [hashlib.sha256(f"{level}/{index}".encode()).digest() for level, index in nodes]


def verdict(check: Callable[[], None]) -> str:
    try:
        check()
    except InvalidProof as e:
        return f"InvalidProof: {e}"
    return "ok"


def flipped(hashes: list[bytes], which: int) -> list[bytes]:
    """Return *hashes* with one bit of hash *which* flipped."""
    out = list(hashes)
    out[which] = flip(out[which], which)
    return out


def flip(h: bytes, bit: int) -> bytes:
    """Return *h* with bit *bit* (mod 256) flipped."""
    b = bytearray(h)
    b[(bit // 8) % 32] ^= 1 << (bit % 8)
    return bytes(b)


def inclusion_case(index: int, size: int, proof: list[bytes], leaf: bytes, root: bytes) -> Any:
    def check() -> None:
        merkle.verify_inclusion(leaf_hash=leaf, index=index, size=size, proof=proof, root=root)

    return {
        "kind": "inclusion",
        "index": index,
        "size": size,
        "leafHash": leaf.hex(),
        "root": root.hex(),
        "proof": [h.hex() for h in proof],
        "verdict": verdict(check),
    }


def consistency_case(old: int, new: int, proof: list[bytes], root1: bytes, root2: bytes) -> Any:
    def check() -> None:
        merkle.verify_consistency(
            old_size=old, new_size=new, old_root=root1, new_root=root2, proof=proof
        )

    return {
        "kind": "consistency",
        "size1": old,
        "size2": new,
        "root1": root1.hex(),
        "root2": root2.hex(),
        "proof": [h.hex() for h in proof],
        "verdict": verdict(check),
    }


def probe_cases() -> list[Any]:
    cases = []
    for path in sorted(PROBES.rglob("*.json")):
        p = json.loads(path.read_text())
        proof = [base64.b64decode(h) for h in p["proof"] or []]
        if path.relative_to(PROBES).parts[0] == "inclusion":
            leaf, root = base64.b64decode(p["leafHash"]), base64.b64decode(p["root"])
            case = inclusion_case(p["leafIdx"], p["treeSize"], proof, leaf, root)
        else:
            root1, root2 = base64.b64decode(p["root1"]), base64.b64decode(p["root2"])
            case = consistency_case(p["size1"], p["size2"], proof, root1, root2)
        case["name"] = path.relative_to(PROBES).as_posix()
        cases.append(case)
    return cases


def large_tree_cases() -> list[Any]:
    cases = []
    sizes = [1, 2, 3, 7, 8, 9, 1000, (1 << 32) + 5, (1 << 40) - 1, (1 << 40) + 12345]
    for size in sizes:
        root = merkle.root(size, made_up)
        for index in {0, size // 3, size - 1}:
            proof = merkle.inclusion_proof(index, size, made_up)
            leaf = made_up([(0, index)])[0]
            cases.append(inclusion_case(index, size, proof, leaf, root))
            cases.append(inclusion_case(index, size, proof, leaf, flip(root, 0)))
            for which in range(0, len(proof), 3):
                cases.append(inclusion_case(index, size, flipped(proof, which), leaf, root))
            cases.append(inclusion_case(index + 1, size, proof, leaf, root))
        for old in {1, size // 2, size - 1, size}:
            if old < 1:
                continue
            old_root = merkle.root(old, made_up)
            proof = merkle.consistency_proof(old, size, made_up)
            cases.append(consistency_case(old, size, proof, old_root, root))
            for which in range(0, len(proof), 3):
                cases.append(consistency_case(old, size, flipped(proof, which), old_root, root))
            cases.append(consistency_case(old, size, proof, flip(old_root, 9), root))
            cases.append(consistency_case(old, size, proof[:-1], old_root, root))
    return cases


if __name__ == "__main__":
    print(json.dumps(probe_cases() + large_tree_cases()))
