"""``cunzheng monitor``: audit a log as an outsider, and raise the alarm on evidence of misbehaviour."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cunzheng.cli.witness import read_verifier
from cunzheng.ledger.cosignature import CosignatureVerifier, WitnessPolicy
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.monitor import Audit, Misbehaviour, run

# Exit status when the log served evidence of misbehaviour (1: the audit could not be done).
ALARM = 3

EPILOG = """examples:
  cunzheng monitor http://127.0.0.1:8000 --log-key log.vkey --state monitor-state.json
  cunzheng monitor URL --log-key log.vkey --state s.json --witness w1.vkey --witness w2.vkey --threshold 2
Checks the latest checkpoint's signature (and witness cosignatures), that it neither shrinks
nor forks from the checkpoint verified last time, that the tiles and entries rebuild to its
root, and every new statement's signatures and registry rules. Exit status: 0 all holds
(the state file is updated); 3 the log misbehaved (the evidence is printed); 1 the audit
could not be done (the log could not be read, bad arguments)."""


def add_parsers(sub: Any) -> None:
    """Add ``monitor`` to the ``cunzheng`` parser."""
    p = sub.add_parser(
        "monitor",
        help="audit a log's new entries and checkpoints",
        epilog=EPILOG,
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
    p.set_defaults(run=monitor)


def monitor(args: argparse.Namespace) -> int:
    """Audit the log; print a summary, or the alarm and its evidence."""
    log_key = read_verifier(args.log_key)
    policy = _policy(args.witness, args.threshold)
    try:
        result = run(args.url, log_key=log_key, state_path=args.state, policy=policy)
    except Misbehaviour as e:
        print(f"cunzheng monitor: ALARM {e}", file=sys.stderr)
        for number, note in enumerate(e.evidence, start=1):
            print(f"--- evidence {number}: signed checkpoint ---\n{note}", end="", file=sys.stderr)
        return ALARM
    _summary(result)
    return 0


def _policy(witnesses: list[str], threshold: int | None) -> WitnessPolicy | None:
    if not witnesses:
        if threshold is not None:
            raise LedgerError("--threshold needs at least one --witness")
        return None
    keys = []
    for text in witnesses:
        path = Path(text)
        if "+" not in text or path.is_file():
            text = path.read_text().strip()
        keys.append(CosignatureVerifier.from_string(text))
    return WitnessPolicy(keys, len(keys) if threshold is None else threshold)


def _summary(result: Audit) -> None:
    checkpoint = result.state.checkpoint
    print(
        f"log {checkpoint.origin}: checkpoint of {checkpoint.size} entries, "
        f"root {checkpoint.root.hex()}, signed by the log key"
    )
    if result.previous_size:
        print(
            f"consistent   extends the checkpoint of {result.previous_size} entries verified before"
        )
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(result.statement_types.items()))
    print(
        f"new entries  {result.new_entries} audited: included in the signed tree, "
        f"statements signed, registry rules hold" + (f" ({kinds})" if kinds else "")
    )
    for name, moment in result.cosigned:
        print(f"cosigned     by {name} at {moment.isoformat().replace('+00:00', 'Z')}")
    print("OK")
