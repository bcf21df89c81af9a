"""``cunzheng``: serve a log, make keys, stamp files and verify receipts.

Every subcommand prints a readable line and exits 1 when something does not
hold (2 for a usage error); it never shows a traceback for bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cli import commands, parties, search
from ledger.errors import LedgerError

EPILOG_SERVE = """example:
  cunzheng serve --data-dir ./cunzheng-data --port 8000
  CUNZHENG_DATABASE_URL=postgresql://postgres@127.0.0.1/test cunzheng serve
On first start the data directory, the SQLite database and the log key are created."""
EPILOG_KEYGEN = """example:
  cunzheng keygen --out alice.key
The file (mode 0600) holds the private key; the public key is printed."""
EPILOG_STAMP = """example:
  cunzheng stamp contract.pdf dataset.csv --server http://127.0.0.1:8000 --key alice.key
Only each file's SHA-256 leaves this machine. Writes contract.pdf.receipt.json etc."""
EPILOG_VERIFY = """example:
  cunzheng verify contract.pdf contract.pdf.receipt.json --log-key "$(cunzheng log-key)"
Checks offline: the file's digest, the statement's signature, the checkpoint's
signature by the log key and the inclusion of the entry. Exit status 0 only if all hold."""
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
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--server", required=True, help="the log's base URL")
    p.add_argument(
        "--key", type=Path, required=True, help="submitter key file (from cunzheng keygen)"
    )
    p.add_argument(
        "--out-dir",
        type=Path,
        default=None,
        help="where to write receipts (default: beside each file)",
    )
    p.add_argument(
        "--log-key", default=None, help="verify each receipt with this log key before writing it"
    )
    p.set_defaults(run=commands.stamp)

    p = sub.add_parser(
        "verify",
        help="verify a file against its receipt, offline",
        epilog=EPILOG_VERIFY,
        formatter_class=fmt,
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("receipt", type=Path, metavar="RECEIPT")
    p.add_argument(
        "--log-key", required=True, help="the log's verifier key, or a file that holds it"
    )
    p.set_defaults(run=commands.verify)

    p = sub.add_parser(
        "log-key", help="print the log's verifier key", epilog=EPILOG_LOGKEY, formatter_class=fmt
    )
    p.add_argument(
        "--data-dir", type=Path, default=None, help="data directory (default ./cunzheng-data)"
    )
    p.set_defaults(run=commands.log_key)
    parties.add_parsers(sub)
    search.add_parsers(sub)
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
