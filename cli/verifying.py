"""``cunzheng verify``: an evidence bundle (or a file against its receipt), checked offline.

``verify_bundle`` checks a bundle with nothing but the file and prints the
report with the bundle's narrative (its parties, events and platform), in
Chinese then English unless ``--lang`` names one (``--json`` adds the
narrative as ``narrative``); with ``--online`` it first fetches the log's current checkpoint and
the consistency proof to it, which is the only network access (and the only
time the HTTP client is imported). The TSA roots (``--tsa-root``) and the
witnesses (``--witness``, ``--witness-threshold``) a judge trusts are read
from local files. Two positional arguments, a file and its receipt, keep the
receipt form (``cli.receipts``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Final

import orjson

from cunzheng.cli.inputs import SNIFF_BYTES, read_input, read_log_key, sniff_format
from cunzheng.cli.progress import hash_file
from cunzheng.cli.receipts import verify_receipt_file
from cunzheng.ledger.cosignature import CosignatureVerifier, WitnessPolicy
from cunzheng.ledger.encoding import decode_base64
from cunzheng.ledger.errors import LedgerError, MalformedInput
from cunzheng.ledger.note import Checkpoint
from cunzheng.ledger.tsa.verify import load_certificates
from cunzheng.ledger.verify import (
    CurrentCheckpoint,
    Report,
    parse_bundle,
    render_text,
    report_json,
    verify_bundle,
)
from cunzheng.ledger.verify.narrative import narrative_json
from cunzheng.ledger.verify.report import ReportLang
from cunzheng.schemas.receipts import RECEIPT_FORMAT

# Without --lang a bundle's report is printed in Chinese, then in English; a receipt's in English.
BUNDLE_LANG: Final = "zh-en"


def verify(args: argparse.Namespace) -> int:
    """Verify a bundle offline and print its report, or a file against its receipt."""
    if len(args.paths) == 2:
        return _verify_receipt(args)
    if len(args.paths) != 1:
        raise LedgerError("give one bundle, or a file and its receipt")
    anchors = trust_anchors(args)
    data = _read_bundle(args.paths[0])
    current = fetch_current(args.online, data) if args.online else None
    report = verify_bundle(data, current=current, **anchors)
    narrative = _narrative(data, report)
    lang: ReportLang = "en" if args.lang == "en" else "zh" if args.lang == "zh" else BUNDLE_LANG
    if args.json:
        # The JSON's texts are in one language: Chinese if asked for alone, else English.
        shown = report_json(report, lang="zh" if lang == "zh" else "en")
        if narrative is not None:
            shown["narrative"] = narrative
        sys.stdout.write(orjson.dumps(shown, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write(render_text(report, lang=lang, narrative=narrative))
    if report.ok:
        return 0
    codes = ", ".join(sorted({c.reason for c in report.failed()}))
    print(
        f"cunzheng verify: NOT VERIFIED: {len(report.failed())} required check(s) did not pass ({codes})",
        file=sys.stderr,
    )
    return 1


def _narrative(data: bytes, report: Report) -> dict[str, Any] | None:
    """Return the narrative of the bundle in *data*, or None for a file that is not a bundle."""
    try:
        bundle = parse_bundle(data)
    except MalformedInput:
        return None
    return narrative_json(bundle, report)


def trust_anchors(args: argparse.Namespace) -> dict[str, Any]:
    """Return what a bundle is checked against, from the options every bundle command shares.

    The log key, the presented files (by SHA-256) and disclosures, the TSA
    roots and the witness policy, as ``verify_bundle`` takes them.
    """
    return {
        "log_key": read_log_key(args.log_key) if args.log_key else None,
        "files": {str(p): hash_file(p) for p in args.file},
        "disclosures": [(str(p), read_input(p)) for p in args.disclosure],
        "tsa_roots": load_certificates([read_input(p) for p in args.tsa_root]),
        "witnesses": witness_policy(args.witness, args.witness_threshold),
    }


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
            text = read_input(path).decode("utf-8", "replace").strip()
        keys.append(CosignatureVerifier.from_string(text))
    return WitnessPolicy(keys, len(keys) if threshold is None else threshold)


def fetch_current(url: str, data: bytes) -> CurrentCheckpoint | None:
    """Return the log's current checkpoint at *url* and the consistency proof to it from the bundle's."""
    try:
        size = _unverified_size(parse_bundle(data).checkpoint)
    except MalformedInput:
        return None
    import httpx

    from cunzheng.cli.http import get_json, get_text

    with httpx.Client(base_url=url.rstrip("/"), timeout=60) as client:
        note = get_text(client, "/log/checkpoint")
        now = _unverified_size(note)
        if size is None or now is None or now < size:
            return note, []
        answer = get_json(client, "/log/proof/consistency", old=size, size=now)
    proof = answer.get("proof") if isinstance(answer, dict) else None
    return note, [_hash(h) for h in proof] if isinstance(proof, list) else []


def _read_bundle(path: Path) -> bytes:
    """Return the bundle at *path*; of a file that is not JSON, only its first bytes.

    The first bytes tell a bundle from a video or a receipt, so a large file that is
    not a bundle is never read whole; a hint on stderr says what to do instead.
    """
    kind = sniff_format(path)
    if kind == RECEIPT_FORMAT:
        print(
            f"cunzheng verify: {path} is a receipt, not an evidence bundle: check it with its "
            f"file (`cunzheng verify FILE {path} --log-key VKEY`), or make a bundle of it first "
            f"(`cunzheng bundle {path} --server URL --out evidence.bundle.json`)",
            file=sys.stderr,
        )
    if kind is not None:
        return read_input(path)
    print(
        f"cunzheng verify: {path} is not an evidence bundle (a bundle is a JSON file from "
        "`cunzheng bundle` or `cunzheng ask --out`); to check a file against its receipt give "
        "both: `cunzheng verify FILE RECEIPT --log-key VKEY`",
        file=sys.stderr,
    )
    with open(path, "rb") as f:
        return f.read(SNIFF_BYTES)


def _verify_receipt(args: argparse.Namespace) -> int:
    if args.lang == BUNDLE_LANG:
        raise LedgerError("--lang zh-en is for a bundle's report; a receipt's is en or zh")
    args.lang = args.lang or "en"
    if args.log_key is None:
        raise LedgerError("verifying a file against its receipt needs --log-key")
    if args.file or args.disclosure or args.online or args.witness or args.witness_threshold:
        raise LedgerError(
            "--file, --disclosure, --online and --witness apply to a bundle, not a receipt"
        )
    first, second = args.paths
    if sniff_format(first) == RECEIPT_FORMAT and sniff_format(second) != RECEIPT_FORMAT:
        raise LedgerError(
            f"{first} is the receipt and {second} the file: give the file first, "
            f"`cunzheng verify {second} {first} --log-key VKEY`"
        )
    if sniff_format(second) != RECEIPT_FORMAT:
        raise LedgerError(
            f"{second} is not a receipt (cunzheng.receipt/v1 from `cunzheng stamp`): "
            "give the file, then its receipt"
        )
    args.file, args.receipt = args.paths
    return verify_receipt_file(args)


def _unverified_size(note: str) -> int | None:
    """Return the tree size a checkpoint note claims, before any signature is checked."""
    text, sep, _ = note.rpartition("\n\n")
    try:
        return Checkpoint.parse(text + "\n").size if sep else None
    except MalformedInput:
        return None


def _hash(value: object) -> bytes:
    try:
        return decode_base64(str(value), what="the hash")
    except MalformedInput:
        return b""
