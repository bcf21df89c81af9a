"""The arguments of the evidence commands: ``keygen``, ``stamp``, ``verify``, ``bundle``, ``search`` and ``tsa-stamp``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

EPILOG_KEYGEN = """example:
  cunzheng keygen --out alice.key
The file (mode 0600) holds the private key; the public key is printed."""
EPILOG_STAMP = """example:
  cunzheng stamp contract.pdf dataset.csv --server http://127.0.0.1:8000 --key alice.key
  cunzheng stamp --manifest customers.manifest.json --server http://127.0.0.1:8000 --key alice.key
Only each file's SHA-256, or each dataset's Merkle root and count, leaves this machine.
Writes contract.pdf.receipt.json, customers.manifest.json.receipt.json etc.; an existing
receipt is never overwritten (stamping again writes contract.pdf.receipt-2.json, and so on).
A directory is fingerprinted first: cunzheng hash DIR --manifest DIR.manifest.json."""
EPILOG_CERTIFICATE = """example:
  cunzheng certificate evidence.bundle.json --out cert.pdf --log-key log.vkey --tsa-root tsa-ca.pem
The bundle is checked as `cunzheng verify` checks it; the certificate (存证证书) shows the
verdict, the platform's declared facts, every party by name, each asset's timeline, every
check, how to verify independently and a QR code that opens the verification page. Its
CJK fonts are embedded: install Debian's fonts-noto-cjk or set CUNZHENG_CJK_FONT. Exit
status 0 only if every required check holds; a failing bundle's certificate says so."""
EPILOG_VERIFY = """example:
  cunzheng verify evidence.bundle.json --file contract.pdf --log-key log.vkey --lang zh
  cunzheng verify evidence.bundle.json --log-key log.vkey --online https://log.example --json
  cunzheng verify evidence.bundle.json --log-key log.vkey --tsa-root tsa-ca.pem \\
      --witness w1.vkey --witness w2.vkey --witness-threshold 2
  cunzheng verify contract.pdf contract.pdf.receipt.json --log-key "$(cunzheng log-key)"
A bundle is checked offline: its checkpoint's signature by the log key, each entry's
signature and inclusion, each signer's key at the time, each file and disclosure,
earlier checkpoints' consistency, and a court's answer (recomputed from the entries);
its RFC 3161 tokens against --tsa-root and its cosignatures against --witness. --online
also checks the log as it stands now. The report names every check; exit status 0
only if every required check holds. Without
--log-key the key in the bundle is used, which proves only internal consistency.
With a file and its receipt, the receipt alone is checked (--log-key required)."""
EPILOG_BUNDLE = """example:
  cunzheng bundle contract.pdf.receipt.json --server http://127.0.0.1:8000 --out evidence.bundle.json
  cunzheng bundle data.receipt.json --server URL --out data.bundle.json --disclosure row-1234.disclosure.json
Asks the log for one file holding everything needed to verify the receipts' entries offline,
years later: the entries, the party entries that establish the signers' keys, a checkpoint
and the proofs. Disclosures are added locally; they never leave this machine."""


