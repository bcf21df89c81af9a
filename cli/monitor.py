"""``cunzheng monitor``: audit a log as an outsider, and raise the alarm on evidence of misbehaviour."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cunzheng.cli.witness import read_verifier
from cunzheng.ledger.cosignature import CosignatureVerifier, WitnessPolicy
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.monitor import Audit, Misbehaviour, run

# Exit status when the log served evidence of misbehaviour (1: the audit could not be done).
ALARM = 3


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
    if result.indexed:
        print(
            "index        the checkpoint's index root is the one the log's entries make "
            "(recomputed from the entries)"
        )
    else:
        print(
            "index        the checkpoint commits to no index root (signed before the log kept one)"
        )
    for name, moment in result.cosigned:
        print(f"cosigned     by {name} at {moment.isoformat().replace('+00:00', 'Z')}")
    print("OK")
