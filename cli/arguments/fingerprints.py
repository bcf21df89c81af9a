"""The arguments of ``cunzheng hash`` and ``cunzheng disclose``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

HASH_HELP = "fingerprint a file, a directory or a CSV / JSON Lines dataset, on this machine"


EPILOG_HASH = """examples:
  cunzheng hash contract.pdf
  cunzheng hash customers.csv --manifest customers.manifest.json
  cunzheng hash photos/ --salt --manifest photos.manifest.json
Prints the root (hex) and the statement body to stamp; nothing leaves this machine.
A dataset's root is an RFC 9162 Merkle root over its files or records (the header
row of a CSV file is record 0). The manifest holds every item's digest and the
salt: keep it private, it never goes to the server; you need it to disclose one
item later. --salt protects short or guessable content from brute force."""


DISCLOSE_HELP = "prove that one record or file belongs to a fingerprinted dataset"


EPILOG_DISCLOSE = """examples:
  cunzheng disclose customers.manifest.json --record 1234 --out record-1234.json
  cunzheng disclose photos.manifest.json --file 2024/cover.jpg --out cover.json
The disclosure holds that item alone (a record's bytes or a file's digest, and
its own salt) with an RFC 9162 inclusion proof; it is checked against the root
in the logged statement. Records are read again from the data (--source, by
default the path the manifest was made from) and must still match."""


def add_parsers(sub: Any) -> None:
    """Add ``hash`` and ``disclose`` to the ``cunzheng`` parser."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser("hash", help=HASH_HELP, epilog=EPILOG_HASH, formatter_class=fmt)
    p.add_argument("path", type=Path, metavar="PATH")
    p.add_argument(
        "--format",
        choices=["auto", "file", "directory", "csv", "jsonl"],
        default="auto",
        help="how to read PATH (default auto: directories as directories, *.csv as csv, "
        "*.jsonl and *.ndjson as jsonl, anything else as one file)",
    )
    p.add_argument(
        "--manifest",
        type=Path,
        default=None,
        metavar="OUT",
        help="write the manifest to OUT (which must not exist); it stays with you and never "
        "goes to the server",
    )
    p.add_argument(
        "--salt",
        action="store_true",
        help="salt every digest with a random secret kept in the manifest (needs --manifest)",
    )
    p.set_defaults(run="cunzheng.cli.fingerprints:hash_path")

    p = sub.add_parser("disclose", help=DISCLOSE_HELP, epilog=EPILOG_DISCLOSE, formatter_class=fmt)
    p.add_argument(
        "manifest", type=Path, metavar="MANIFEST", help="the manifest from cunzheng hash"
    )
    item = p.add_mutually_exclusive_group(required=True)
    item.add_argument("--record", type=int, metavar="N", help="disclose record N (from 0)")
    item.add_argument("--file", metavar="PATH", help="disclose the file at PATH in the directory")
    p.add_argument(
        "--source",
        type=Path,
        default=None,
        metavar="DATAPATH",
        help="the data file or directory (default: the path the manifest was made from)",
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DISCLOSURE",
        help="file to write the disclosure to",
    )
    p.set_defaults(run="cunzheng.cli.disclosures:disclose")