def add_evidence(sub: Any) -> None:
    """Add ``keygen``, ``stamp``, ``verify`` and ``bundle`` to the ``cunzheng`` parser."""
    fmt = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "keygen", help="make a submitter key", epilog=EPILOG_KEYGEN, formatter_class=fmt
    )
    p.add_argument(
        "--out", type=Path, required=True, help="file to write the private key to (must not exist)"
    )
    p.add_argument("--name", default="submitter", help="a name for the key (default: submitter)")
    p.set_defaults(run="cunzheng.cli.keys:keygen")

    p = sub.add_parser(
        "stamp", help="timestamp files in a log", epilog=EPILOG_STAMP, formatter_class=fmt
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE")
    p.add_argument(
        "--manifest",
        type=Path,
        action="append",
        default=[],
        help="stamp the dataset a manifest from `cunzheng hash` fingerprints: its root and count "
        "as an evidence.dataset statement (repeatable); the manifest itself is not sent",
    )
    p.add_argument("--server", required=True, help="the log's base URL")
    p.add_argument(
        "--key", type=Path, required=True, help="submitter key file (from cunzheng keygen)"
    )
    p.add_argument(
        "--out-dir",
        type=Path,
        default=None,
        help="where to write receipts (default: beside each file or manifest)",
    )
    p.add_argument(
        "--log-key", default=None, help="verify each receipt with this log key before writing it"
    )
    p.set_defaults(run="cunzheng.cli.stamping:stamp")

    p = sub.add_parser(
        "verify",
        help="verify an evidence bundle (or a file against its receipt), offline",
        epilog=EPILOG_VERIFY,
        formatter_class=fmt,
        usage="%(prog)s BUNDLE [options] | %(prog)s FILE RECEIPT --log-key VKEY",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="BUNDLE | FILE RECEIPT")
    _trust_options(p)
    p.add_argument(
        "--online",
        metavar="URL",
        default=None,
        help="also check the bundle against the log as it stands now",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--lang",
        choices=["zh-en", "en", "zh"],
        default=None,
        help="language of the report: zh-en (Chinese, then English; the default for a bundle), "
        "en (the default for a receipt) or zh",
    )
    p.set_defaults(run="cunzheng.cli.verifying:verify")

    p = sub.add_parser(
        "certificate",
        help="write the bilingual PDF certificate of an evidence bundle, with a QR code",
        epilog=EPILOG_CERTIFICATE,
        formatter_class=fmt,
    )
    p.add_argument("bundle", type=Path, metavar="BUNDLE")
    p.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    p.add_argument(
        "--server",
        default=None,
        metavar="URL",
        help="the log's public address, for the QR code's link (default: https:// and the "
        "log's origin)",
    )
    _trust_options(p)
    p.set_defaults(run="cunzheng.cli.certificates:certificate")

    p = sub.add_parser(
        "bundle",
        help="make an evidence bundle from receipts",
        epilog=EPILOG_BUNDLE,
        formatter_class=fmt,
    )
    p.add_argument("receipts", nargs="+", type=Path, metavar="RECEIPT")
    p.add_argument("--server", required=True, help="the log's base URL")
    p.add_argument("--out", type=Path, required=True, help="file to write the bundle to")
    p.add_argument(
        "--disclosure",
        type=Path,
        action="append",
        default=[],
        help="a dataset disclosure file to add (repeatable)",
    )
    p.add_argument(
        "--log-key", default=None, help="check the bundle with this log key before writing it"
    )
    p.set_defaults(run="cunzheng.cli.bundles:bundle")


EPILOG_SEARCH = """examples:
  cunzheng search contract.pdf --server http://127.0.0.1:8000
  cunzheng search --sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 --server URL --out-dir found/
The file is hashed here; only its digest is sent. Lists each statement with its index, type,
signer and the log's logged_at; --out-dir writes one receipt per statement."""


def add_search(sub: Any) -> None:
    """Add ``search`` to the ``cunzheng`` parser."""
    p = sub.add_parser(
        "search",
        help="find statements by file or digest",
        epilog=EPILOG_SEARCH,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "file", nargs="?", type=Path, metavar="FILE", help="a file to look for (hashed locally)"
    )
    p.add_argument(
        "--sha256", default=None, help="a SHA-256 or dataset root in hex, instead of FILE"
    )
    p.add_argument("--server", required=True, help="the log's base URL")
    p.add_argument("--out-dir", type=Path, default=None, help="write each statement's receipt here")
    p.set_defaults(run="cunzheng.cli.search:search")


EPILOG_TSA_STAMP = """example:
  cunzheng tsa-stamp contract.pdf --tsa http://127.0.0.1:8000/tsa --ca ca.pem
Writes contract.pdf.tst: a bare DER time-stamp token (a TimeStampToken, not the TimeStampResp
a .tsr holds), so openssl reads it with -token_in. Only the file's SHA-256 is sent. Check it with:
  openssl ts -reply -in contract.pdf.tst -token_in -text
  openssl ts -verify -data contract.pdf -in contract.pdf.tst -token_in -CAfile ca.pem"""


def add_tsa_stamp(sub: Any) -> None:
    """Add ``tsa-stamp`` to the ``cunzheng`` parser."""
    p = sub.add_parser(
        "tsa-stamp",
        help="get an RFC 3161 token over a file's digest",
        epilog=EPILOG_TSA_STAMP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--tsa", required=True, help="the TSA's URL (the log serves one at /tsa)")
    p.add_argument(
        "--ca", type=Path, action="append", default=[], help="PEM root to check the token against"
    )
    p.add_argument(
        "--out", type=Path, default=None, help="where to write the token (default FILE.tst)"
    )
    p.set_defaults(run="cunzheng.cli.timestamps:tsa_stamp")


def _trust_options(p: argparse.ArgumentParser) -> None:
    """Add what a bundle is checked against: the log key, files, disclosures, TSA roots, witnesses."""
    p.add_argument(
        "--log-key", default=None, help="the log's verifier key, or a file that holds it"
    )
    p.add_argument(
        "--file",
        type=Path,
        action="append",
        default=[],
        help="a file to compare with the logged digests (repeatable)",
    )
    p.add_argument(
        "--disclosure",
        type=Path,
        action="append",
        default=[],
        help="a dataset disclosure file (repeatable)",
    )
    p.add_argument(
        "--tsa-root",
        type=Path,
        action="append",
        default=[],
        metavar="PEM",
        help="a trusted TSA's CA certificate, to check the bundle's RFC 3161 tokens (repeatable)",
    )
    p.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="VKEY",
        help="a trusted witness's verifier key, or a file that holds it (repeatable)",
    )
    p.add_argument(
        "--witness-threshold",
        type=int,
        default=None,
        metavar="K",
        help="how many of the --witness witnesses must have cosigned (default: all of them)",
    )
