"""What each ``cunzheng`` subcommand does; ``cli.main`` parses the arguments."""

from __future__ import annotations

import argparse
import base64
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from cunzheng.cli.http import post_json
from cunzheng.ledger.clock import format_time, utc_now
from cunzheng.ledger.digest import sha256_file
from cunzheng.ledger.disclosure import check_manifest, parse_manifest
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.fingerprint import statement_body
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, log_signer, read_key, submitter_key, write_key
from cunzheng.ledger.note import Signer, Verifier
from cunzheng.ledger.receipts import parse_receipt, receipt_json
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.statements import sign_statement
from cunzheng.ledger.tsa.verify import load_certificates
from cunzheng.ledger.verify import verify_receipt

# Statements per request: the server's default batch limit.
STAMP_BATCH = 1000


def serve(args: argparse.Namespace) -> int:
    """Run the service until interrupted."""
    import uvicorn

    if args.data_dir is not None:
        os.environ["CUNZHENG_DATA_DIR"] = str(args.data_dir)
    settings = Settings()
    signer = log_signer(settings.data_dir, settings.origin)
    print(f"cunzheng: log {signer.name} with key {signer.verifier().to_string()}", file=sys.stderr)
    print(f"cunzheng: database {_redacted(settings.resolved_database_url())}", file=sys.stderr)
    uvicorn.run(
        "cunzheng.api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        log_level="info",
    )
    return 0


def keygen(args: argparse.Namespace) -> int:
    """Write a new submitter key and print its public key."""
    if args.out.exists():
        raise LedgerError(f"{args.out} already exists; choose another --out or remove it first")
    signer = Signer.generate(args.name)
    write_key(args.out, signer)
    print(signer.verifier().to_string())
    return 0


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
    log_key = _log_key(args.log_key) if args.log_key else None
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
                data = receipt_json(parse_receipt(_dumps(receipt)))
                if log_key is not None:
                    checked = verify_receipt(data, log_key=log_key)
                    if checked.statement.body != item.body:
                        raise LedgerError(
                            f"{item.source}: the log's receipt is for another statement"
                        )
                out = item.out_dir / f"{item.source.name}.receipt.json"
                out.write_bytes(data)
                print(f"{item.source}: {item.label}entry {receipt['index']} -> {out}")
    return 0


def _file_stamp(path: Path, out_dir: Path | None) -> _Stamp:
    if not path.is_file():
        raise LedgerError(f"{path} is not a readable file")
    body = {"sha256": sha256_file(path).hex()}
    return _Stamp(path, "evidence.timestamp", body, out_dir or path.parent, "")


def _manifest_stamp(path: Path, out_dir: Path | None) -> _Stamp:
    """Return the stamp of the dataset (or file) a manifest from ``cunzheng hash`` fingerprints."""
    manifest = parse_manifest(_read(path))
    check_manifest(manifest)
    body = statement_body(manifest)
    kind = "evidence.timestamp" if manifest.kind == "file" else "evidence.dataset"
    noun = {"file": "file", "directory": "files", "records": "records"}[manifest.kind]
    items = f"{manifest.count} {noun}"
    label = f"root {manifest.root.hex()} ({items}), "
    return _Stamp(path, kind, body, out_dir or path.parent, label)


def verify(args: argparse.Namespace) -> int:
    """Check a file against its receipt offline and print each check."""
    log_key = _log_key(args.log_key)
    data = _read(args.receipt)
    digest = sha256_file(args.file)
    roots = load_certificates([_read(p) for p in args.tsa_root])
    try:
        result = verify_receipt(data, log_key=log_key, content_sha256=digest, tsa_roots=roots)
    except LedgerError as e:
        raise LedgerError(f"NOT VERIFIED: {e}") from None
    print(f"file         {args.file}: SHA-256 {digest.hex()}  matches the statement")
    print(
        f"statement    {result.statement.type}, signed by {_b64(result.statement.signer)}  signature valid"
    )
    print(
        f"log          {result.checkpoint.origin}, checkpoint of {result.checkpoint.size} entries  signed by the log key"
    )
    print(f"inclusion    entry {result.index} is in that tree  proof valid")
    print(f"logged at    {result.logged_at.isoformat().replace('+00:00', 'Z')} (the log's claim)")
    for token in result.timestamps:
        print(
            f"time-stamp   existed no later than {format_time(token.latest)} (RFC 3161, {token.tsa_subject})"
        )
    if parse_receipt(data).timestamps and not roots:
        print("time-stamp   the receipt carries RFC 3161 tokens; not checked without --tsa-root")
    print("VERIFIED")
    return 0


def log_key(args: argparse.Namespace) -> int:
    """Print the verifier key of the log in a data directory."""
    data_dir = args.data_dir if args.data_dir is not None else Settings().data_dir
    path = data_dir / LOG_KEY_FILE
    if not path.exists():
        raise LedgerError(
            f"there is no log key in {data_dir}; run `cunzheng serve --data-dir {data_dir}` once"
        )
    print(read_key(path).verifier().to_string())
    return 0


def _log_key(text: str) -> Verifier:
    path = Path(text)
    if "+" not in text or path.is_file():
        text = _read(path).decode("utf-8", "replace").strip()
    return Verifier.from_string(text)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LedgerError(f"{path} does not exist") from None


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _redacted(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        creds, _, host = rest.rpartition("@")
        return f"{scheme}{sep}{creds.split(':')[0]}:***@{host}" if ":" in creds else url
    return url
