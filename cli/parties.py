"""``cunzheng register``, ``rotate-key`` and ``revoke-key``: parties and their keys."""

from __future__ import annotations

import argparse
import base64
from typing import Any

import httpx
import orjson

from cunzheng.cli.http import post_json
from cunzheng.ledger.bodies import PartyRevokeKey, PartyRotateKey, body_as
from cunzheng.ledger.clock import format_time, parse_time, utc_now
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import read_key, read_public_key, submitter_key
from cunzheng.ledger.receipts import parse_receipt, receipt_json
from cunzheng.ledger.statements import Statement, sign_statement


def register(args: argparse.Namespace) -> int:
    """Register a party; print its id."""
    key = submitter_key(read_key(args.key))
    party_key = public_key(args.party_key) if args.party_key else bytes(key.verify_key)
    body: dict[str, Any] = {"kind": args.kind, "name": args.name, "key": _b64(party_key)}
    if args.registry_id:
        body |= {"registry_id": args.registry_id, "registry_id_type": args.registry_id_type}
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
    rotated = body_as(_submit(args, "party.rotate_key", body).content, PartyRotateKey)
    print(
        f"key {_b64(rotated.old_key)} retired; {_b64(rotated.new_key)} now signs for party "
        f"{rotated.party.hex()}"
    )
    return 0


def revoke(args: argparse.Namespace) -> int:
    """Revoke a party's key from a given time on."""
    moment = parse_time(args.from_, what="--from") if args.from_ else utc_now()
    body = {
        "party": _party(args.party),
        "key": _b64(public_key(args.revoke)),
        "from": format_time(moment),
    }
    revoked = body_as(_submit(args, "party.revoke_key", body).content, PartyRevokeKey)
    print(f"key {_b64(revoked.key)} revoked from {format_time(revoked.revoked_from)}")
    return 0


def public_key(text: str) -> bytes:
    """Return the Ed25519 public key named by *text*: a key file, a verifier key or base64."""
    return read_public_key(text)


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
