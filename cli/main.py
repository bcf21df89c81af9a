"""``cunzheng``: serve a log, make keys, stamp files and verify receipts.

Every subcommand prints a readable line and exits 1 when something does not
hold (2 for a usage error); it never shows a traceback for bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cunzheng.cli import (
    admin,
    bundles,
    commands,
    fingerprints,
    monitor,
    parties,
    questions,
    search,
    timestamps,
    witness,
)
from cunzheng.ledger.errors import LedgerError

EPILOG_SERVE = """example:
  cunzheng serve --data-dir ./cunzheng-data --port 8000
  CUNZHENG_DATABASE_URL=postgresql://postgres@127.0.0.1/test cunzheng serve
On first start the data directory, the SQLite database and the log key are created."""
EPILOG_KEYGEN = """example:
  cunzheng keygen --out alice.key
The file (mode 0600) holds the private key; the public key is printed."""
EPILOG_STAMP = """example:
  cunzheng stamp contract.pdf dataset.csv --server http://127.0.0.1:8000 --key alice.key
  cunzheng stamp --manifest customers.manifest.json --server http://127.0.0.1:8000 --key alice.key
Only each file's SHA-256, or each dataset's Merkle root and count, leaves this machine.
Writes contract.pdf.receipt.json, customers.manifest.json.receipt.json etc."""
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
EPILOG_LOGKEY = """example:
  cunzheng log-key --data-dir ./cunzheng-data > log.vkey"""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``cunzheng`` command."""
    parser = argparse.ArgumentParser(
        prog="cunzheng", description="Cunzheng (存证): a notarised evidence store."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    fmt = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "serve", help="run the log service", epilog=EPILOG_SERVE, formatter_class=fmt
    )
    p.add_argument(
        "--data-dir", type=Path, default=None, help="data directory (default ./cunzheng-data)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.set_defaults(run=commands.serve)

    p = sub.add_parser(
        "keygen", help="make a submitter key", epilog=EPILOG_KEYGEN, formatter_class=fmt
    )
    p.add_argument(
        "--out", type=Path, required=True, help="file to write the private key to (must not exist)"
    )
    p.add_argument("--name", default="submitter", help="a name for the key (default: submitter)")
    p.set_defaults(run=commands.keygen)

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
    p.set_defaults(run=commands.stamp)

    p = sub.add_parser(
        "verify",
        help="verify an evidence bundle (or a file against its receipt), offline",
        epilog=EPILOG_VERIFY,
        formatter_class=fmt,
        usage="%(prog)s BUNDLE [options] | %(prog)s FILE RECEIPT --log-key VKEY",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="BUNDLE | FILE RECEIPT")
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
        "--online",
        metavar="URL",
        default=None,
        help="also check the bundle against the log as it stands now",
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
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--lang", choices=["en", "zh"], default="en", help="language of the report (default en)"
    )
    p.set_defaults(run=bundles.verify)

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
    p.set_defaults(run=bundles.bundle)

    p = sub.add_parser(
        "log-key", help="print the log's verifier key", epilog=EPILOG_LOGKEY, formatter_class=fmt
    )
    p.add_argument(
        "--data-dir", type=Path, default=None, help="data directory (default ./cunzheng-data)"
    )
    p.set_defaults(run=commands.log_key)
    parties.add_parsers(sub)
    search.add_parsers(sub)
    admin.add_parsers(sub)
    questions.add_parsers(sub)
    timestamps.add_parsers(sub)
    witness.add_parsers(sub)
    monitor.add_parsers(sub)
    fingerprints.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except LedgerError as e:
        print(f"cunzheng {args.command}: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(
            f"cunzheng {args.command}: {e.strerror or e}: {e.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
