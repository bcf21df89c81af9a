"""The verifiable index: an authenticated map of registry state whose root each checkpoint commits to.

``smt`` is the pure sparse Merkle tree and its proofs (the format is in its
module docstring); ``entries`` defines the keys and leaf documents the log
derives from its statements, and reads the root a checkpoint commits to.
"""

from cunzheng.ledger.index.entries import (
    IndexChanges,
    Lookup,
    checkpoint_index_root,
    index_changes,
)
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
    "IndexChanges",
    "IndexProof",
    "IndexTree",
    "Lookup",
    "checkpoint_index_root",
    "index_changes",
    "index_root_line",
    "key_path",
    "parse_index_root_line",
    "parse_proof",
    "proof_json",
    "root_of",
    "verify_absence",
    "verify_presence",
]
