"""Bodies of evidence and party statements, and the checks every body shares.

Shapes only: whether a well-formed statement is allowed, given the log
before it, is decided by ``ledger.registry``.

- ``evidence.timestamp``: ``{"sha256": hex, "media_type"?: str}``, the digest
  of a file or a salted commitment (``ledger.fingerprint``).
- ``evidence.dataset``: ``{"root": hex, "scheme": "directory"|"records",
  "count": int, "format"?: "csv"|"jsonl"}``, a dataset fingerprint.
- ``party.register``: ``{"kind": ..., "name": str, "registry_id"?: str,
  "key": base64}``; the party's id is the hex SHA-256 of this statement.
- ``party.rotate_key``: ``{"party": id, "old_key": base64, "new_key": base64}``.
- ``party.revoke_key``: ``{"party": id, "key": base64, "from": RFC 3339}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from cunzheng.ledger.clock import parse_time
from cunzheng.ledger.encoding import decode_base64
from cunzheng.ledger.errors import MalformedInput

HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")
PARTY_KINDS = ("exchange", "rights_holder", "court", "witness", "operator")
# 统一社会信用代码: 18 characters from digits and capitals without I, O, S, V, Z.
USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
MAX_NAME = 200

Body = Mapping[str, Any]


def require_keys(obj: Body, *, required: set[str], optional: set[str], what: str) -> None:
    """Return None if *obj* has every required member and no unknown one."""
    missing = required - obj.keys()
    if missing:
        raise MalformedInput(f"{what} lacks {', '.join(sorted(missing))}")
    extra = obj.keys() - required - optional
    if extra:
        raise MalformedInput(f"{what} has unknown members: {', '.join(sorted(map(str, extra)))}")


def hex_digest(value: Any, what: str) -> bytes:
    """Return the 32 bytes written as 64 lowercase hex digits in *value*."""
    if not isinstance(value, str) or not HEX_SHA256.match(value):
        raise MalformedInput(f"{what} must be 64 lowercase hex digits")
    return bytes.fromhex(value)


def public_key(value: Any, what: str) -> bytes:
    """Return the 32-byte Ed25519 public key written in canonical base64 in *value*."""
    return decode_base64(value, what=what, size=32)


def _text(body: Body, key: str, what: str, limit: int) -> None:
    value = body.get(key)
    if value is not None and (
        not isinstance(value, str) or not value.strip() or len(value) > limit
    ):
        raise MalformedInput(
            f"{what}: {key} must be a non-empty string of at most {limit} characters"
        )


def _evidence_timestamp(body: Body) -> None:
    what = "evidence.timestamp body"
    require_keys(body, required={"sha256"}, optional={"media_type"}, what=what)
    hex_digest(body["sha256"], f"{what}: sha256")
    _text(body, "media_type", what, 255)


def _evidence_dataset(body: Body) -> None:
    what = "evidence.dataset body"
    require_keys(body, required={"root", "scheme", "count"}, optional={"format"}, what=what)
    hex_digest(body["root"], f"{what}: root")
    if body["scheme"] not in ("directory", "records"):
        raise MalformedInput(f"{what}: scheme must be directory or records")
    if not isinstance(body["count"], int) or isinstance(body["count"], bool) or body["count"] < 0:
        raise MalformedInput(f"{what}: count must be a non-negative integer")
    if (
        body.get("format", "csv") not in ("csv", "jsonl")
        or "format" in body
        and body["scheme"] != "records"
    ):
        raise MalformedInput(f"{what}: format must be csv or jsonl, and only for records")


def _party_register(body: Body) -> None:
    what = "party.register body"
    require_keys(body, required={"kind", "name", "key"}, optional={"registry_id"}, what=what)
    if body["kind"] not in PARTY_KINDS:
        raise MalformedInput(f"{what}: kind must be one of {', '.join(PARTY_KINDS)}")
    _text(body, "name", what, MAX_NAME)
    _text(body, "registry_id", what, 64)
    public_key(body["key"], f"{what}: key")


def _party_rotate_key(body: Body) -> None:
    what = "party.rotate_key body"
    require_keys(body, required={"party", "old_key", "new_key"}, optional=set(), what=what)
    hex_digest(body["party"], f"{what}: party")
    if public_key(body["old_key"], f"{what}: old_key") == public_key(
        body["new_key"], f"{what}: new_key"
    ):
        raise MalformedInput(f"{what}: new_key must differ from old_key")


def _party_revoke_key(body: Body) -> None:
    what = "party.revoke_key body"
    require_keys(body, required={"party", "key", "from"}, optional=set(), what=what)
    hex_digest(body["party"], f"{what}: party")
    public_key(body["key"], f"{what}: key")
    parse_time(body["from"], what=f"{what}: from")


CORE_CHECKS: dict[str, Callable[[Body], None]] = {
    "evidence.timestamp": _evidence_timestamp,
    "evidence.dataset": _evidence_dataset,
    "party.register": _party_register,
    "party.rotate_key": _party_rotate_key,
    "party.revoke_key": _party_revoke_key,
}
