"""``cunzheng verify FILE RECEIPT``: a file checked against its receipt, offline."""

from __future__ import annotations

import argparse
import base64

from cunzheng.cli.inputs import read_input, read_log_key
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.digest import sha256_file
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.receipts import parse_receipt
from cunzheng.ledger.tsa.verify import load_certificates
from cunzheng.ledger.verify import verify_receipt


def verify_receipt_file(args: argparse.Namespace) -> int:
    """Check a file against its receipt offline and print each check."""
    log_key = read_log_key(args.log_key)
    data = read_input(args.receipt)
    digest = sha256_file(args.file)
    roots = load_certificates([read_input(p) for p in args.tsa_root])
    try:
        result = verify_receipt(data, log_key=log_key, content_sha256=digest, tsa_roots=roots)
    except LedgerError as e:
        raise LedgerError(f"NOT VERIFIED: {e}") from None
    print(f"file         {args.file}: SHA-256 {digest.hex()}  matches the statement")
    print(
        f"statement    {result.statement.type}, signed by {_b64(result.statement.signer)}  signature valid"
    )
    print(
        f"log          {result.checkpoint.origin}, checkpoint of {result.checkpoint.size} entries  signed by the log key"
    )
    print(f"inclusion    entry {result.index} is in that tree  proof valid")
    print(f"logged at    {result.logged_at.isoformat().replace('+00:00', 'Z')} (the log's claim)")
    for token in result.timestamps:
        print(
            f"time-stamp   existed no later than {format_time(token.latest)} (RFC 3161, {token.tsa_subject})"
        )
    if parse_receipt(data).timestamps and not roots:
        print("time-stamp   the receipt carries RFC 3161 tokens; not checked without --tsa-root")
    print("VERIFIED")
    return 0


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
