"""``cunzheng tsa-stamp``: an RFC 3161 token over a file's digest, straight from a TSA."""

from __future__ import annotations

import argparse

from cunzheng.cli.progress import hash_file
from cunzheng.ledger.tsa.client import fetch_token


def tsa_stamp(args: argparse.Namespace) -> int:
    """Fetch a token over the file's SHA-256 and write it."""
    digest = hash_file(args.file)
    token = fetch_token(args.tsa, digest, trust_roots=[p.read_bytes() for p in args.ca])
    # .tst: a bare TimeStampToken, not a TimeStampResp (.tsr); openssl reads it with -token_in.
    out = args.out or args.file.with_name(args.file.name + ".tst")
    out.write_bytes(token)
    print(f"{args.file}: SHA-256 {digest.hex()} time-stamped -> {out} (a DER time-stamp token)")
    print(f"check it with: openssl ts -verify -data {args.file} -in {out} -token_in -CAfile CA.pem")
    return 0
