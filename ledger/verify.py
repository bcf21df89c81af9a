"""The offline verifier: a receipt, the log's public key and the file are enough.

``verify_receipt`` runs every check a judge relies on and raises the first
that fails, with a message that says which check and why:

1. the receipt parses and its statement is well formed;
2. the statement is signed by its signer's key;
3. the file's SHA-256 equals the digest in the statement (when a file is given);
4. the checkpoint is signed by the log's key and names that log;
5. the checkpoint is for the receipt's tree size;
6. the leaf rebuilt from the statement is included in that tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ledger import merkle
from ledger.clock import parse_time
from ledger.errors import InvalidProof
from ledger.note import Checkpoint, Verifier, open_checkpoint
from ledger.receipts import parse_receipt, receipt_leaf
from ledger.statements import Statement, check_signature, parse_statement


@dataclass(frozen=True)
class VerifiedReceipt:
    """What a receipt proves once every check holds."""

    statement: Statement
    logged_at: datetime
    index: int
    checkpoint: Checkpoint
    leaf_hash: bytes


def verify_receipt(
    data: bytes | str, *, log_key: Verifier, content_sha256: bytes | None = None
) -> VerifiedReceipt:
    """Return what the receipt proves, or raise the LedgerError of the first check that fails."""
    receipt = parse_receipt(data)
    statement = parse_statement(receipt.statement)
    logged_at = parse_time(receipt.logged_at, what="logged_at")
    check_signature(statement)
    if content_sha256 is not None:
        claimed = statement.body.get("sha256")
        if claimed != content_sha256.hex():
            raise InvalidProof(
                f"content does not match: the file's SHA-256 is {content_sha256.hex()}, "
                f"the statement records {claimed}"
            )
    checkpoint, _ = open_checkpoint(receipt.checkpoint, log_key, origin=log_key.name)
    if checkpoint.size != receipt.tree_size:
        raise InvalidProof(
            f"the checkpoint is for a tree of {checkpoint.size} leaves, the receipt claims {receipt.tree_size}"
        )
    leaf_hash = merkle.leaf_hash(receipt_leaf(receipt))
    merkle.verify_inclusion(
        leaf_hash=leaf_hash,
        index=receipt.index,
        size=receipt.tree_size,
        proof=receipt.inclusion_proof,
        root=checkpoint.root,
    )
    return VerifiedReceipt(statement, logged_at, receipt.index, checkpoint, leaf_hash)
