"""``cunzheng bundle`` and ``cunzheng verify``: evidence bundles from a log, checked offline.

``bundle`` asks a log for a bundle covering some receipts and writes it,
with any disclosures added. ``verify`` checks a bundle with nothing but the
file (``ledger.verify.verify_bundle``) and prints the report; with
``--online`` it first fetches the log's current checkpoint and the
consistency proof to it, which is the only network access. The TSA roots
(``--tsa-root``) and the witnesses (``--witness``, ``--witness-threshold``)
a judge trusts are read from local files. Two positional arguments, a file
and its receipt, keep the receipt form of ``verify``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import sys
from pathlib import Path

import httpx
import orjson

from cunzheng.cli import commands
from cunzheng.cli.http import get_json, get_text, post_json
from cunzheng.ledger.cosignature import CosignatureVerifier, WitnessPolicy
from cunzheng.ledger.digest import sha256_file
from cunzheng.ledger.disclosure import parse_disclosure
from cunzheng.ledger.errors import LedgerError, MalformedInput
from cunzheng.ledger.note import Checkpoint
from cunzheng.ledger.receipts import parse_receipt
from cunzheng.ledger.tsa.verify import load_certificates
from cunzheng.ledger.verify import (
    CurrentCheckpoint,
    bundle_json,
    parse_bundle,
    render_text,
    report_json,
    verify_bundle,
)


def bundle(args: argparse.Namespace) -> int:
    """Fetch a bundle covering the receipts, add the disclosures, check it and write it."""
    receipts = [parse_receipt(commands._read(p)).model_dump(mode="json") for p in args.receipts]
    disclosures = [parse_disclosure(commands._read(p)) for p in args.disclosure]
    with httpx.Client(base_url=args.server.rstrip("/"), timeout=120) as client:
        answer = post_json(client, "/v1/bundles", {"receipts": receipts})
    fetched = parse_bundle(orjson.dumps(answer))
    if disclosures:
        fetched = fetched.model_copy(update={"disclosures": [*fetched.disclosures, *disclosures]})
    data = bundle_json(parse_bundle(bundle_json(fetched)))
    log_key = commands._log_key(args.log_key) if args.log_key else None
    report = verify_bundle(data, log_key=log_key)
    if not report.ok:
        failed = "; ".join(
            f"{c.subject} {c.reason}: {c.detail}".rstrip(": ") for c in report.failed()
        )
        raise LedgerError(f"the bundle does not verify, so it was not written: {failed}")
    args.out.write_bytes(data)
    evidence = [f.index for f in report.findings]
    print(
        f"{args.out}: {len(evidence)} evidence entr{'y' if len(evidence) == 1 else 'ies'} "
        f"({', '.join(map(str, evidence))}), checkpoint of {report.log['size']} entries, "
        f"{len(fetched.earlier_checkpoints)} earlier checkpoint(s), {len(fetched.disclosures)} disclosure(s), "
        f"{len(fetched.timestamps)} time-stamp token(s), {len(fetched.cosignatures)} cosignature(s)"
    )
    return 0


def verify(args: argparse.Namespace) -> int:
    """Verify a bundle offline and print its report, or a file against its receipt."""
    if len(args.paths) == 2:
        return _verify_receipt(args)
    if len(args.paths) != 1:
        raise LedgerError("give one bundle, or a file and its receipt")
    data = commands._read(args.paths[0])
    log_key = commands._log_key(args.log_key) if args.log_key else None
    files = {str(p): sha256_file(p) for p in args.file}
    disclosures = [(str(p), commands._read(p)) for p in args.disclosure]
    roots = load_certificates([commands._read(p) for p in args.tsa_root])
    witnesses = witness_policy(args.witness, args.witness_threshold)
    current = fetch_current(args.online, data) if args.online else None
    report = verify_bundle(
        data,
        log_key=log_key,
        files=files,
        disclosures=disclosures,
        current=current,
        tsa_roots=roots,
        witnesses=witnesses,
    )
    if args.json:
        out = orjson.dumps(report_json(report, lang=args.lang), option=orjson.OPT_INDENT_2)
        sys.stdout.write(out.decode() + "\n")
    else:
        sys.stdout.write(render_text(report, lang=args.lang))
    if report.ok:
        return 0
    codes = ", ".join(sorted({c.reason for c in report.failed()}))
    print(
        f"cunzheng verify: NOT VERIFIED: {len(report.failed())} required check(s) did not pass ({codes})",
        file=sys.stderr,
    )
    return 1


def witness_policy(witnesses: list[str], threshold: int | None) -> WitnessPolicy | None:
    """Return the policy of the witnesses named by key or key file, *threshold* of them (default all)."""
    if not witnesses:
        if threshold is not None:
            raise LedgerError("--witness-threshold needs at least one --witness")
        return None
    keys = []
    for text in witnesses:
        path = Path(text)
        if "+" not in text or path.is_file():
            text = commands._read(path).decode("utf-8", "replace").strip()
        keys.append(CosignatureVerifier.from_string(text))
    return WitnessPolicy(keys, len(keys) if threshold is None else threshold)


def fetch_current(url: str, data: bytes) -> CurrentCheckpoint | None:
    """Return the log's current checkpoint at *url* and the consistency proof to it from the bundle's."""
    try:
        size = _unverified_size(parse_bundle(data).checkpoint)
    except MalformedInput:
        return None
    with httpx.Client(base_url=url.rstrip("/"), timeout=60) as client:
        note = get_text(client, "/log/checkpoint")
        now = _unverified_size(note)
        if size is None or now is None or now < size:
            return note, []
        answer = get_json(client, "/log/proof/consistency", old=size, size=now)
    proof = answer.get("proof") if isinstance(answer, dict) else None
    return note, [_hash(h) for h in proof] if isinstance(proof, list) else []


def _verify_receipt(args: argparse.Namespace) -> int:
    if args.log_key is None:
        raise LedgerError("verifying a file against its receipt needs --log-key")
    if (
        args.file
        or args.disclosure
        or args.online
        or args.json
        or args.witness
        or args.witness_threshold is not None
    ):
        raise LedgerError(
            "--file, --disclosure, --online, --json and --witness apply to a bundle, not a receipt"
        )
    args.file, args.receipt = args.paths
    return commands.verify(args)


def _unverified_size(note: str) -> int | None:
    """Return the tree size a checkpoint note claims, before any signature is checked."""
    text, sep, _ = note.rpartition("\n\n")
    try:
        return Checkpoint.parse(text + "\n").size if sep else None
    except MalformedInput:
        return None


def _hash(value: object) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return b""
