"""``cunzheng tsa-stamp``: an RFC 3161 token over a file's digest, straight from a TSA."""

from __future__ import annotations

import argparse

from cunzheng.ledger.digest import sha256_file
from cunzheng.ledger.tsa.client import fetch_token


def tsa_stamp(args: argparse.Namespace) -> int:
    """Fetch a token over the file's SHA-256 and write it."""
    digest = sha256_file(args.file)
    token = fetch_token(args.tsa, digest, trust_roots=[p.read_bytes() for p in args.ca])
    out = args.out or args.file.with_name(args.file.name + ".tsr")
    out.write_bytes(token)
    print(f"{args.file}: SHA-256 {digest.hex()} time-stamped -> {out}")
    return 0
