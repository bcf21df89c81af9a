"""``cunzheng monitor``: audit a log as an outsider, and raise the alarm on evidence of misbehaviour."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cunzheng.cli.inputs import read_log_key
from cunzheng.ledger.cosignature import CosignatureVerifier, WitnessPolicy
from cunzheng.ledger.errors import LedgerError, MalformedInput
from cunzheng.ledger.monitor import Audit, Misbehaviour, run
from cunzheng.ledger.note import Verifier, describe_keys, read_note

# Exit status when the log served evidence of misbehaviour (1: the audit could not be done).
ALARM = 3


def monitor(args: argparse.Namespace) -> int:
    """Audit the log; print a summary, or the alarm and its evidence."""
    log_key = read_log_key(args.log_key)
    policy = _policy(args.witness, args.threshold)
    try:
        result = run(args.url, log_key=log_key, state_path=args.state, policy=policy)
    except Misbehaviour as e:
        if args.state is None or not args.state.exists():
            # Nothing verified before with this key: a checkpoint by another key means a wrong key.
            _check_key_given(e, log_key)
        print(f"cunzheng monitor: ALARM {e}", file=sys.stderr)
        for number, note in enumerate(e.evidence, start=1):
            print(f"--- evidence {number}: signed checkpoint ---\n{note}", end="", file=sys.stderr)
        return ALARM
    _summary(result)
    return 0


def _check_key_given(e: Misbehaviour, log_key: Verifier) -> None:
    """Raise LedgerError if the checkpoint bears no signature line by *log_key* at all.

    A checkpoint signed only by other keys says the wrong key was given, not that the log
    misbehaved; a line by the key given whose signature fails is misbehaviour.
    """
    if e.kind not in ("bad_signature", "malformed") or not e.evidence:
        return
    try:
        note = read_note(e.evidence[0], [log_key])
    except (LedgerError, MalformedInput):
        return
    if note.signatures:
        return
    raise LedgerError(
        f"the log's checkpoint is signed by {describe_keys(note.unverified)}, not by the key "
        f"given ({log_key.to_string()}): check --log-key (`cunzheng log-key --server URL` "
        "shows the key the log states). Nothing was audited; this is not evidence of misbehaviour"
    )


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
