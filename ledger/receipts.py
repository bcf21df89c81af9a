"""Receipts: a logged statement with the proof that ties it to a signed checkpoint.

A receipt holds the statement as submitted, the ``logged_at`` of its leaf,
its leaf index, an inclusion proof and the signed checkpoint the proof is
for. The leaf is rebuilt from the statement and ``logged_at``, so nothing in
a receipt is taken on trust: ``ledger.verify`` checks every part.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from cunzheng.ledger.canonical import loads
from cunzheng.ledger.encoding import encode_base64
from cunzheng.ledger.statements import json_leaf, split_leaf
from cunzheng.ledger.wire import parse_model
from cunzheng.schemas.receipts import RECEIPT_FORMAT, Receipt


def build_receipt(
    *,
    leaf: bytes,
    index: int,
    tree_size: int,
    proof: Sequence[bytes],
    checkpoint: str,
    timestamps: Sequence[bytes] = (),
) -> Receipt:
    """Return the receipt of the entry *leaf* at *index*, proved in the tree of *tree_size* leaves."""
    logged_at, statement = split_leaf(leaf)
    return Receipt(
        statement=loads(statement, what="leaf statement"),
        logged_at=logged_at,
        index=index,
        tree_size=tree_size,
        inclusion_proof=list(proof),
        checkpoint=checkpoint,
        timestamps=list(timestamps),
    )


def receipt_bytes(
    *,
    leaf: bytes,
    index: int,
    tree_size: int,
    proof: Sequence[bytes],
    checkpoint: str,
    timestamps: Sequence[bytes] = (),
    indent: bool = False,
) -> bytes:
    """Return the same receipt as ``build_receipt``, as JSON, without building the model.

    Compact, the statement is copied from the leaf as its canonical bytes, not
    re-serialised. With *indent*, the bytes are those of ``receipt_json`` (the
    form of receipt files): indented by two spaces, with a final newline.
    """
    logged_at, statement = split_leaf(leaf)
    fields = {
        "format": RECEIPT_FORMAT,
        "statement": orjson.loads(statement) if indent else orjson.Fragment(statement),
        "logged_at": logged_at,
        "index": index,
        "tree_size": tree_size,
        "inclusion_proof": [encode_base64(h) for h in proof],
        "checkpoint": checkpoint,
        "timestamps": [encode_base64(t) for t in timestamps],
    }
    if indent:
        return orjson.dumps(fields, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    return orjson.dumps(fields)


def receipt_leaf(receipt: Receipt) -> bytes:
    """Return the leaf the receipt claims was logged: the canonical JSON of logged_at and statement."""
    return json_leaf(receipt.statement, receipt.logged_at)


def parse_receipt(data: bytes | str) -> Receipt:
    """Return the receipt in *data*, or raise MalformedInput naming the first field that is wrong."""
    return parse_model(Receipt, data, what="receipt", fmt=RECEIPT_FORMAT)


def receipt_json(receipt: Receipt) -> bytes:
    """Return the receipt as indented JSON, the form written to receipt files."""
    return receipt.model_dump_json(indent=2).encode() + b"\n"


__all__ = ["build_receipt", "parse_receipt", "receipt_json", "receipt_leaf"]
