"""The offline verifier of a single receipt: the receipt, the log's public key and the file.

``verify_receipt`` runs every check a judge relies on for one receipt and
raises the first that fails, with a message that says which check and why:

1. the receipt parses and its statement is well formed;
2. the statement is signed by its signer's key;
3. the file's SHA-256 equals the digest in the statement (when a file is given);
4. the checkpoint is signed by the log's key and names that log;
5. the checkpoint is for the receipt's tree size;
6. the leaf rebuilt from the statement is included in that tree.

Pure: the caller reads the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cunzheng.ledger import merkle
from cunzheng.ledger.bodies import EvidenceTimestamp
from cunzheng.ledger.clock import parse_time
from cunzheng.ledger.errors import InvalidProof
from cunzheng.ledger.note import Checkpoint, Verifier, open_checkpoint
from cunzheng.ledger.receipts import parse_receipt, receipt_leaf
from cunzheng.ledger.statements import Statement, check_signature, parse_statement
from cunzheng.ledger.tsa.tokens import TokenInfo
from cunzheng.ledger.tsa.verify import verify_token
from cunzheng.ledger.verify.attestations import TrustRoot, checkpoint_imprint


@dataclass(frozen=True)
class VerifiedReceipt:
    """What a receipt proves once every check holds."""

    statement: Statement
    logged_at: datetime
    index: int
    checkpoint: Checkpoint
    leaf_hash: bytes
    # The checked RFC 3161 tokens over the checkpoint (empty without trust roots or tokens).
    timestamps: tuple[TokenInfo, ...] = ()


def verify_receipt(
    data: bytes | str,
    *,
    log_key: Verifier,
    content_sha256: bytes | None = None,
    tsa_roots: Sequence[TrustRoot] = (),
) -> VerifiedReceipt:
    """Return what the receipt proves, or raise the LedgerError of the first check that fails.

    With *tsa_roots*, every RFC 3161 token in the receipt must be over the
    checkpoint and chain to one of them; without, tokens are not checked.
    """
    receipt = parse_receipt(data)
    statement = parse_statement(receipt.statement)
    logged_at = parse_time(receipt.logged_at, what="logged_at")
    check_signature(statement)
    if content_sha256 is not None:
        content = statement.content
        claimed = content.sha256.hex() if isinstance(content, EvidenceTimestamp) else None
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
    tokens: tuple[TokenInfo, ...] = ()
    if tsa_roots:
        imprint = checkpoint_imprint(receipt.checkpoint)
        tokens = tuple(
            verify_token(t, digest=imprint, trust_roots=tsa_roots) for t in receipt.timestamps
        )
    return VerifiedReceipt(statement, logged_at, receipt.index, checkpoint, leaf_hash, tokens)
