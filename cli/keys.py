"""``cunzheng keygen``: a new submitter key."""

from __future__ import annotations

import argparse

from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import write_key
from cunzheng.ledger.note import Signer


def keygen(args: argparse.Namespace) -> int:
    """Write a new submitter key and print its public key."""
    if args.out.exists():
        raise LedgerError(f"{args.out} already exists; choose another --out or remove it first")
    signer = Signer.generate(args.name)
    write_key(args.out, signer)
    print(signer.verifier().to_string())
    return 0
