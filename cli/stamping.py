"""``cunzheng stamp``: timestamp files and datasets in a log, one receipt each."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from cunzheng.cli.http import post_json
from cunzheng.cli.inputs import read_input, read_log_key
from cunzheng.cli.progress import hash_file
from cunzheng.ledger.clock import utc_now
from cunzheng.ledger.disclosure import check_manifest, parse_manifest
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.fingerprint import statement_body
from cunzheng.ledger.keyfiles import read_key, submitter_key
from cunzheng.ledger.receipts import parse_receipt, receipt_json
from cunzheng.ledger.statements import sign_statement
from cunzheng.ledger.verify import verify_receipt

# Statements per request: the server's default batch limit.
STAMP_BATCH = 1000


@dataclass(frozen=True)
class _Stamp:
    """One thing to stamp: what it is, the statement to send and where its receipt goes."""

    source: Path
    type: str
    body: dict[str, Any]
    out_dir: Path
    label: str


def stamp(args: argparse.Namespace) -> int:
    """Timestamp files and datasets: send their digests or roots, signed, and write one receipt each."""
    key = submitter_key(read_key(args.key))
    log_key = read_log_key(args.log_key) if args.log_key else None
    if not args.files and not args.manifest:
        raise LedgerError("name at least one FILE, or a dataset's --manifest")
    items = [_file_stamp(p, args.out_dir) for p in args.files]
    items += [_manifest_stamp(p, args.out_dir) for p in args.manifest]
    if args.out_dir is not None:
        args.out_dir.mkdir(parents=True, exist_ok=True)
    with httpx.Client(base_url=args.server.rstrip("/"), timeout=120) as client:
        for start in range(0, len(items), STAMP_BATCH):
            chunk = items[start : start + STAMP_BATCH]
            now = utc_now()
            statements = [
                sign_statement(type=i.type, body=i.body, key=key, signed_at=now).to_json()
                for i in chunk
            ]
            receipts = post_json(client, "/v1/statements/batch", statements)["receipts"]
            for item, receipt in zip(chunk, receipts, strict=True):
                data = receipt_json(parse_receipt(orjson.dumps(receipt)))
                if log_key is not None:
                    checked = verify_receipt(data, log_key=log_key)
                    if checked.statement.body != item.body:
                        raise LedgerError(
                            f"{item.source}: the log's receipt is for another statement"
                        )
                out = write_new(item.out_dir, item.source.name, data)
                print(f"{item.source}: {item.label}entry {receipt['index']} -> {out}")
    return 0


def write_new(out_dir: Path, name: str, data: bytes) -> Path:
    """Write *data* to ``name.receipt.json`` in *out_dir*, or to the first free ``name.receipt-N.json``.

    An earlier receipt is never overwritten: it holds the earlier time, the one that matters.
    """
    for n in range(1, 10_000):
        out = out_dir / (f"{name}.receipt.json" if n == 1 else f"{name}.receipt-{n}.json")
        try:
            with open(out, "xb") as f:
                f.write(data)
        except FileExistsError:
            continue
        return out
    raise LedgerError(f"{out_dir}: too many receipts of {name} already; use --out-dir")


def _file_stamp(path: Path, out_dir: Path | None) -> _Stamp:
    if path.is_dir():
        raise LedgerError(
            f"{path} is a directory: fingerprint it first with "
            f"`cunzheng hash {path} --manifest {path.name}.manifest.json`, then stamp it with "
            f"`cunzheng stamp --manifest {path.name}.manifest.json`"
        )
    if not path.is_file():
        raise LedgerError(f"{path} is not a readable file")
    body = {"sha256": hash_file(path).hex()}
    return _Stamp(path, "evidence.timestamp", body, out_dir or path.parent, "")


def _manifest_stamp(path: Path, out_dir: Path | None) -> _Stamp:
    """Return the stamp of the dataset (or file) a manifest from ``cunzheng hash`` fingerprints."""
    manifest = parse_manifest(read_input(path))
    check_manifest(manifest)
    body = statement_body(manifest)
    kind = "evidence.timestamp" if manifest.kind == "file" else "evidence.dataset"
    noun = {"file": "file", "directory": "files", "records": "records"}[manifest.kind]
    items = f"{manifest.count} {noun}"
    label = f"root {manifest.root.hex()} ({items}), "
    return _Stamp(path, kind, body, out_dir or path.parent, label)
