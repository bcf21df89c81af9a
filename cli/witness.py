"""``cunzheng witness``: run a C2SP tlog-witness for one or more logs, and show its key."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.witness.datadir import witness_key_path, witness_signer
from cunzheng.ledger.witness.service import Witness

EPILOG_SERVE = """example:
  cunzheng witness serve --data-dir ./witness-data --name witness.example.org/w1 \\
      --log "$(cunzheng log-key --data-dir ./cunzheng-data)" --port 7380
The witness cosigns a checkpoint of a log only if the log's key signed it and a consistency
proof shows it extends the checkpoint the witness cosigned before (C2SP tlog-witness:
POST /add-checkpoint). On first start it makes its key (witness.key, mode 0600) and
prints its verifier key: give that to whoever relies on its cosignatures."""
EPILOG_KEY = """example:
  cunzheng witness key --data-dir ./witness-data
  cunzheng witness key --data-dir ./witness-data --name witness.example.org/w1   # make it if missing
Prints the witness's verifier key, <name>+<key id>+<base64(0x04 || public key)>."""


def add_parsers(sub: Any) -> None:
    """Add ``witness serve`` and ``witness key`` to the ``cunzheng`` parser."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser("witness", help="run a witness that cosigns checkpoints")
    commands = p.add_subparsers(dest="witness_command", required=True, metavar="COMMAND")

    s = commands.add_parser(
        "serve", help="run the witness", epilog=EPILOG_SERVE, formatter_class=fmt
    )
    s.add_argument("--data-dir", type=Path, required=True, help="the witness's key and state")
    s.add_argument(
        "--name", default=None, help="the witness's name, a schema-less URL (needed on first start)"
    )
    s.add_argument(
        "--log",
        action="append",
        required=True,
        metavar="VKEY",
        help="a log to follow: its verifier key, or a file that holds it (repeat for more)",
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=7380, help="port to listen on (default 7380)")
    s.set_defaults(run=serve)

    k = commands.add_parser(
        "key", help="print the witness's verifier key", epilog=EPILOG_KEY, formatter_class=fmt
    )
    k.add_argument("--data-dir", type=Path, required=True, help="the witness's data directory")
    k.add_argument("--name", default=None, help="make a key under this name if there is none")
    k.set_defaults(run=key)


def serve(args: argparse.Namespace) -> int:
    """Run the witness until interrupted."""
    import uvicorn

    from cunzheng.api.witness_app import create_app

    logs = [read_verifier(text) for text in args.log]
    if not witness_key_path(args.data_dir).exists() and args.name is None:
        raise LedgerError("the first start makes the witness's key: give its name with --name")
    witness = Witness.open(args.data_dir, name=args.name, logs=logs)
    print(f"cunzheng witness: key {witness.verifier.to_string()}", file=sys.stderr)
    print(f"cunzheng witness: following {', '.join(witness.origins)}", file=sys.stderr)
    uvicorn.run(create_app(witness), host=args.host, port=args.port, log_level="warning")
    return 0


def key(args: argparse.Namespace) -> int:
    """Print the verifier key of the witness in a data directory."""
    print(witness_signer(args.data_dir, args.name).verifier().to_string())
    return 0


def read_verifier(text: str) -> Verifier:
    """Return the log verifier key in *text*, or in the file *text* names."""
    path = Path(text)
    if "+" not in text or path.is_file():
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            raise LedgerError(f"{path} is neither a verifier key nor a file") from None
    return Verifier.from_string(text)
