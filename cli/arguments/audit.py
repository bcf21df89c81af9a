"""The arguments of ``cunzheng witness`` and ``cunzheng monitor``: watching a log from outside."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

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


def add_witness(sub: Any) -> None:
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
    s.set_defaults(run="cunzheng.cli.witness:serve")

    k = commands.add_parser(
        "key", help="print the witness's verifier key", epilog=EPILOG_KEY, formatter_class=fmt
    )
    k.add_argument("--data-dir", type=Path, required=True, help="the witness's data directory")
    k.add_argument("--name", default=None, help="make a key under this name if there is none")
    k.set_defaults(run="cunzheng.cli.witness:key")


EPILOG_MONITOR = """examples:
  cunzheng monitor http://127.0.0.1:8000 --log-key log.vkey --state monitor-state.json
  cunzheng monitor URL --log-key log.vkey --state s.json --witness w1.vkey --witness w2.vkey --threshold 2
Checks the latest checkpoint's signature (and witness cosignatures), that it neither shrinks
nor forks from the checkpoint verified last time, that the tiles and entries rebuild to its
root, and every new statement's signatures and registry rules. Exit status: 0 all holds
(the state file is updated); 3 the log misbehaved (the evidence is printed); 1 the audit
could not be done (the log could not be read, bad arguments)."""


def add_monitor(sub: Any) -> None:
    """Add ``monitor`` to the ``cunzheng`` parser."""
    p = sub.add_parser(
        "monitor",
        help="audit a log's new entries and checkpoints",
        epilog=EPILOG_MONITOR,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("url", metavar="URL", help="the log's base URL (tiles are read below URL/log/)")
    p.add_argument(
        "--log-key", required=True, help="the log's verifier key, or a file that holds it"
    )
    p.add_argument(
        "--state",
        type=Path,
        default=None,
        help="file keeping the last verified checkpoint; without it every run audits from entry 0",
    )
    p.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="VKEY",
        help="a witness's verifier key, or a file that holds it (repeat for more)",
    )
    p.add_argument(
        "--threshold",
        type=int,
        default=None,
        help="how many of the witnesses must cosign (default: all of them)",
    )
    p.set_defaults(run="cunzheng.cli.monitor:monitor")
