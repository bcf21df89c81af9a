"""Drafts at the desk: sign now and submit, or prepare a draft; ``cunzheng cosign`` and ``submit``.

Every step says which signatures the rules still require and from whom
(``ledger.registry.signers``, through the client's desk), so that a party
knows what it signs and nobody submits what the log would refuse.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cunzheng.ledger.client import Client, Draft, Logged
from cunzheng.ledger.durable import write_atomically
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import read_key, read_verifier, submitter_key


def client(args: argparse.Namespace) -> Client:
    """Return a client of the log at ``--server``, its key pinned by ``--log-key`` if given."""
    pinned = read_verifier(args.log_key) if getattr(args, "log_key", None) else None
    return Client(args.server, log_key=pinned)


def finish(args: argparse.Namespace, log: Client, draft: Draft) -> int:
    """Show *draft*, sign it with ``--key``, then write it (``--prepare``) or submit it; print the outcome."""
    _show(draft.summary)
    if args.key is not None:
        draft = draft.sign(submitter_key(read_key(args.key)))
    if args.prepare is not None:
        write_atomically(args.prepare, draft.to_json())
        _signatures(args, draft, f"draft written to {args.prepare}")
        return 0
    if args.key is None:
        raise LedgerError("give --key to sign and submit, or --prepare FILE to write a draft")
    if draft.missing():
        who = "; ".join(str(s) for s in draft.missing())
        raise LedgerError(
            f"{draft.statement.type} also needs the signature of {who}: write a draft with "
            "--prepare FILE, have each of them run `cunzheng cosign FILE --key THEIR.key`, "
            "then `cunzheng submit FILE`"
        )
    return _submitted(args, log.submit(draft))


def cosign(args: argparse.Namespace) -> int:
    """Add one party's signature to a draft file; say who must still sign."""
    draft = Draft.from_json(args.draft.read_bytes())
    if args.server is not None:
        with client(args) as log:
            draft = log.signatories(draft)
    _show(draft.summary)
    signed = draft.sign(submitter_key(read_key(args.key)))
    out: Path = args.out or args.draft
    write_atomically(out, signed.to_json())
    _signatures(args, signed, f"signed; draft written to {out}")
    return 0


def submit(args: argparse.Namespace) -> int:
    """Submit a draft file once every signature the rules require is there."""
    draft = Draft.from_json(args.draft.read_bytes())
    _show(draft.summary)
    with client(args) as log:
        return _submitted(args, log.submit(draft))


def _show(lines: tuple[str, ...]) -> None:
    for line in lines:
        print(f"  {line}", file=sys.stderr)


def _signatures(args: argparse.Namespace, draft: Draft, done: str) -> None:
    signer, signed = draft.statement.signer, draft.signed
    rows = [(s, s.met(signer, signed)) for s in draft.signatories]
    missing = [s for s, ok in rows if not ok]
    if args.json:
        doc: dict[str, Any] = {
            "draft": str(
                args.prepare if getattr(args, "prepare", None) else args.out or args.draft
            ),
            "type": draft.statement.type,
            "signatures": [
                {
                    "role": s.role,
                    "parties": [{"id": p.id.hex(), "name": p.name} for p in s.parties],
                    "submitter": s.submitter,
                    "signed": ok,
                }
                for s, ok in rows
            ],
            "complete": not missing and draft.submitter_signed,
        }
        print(json.dumps(doc, ensure_ascii=False))
        return
    print(done)
    for s, ok in rows:
        print(f"  {'signed ' if ok else 'missing'}  {s}")
    if missing or not draft.submitter_signed:
        print("still to sign: " + "; ".join(str(s) for s in missing or draft.signatories[:1]))
    else:
        print("every signature the rules require is there: cunzheng submit FILE --server URL")


def _submitted(args: argparse.Namespace, logged: Logged) -> int:
    if args.out is not None:
        write_atomically(args.out, json.dumps(dict(logged.receipt), ensure_ascii=False).encode())
    if args.json:
        doc = logged.to_json()
        del doc["receipt"]
        print(json.dumps(doc, ensure_ascii=False))
    else:
        print(f"{logged.id}  index {logged.index}  {logged.status}")
    return 0
