"""``cunzheng witness``: run a C2SP tlog-witness for one or more logs, and show its key."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.witness.datadir import witness_key_path, witness_signer
from cunzheng.ledger.witness.service import Witness


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
