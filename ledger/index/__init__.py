"""The verifiable index: an authenticated map of registry state whose root each checkpoint commits to.

``smt`` is the pure sparse Merkle tree and its proofs (the format is in its
module docstring).
"""

from cunzheng.ledger.index.smt import (
    EMPTY,
    IndexProof,
    IndexTree,
    index_root_line,
    key_path,
    parse_index_root_line,
    parse_proof,
    proof_json,
    root_of,
    verify_absence,
    verify_presence,
)

__all__ = [
    "EMPTY",
    "IndexProof",
    "IndexTree",
    "index_root_line",
    "key_path",
    "parse_index_root_line",
    "parse_proof",
    "proof_json",
    "root_of",
    "verify_absence",
    "verify_presence",
]
