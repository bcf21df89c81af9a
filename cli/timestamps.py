"""``cunzheng tsa-stamp``: an RFC 3161 token over a file's digest, straight from a TSA."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cunzheng.ledger.digest import sha256_file
from cunzheng.ledger.tsa.client import fetch_token

EPILOG = """example:
  cunzheng tsa-stamp contract.pdf --tsa http://127.0.0.1:8000/tsa --ca ca.pem
Writes contract.pdf.tsr (a DER time-stamp token). Only the file's SHA-256 is sent. Check it with:
  openssl ts -verify -data contract.pdf -in contract.pdf.tsr -token_in -CAfile ca.pem"""


def add_parsers(sub: Any) -> None:
    """Add ``tsa-stamp`` to the ``cunzheng`` parser."""
    p = sub.add_parser(
        "tsa-stamp",
        help="get an RFC 3161 token over a file's digest",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--tsa", required=True, help="the TSA's URL (the log serves one at /tsa)")
    p.add_argument(
        "--ca", type=Path, action="append", default=[], help="PEM root to check the token against"
    )
    p.add_argument(
        "--out", type=Path, default=None, help="where to write the token (default FILE.tsr)"
    )
    p.set_defaults(run=tsa_stamp)


def tsa_stamp(args: argparse.Namespace) -> int:
    """Fetch a token over the file's SHA-256 and write it."""
    digest = sha256_file(args.file)
    token = fetch_token(args.tsa, digest, trust_roots=[p.read_bytes() for p in args.ca])
    out = args.out or args.file.with_name(args.file.name + ".tsr")
    out.write_bytes(token)
    print(f"{args.file}: SHA-256 {digest.hex()} time-stamped -> {out}")
    return 0
