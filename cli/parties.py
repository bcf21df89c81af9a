"""``cunzheng register``, ``rotate-key`` and ``revoke-key``: parties and their keys."""

from __future__ import annotations

import argparse
import base64
from pathlib import Path
from typing import Any

import httpx
import orjson

from cunzheng.cli.http import post_json
from cunzheng.ledger.clock import format_time, parse_time, utc_now
from cunzheng.ledger.encoding import decode_base64
from cunzheng.ledger.errors import LedgerError, MalformedInput
from cunzheng.ledger.keyfiles import read_key, submitter_key
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.receipts import parse_receipt, receipt_json
from cunzheng.ledger.statements import Statement, sign_statement

EPILOG_REGISTER = """examples:
  cunzheng register --server http://127.0.0.1:8000 --key alice.key --kind rights_holder --name "Alice Data Ltd" \\
      --registry-id 91310000MA1FL1234X
  cunzheng register --server URL --key operator.key --kind court --name "Shanghai IP Court" --party-key court.key
A rights holder or witness may register itself; exchanges and courts are registered by the operator
(its key is operator.key in the service's data directory). Prints the new party's id."""
EPILOG_ROTATE = """example:
  cunzheng rotate-key --server URL --key alice.key --party PARTY_ID --new-key alice-2026.key
The old key (--key, unless --old-key says otherwise) stops signing from the rotation on."""
EPILOG_REVOKE = """example:
  cunzheng revoke-key --server URL --key alice-2026.key --party PARTY_ID --revoke alice.key \\
      --from 2026-11-01T00:00:00Z
Statements by the revoked key logged at or after --from no longer count."""


def add_parsers(sub: Any) -> None:
    """Add the party subcommands to the ``cunzheng`` parser."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "register", help="register a party and its key", epilog=EPILOG_REGISTER, formatter_class=fmt
    )
    _common(p)
    p.add_argument(
        "--kind",
        required=True,
        choices=["rights_holder", "exchange", "court", "witness", "operator"],
    )
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--registry-id", default=None, help="统一社会信用代码 or another registry id")
    p.add_argument(
        "--party-key",
        default=None,
        help="the key to register (key file, verifier key or base64); default: --key's",
    )
    p.set_defaults(run=register)

    p = sub.add_parser(
        "rotate-key", help="replace a party's key", epilog=EPILOG_ROTATE, formatter_class=fmt
    )
    _common(p)
    p.add_argument("--party", required=True, help="the party's id (hex)")
    p.add_argument(
        "--new-key", required=True, help="the new key (key file, verifier key or base64)"
    )
    p.add_argument("--old-key", default=None, help="the key to retire; default: --key's")
    p.set_defaults(run=rotate)

    p = sub.add_parser(
        "revoke-key",
        help="revoke a party's key from a time on",
        epilog=EPILOG_REVOKE,
        formatter_class=fmt,
    )
    _common(p)
    p.add_argument("--party", required=True, help="the party's id (hex)")
    p.add_argument(
        "--revoke", required=True, help="the key to revoke (key file, verifier key or base64)"
    )
    p.add_argument("--from", dest="from_", default=None, help="RFC 3339 UTC time; default: now")
    p.set_defaults(run=revoke)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", required=True, help="the log's base URL")
    p.add_argument("--key", type=Path, required=True, help="the key file that signs the statement")
    p.add_argument("--out", type=Path, default=None, help="write the receipt here")


def register(args: argparse.Namespace) -> int:
    """Register a party; print its id."""
    key = submitter_key(read_key(args.key))
    party_key = public_key(args.party_key) if args.party_key else bytes(key.verify_key)
    body: dict[str, Any] = {"kind": args.kind, "name": args.name, "key": _b64(party_key)}
    if args.registry_id:
        body["registry_id"] = args.registry_id
    statement = _submit(args, "party.register", body)
    print(statement.hash.hex())
    return 0


def rotate(args: argparse.Namespace) -> int:
    """Rotate a party's key."""
    signer = read_key(args.key)
    old = public_key(args.old_key) if args.old_key else signer.verifier().public_key
    body = {
        "party": _party(args.party),
        "old_key": _b64(old),
        "new_key": _b64(public_key(args.new_key)),
    }
    _submit(args, "party.rotate_key", body)
    print(f"key {_b64(old)} retired; {body['new_key']} now signs for party {body['party']}")
    return 0


def revoke(args: argparse.Namespace) -> int:
    """Revoke a party's key from a given time on."""
    moment = parse_time(args.from_, what="--from") if args.from_ else utc_now()
    body = {
        "party": _party(args.party),
        "key": _b64(public_key(args.revoke)),
        "from": format_time(moment),
    }
    _submit(args, "party.revoke_key", body)
    print(f"key {body['key']} revoked from {body['from']}")
    return 0


def public_key(text: str) -> bytes:
    """Return the Ed25519 public key named by *text*: a key file, a verifier key or base64."""
    if Path(text).is_file():
        return read_key(Path(text)).verifier().public_key
    try:
        return Verifier.from_string(text).public_key
    except MalformedInput:
        pass
    try:
        raw = decode_base64(text, what="the key")
    except MalformedInput:
        raw = b""
    if len(raw) != 32:
        raise LedgerError(
            f"{text!r} is neither a key file, a verifier key nor a base64 Ed25519 public key"
        )
    return raw


def _party(text: str) -> str:
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise LedgerError(f"party id {text!r} must be 64 lowercase hex digits")
    return text


def _submit(args: argparse.Namespace, kind: str, body: dict[str, Any]) -> Statement:
    key = submitter_key(read_key(args.key))
    statement = sign_statement(type=kind, body=body, key=key, signed_at=utc_now())
    with httpx.Client(base_url=args.server.rstrip("/"), timeout=60) as client:
        answer = post_json(client, "/v1/statements", statement.to_json())
    if args.out is not None:
        args.out.write_bytes(receipt_json(parse_receipt(orjson.dumps(answer))))
    return statement


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
