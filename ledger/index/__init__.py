"""The verifiable index: an authenticated map of registry state whose root each checkpoint commits to.

``smt`` is the pure sparse Merkle tree (the format is in its module
docstring), ``hashes`` its hash functions, ``proofs`` the proofs' form and
checks; ``entries`` defines the keys and leaf documents the log
derives from its statements, and reads the root a checkpoint commits to.
"""

from cunzheng.ledger.index.entries import (
    SETTINGS_KEY,
    IndexChanges,
    Lookup,
    checkpoint_index_root,
    index_changes,
)
from cunzheng.ledger.index.hashes import EMPTY, key_path
from cunzheng.ledger.index.proofs import (
    IndexProof,
    index_root_line,
    parse_index_root_line,
    parse_proof,
    proof_json,
    verify_absence,
    verify_presence,
)
from cunzheng.ledger.index.smt import IndexTree, root_of

__all__ = [
    "EMPTY",
    "SETTINGS_KEY",
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
