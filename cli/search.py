"""``cunzheng search``: every statement in a log that references a file or digest."""

from __future__ import annotations

import argparse

import httpx
import orjson

from cunzheng.cli.http import get_json
from cunzheng.cli.progress import hash_file
from cunzheng.ledger.bodies import hex_digest
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.receipts import parse_receipt, receipt_json


def search(args: argparse.Namespace) -> int:
    """Print the statements that reference the digest; exit 1 if there are none."""
    if (args.file is None) == (args.sha256 is None):
        raise LedgerError("give either FILE or --sha256")
    digest = (
        hash_file(args.file)
        if args.file is not None
        else hex_digest(args.sha256.lower(), "--sha256")
    )
    with httpx.Client(base_url=args.server.rstrip("/"), timeout=60) as client:
        answer = get_json(client, "/v1/evidence", sha256=digest.hex())
    receipts = [parse_receipt(orjson.dumps(r)) for r in answer["receipts"]]
    if not receipts:
        raise LedgerError(f"no statement in the log references {digest.hex()}")
    if args.out_dir is not None:
        args.out_dir.mkdir(parents=True, exist_ok=True)
    for receipt in receipts:
        statement = receipt.statement
        print(
            f"entry {receipt.index}  {statement['type']}  signer {statement['signer']}  logged at {receipt.logged_at}"
        )
        if args.out_dir is not None:
            (args.out_dir / f"{digest.hex()[:16]}-{receipt.index}.receipt.json").write_bytes(
                receipt_json(receipt)
            )
    return 0
