"""Signed statements and the leaves that log them.

A statement is a JSON object::

    {"type": "evidence.timestamp", "signer": "<base64 Ed25519 public key>",
     "signed_at": "2026-11-25T08:00:00.000000Z", "body": {...},
     "signature": "<base64 Ed25519 signature>"}

The signature covers ``CONTEXT`` followed by the RFC 8785 canonical JSON of
the statement without its ``signature`` member, so the operator cannot forge
or alter a statement. The log appends the leaf
``{"logged_at": ..., "statement": {...}}`` in canonical JSON; ``logged_at`` is
the log's own claim of when it integrated the statement. A statement is
identified by the SHA-256 of its canonical JSON, so resubmitting it finds the
entry already logged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from cunzheng.ledger.bodies import StatementBody, parse_body, require_keys
from cunzheng.ledger.canonical import canonical_json, loads, loads_canonical
from cunzheng.ledger.clock import format_time, parse_time
from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import InvalidSignature, MalformedInput
from cunzheng.ledger.tiles import MAX_ENTRY_SIZE

# Domain separation: a statement signature can never be replayed as another message.
CONTEXT = b"cunzheng/statement/v1\n"
# A leaf wraps the statement in {"logged_at":"<27-character time>","statement":...},
# and the whole leaf must fit an entry bundle's 2-byte length.
LEAF_OVERHEAD = len(b'{"logged_at":"2026-01-01T00:00:00.000000Z","statement":}')
MAX_STATEMENT_SIZE = MAX_ENTRY_SIZE - LEAF_OVERHEAD
_FIELDS = ("body", "signature", "signed_at", "signer", "type")
# Members the signatures do not cover: the signatures themselves.
_SIGNATURES = ("signature", "cosignatures")
MAX_COSIGNERS = 8
_SIGNATURE_MEMBER = b',"signature":"'


@dataclass(frozen=True)
class Statement:
    """A parsed statement; ``canonical`` is its RFC 8785 encoding, the bytes that are logged.

    ``body`` is the JSON object as signed; ``content`` is the same body parsed into
    the typed model of its statement type (``ledger.bodies``), which is what
    rules, replay and reports read.
    """

    type: str
    signer: bytes
    signed_at: datetime
    body: Mapping[str, Any]
    content: StatementBody = field(repr=False, compare=False)
    signature: bytes
    canonical: bytes = field(repr=False)
    fields: Mapping[str, Any] = field(repr=False, compare=False)
    cosigners: tuple[bytes, ...] = ()
    cosignatures: tuple[bytes, ...] = field(default=(), repr=False)

    @property
    def signers(self) -> tuple[bytes, ...]:
        """Return the keys that signed the statement: the submitter first, then the cosigners."""
        return (self.signer, *self.cosigners)

    @cached_property
    def hash(self) -> bytes:
        """Return the statement's identity: SHA-256 of its canonical JSON."""
        return hashlib.sha256(self.canonical).digest()

    def to_json(self) -> dict[str, Any]:
        """Return the statement as a JSON object."""
        return dict(self.fields)

    def signed_message(self) -> bytes:
        """Return the bytes the submitter's signature covers."""
        if not self.cosigners:
            # The canonical form without its "signature" member: that member is the last
            # ',"signature":"' in the bytes, since only signed_at, signer and type (plain
            # strings) follow it in key order. Equal to the slow path; tested.
            cut = self.canonical.rindex(_SIGNATURE_MEMBER)
            end = self.canonical.index(b'"', cut + len(_SIGNATURE_MEMBER))
            return CONTEXT + self.canonical[:cut] + self.canonical[end + 1 :]
        unsigned = {k: v for k, v in self.fields.items() if k not in _SIGNATURES}
        return CONTEXT + canonical_json(unsigned)


@dataclass(frozen=True)
class Entry:
    """A logged statement: its leaf index, the time the log took it and the leaf bytes."""

    index: int
    statement: Statement
    logged_at: datetime
    leaf: bytes = field(repr=False)


def parse_statement(data: bytes | str | Mapping[str, Any]) -> Statement:
    """Return the statement in *data* after checking its shape and size (not its signature)."""
    obj = loads(data, what="statement") if isinstance(data, bytes | str) else data
    if not isinstance(obj, Mapping):
        raise MalformedInput("statement must be a JSON object")
    canonical = canonical_json(obj if isinstance(obj, dict) else dict(obj))
    if len(canonical) > MAX_STATEMENT_SIZE:
        raise MalformedInput(
            f"statement is {len(canonical)} bytes as canonical JSON; the limit is "
            f"{MAX_STATEMENT_SIZE} so that its leaf fits the {MAX_ENTRY_SIZE}-byte entry limit"
        )
    require_keys(obj, required=set(_FIELDS), optional={"cosignatures"}, what="statement")
    content = parse_body(obj["type"], obj["body"])
    signer = decode_base64(obj["signer"], what="signer", size=32)
    signature = decode_base64(obj["signature"], what="signature", size=64)
    signed_at = parse_time(obj["signed_at"], what="signed_at")
    cosigners, cosignatures = _cosignatures(obj.get("cosignatures"), signer)
    return Statement(
        content.TYPE,
        signer,
        signed_at,
        obj["body"],
        content,
        signature,
        canonical,
        dict(obj),
        cosigners,
        cosignatures,
    )


def _cosignatures(value: Any, signer: bytes) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    if value is None:
        return (), ()
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_COSIGNERS:
        raise MalformedInput(f"cosignatures must be a list of 1 to {MAX_COSIGNERS} objects")
    keys, sigs = [], []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise MalformedInput(f"cosignature {i} must be an object")
        require_keys(
            item, required={"signer", "signature"}, optional=set(), what=f"cosignature {i}"
        )
        keys.append(decode_base64(item["signer"], what=f"cosignature {i} signer", size=32))
        sigs.append(decode_base64(item["signature"], what=f"cosignature {i} signature", size=64))
    if signer in keys or keys != sorted(set(keys)):
        raise MalformedInput("cosigners must differ from the signer and each other, sorted by key")
    return tuple(keys), tuple(sigs)


def check_signature(statement: Statement) -> None:
    """Return None if the statement is signed by its signer's key, else raise InvalidSignature."""
    message = statement.signed_message()
    signatures = (statement.signature, *statement.cosignatures)
    for role, key, signature in zip(
        ("signer", *["cosigner"] * len(statement.cosigners)),
        statement.signers,
        signatures,
        strict=True,
    ):
        try:
            VerifyKey(key).verify(message, signature)
        except (BadSignatureError, ValueError):
            raise InvalidSignature(
                f"statement signature does not verify with {role} key {encode_base64(key)}"
            ) from None


def sign_statement(
    *, type: str, body: Mapping[str, Any], key: SigningKey, signed_at: datetime
) -> Statement:
    """Return a statement of *type* with *body*, signed by *key* at *signed_at*."""
    unsigned = {
        "type": type,
        "signer": encode_base64(bytes(key.verify_key)),
        "signed_at": format_time(signed_at),
        "body": dict(body),
    }
    signature = key.sign(CONTEXT + canonical_json(unsigned)).signature
    return parse_statement({**unsigned, "signature": encode_base64(signature)})


def cosign(statement: Statement, key: SigningKey) -> Statement:
    """Return *statement* with *key*'s cosignature added (cosignatures kept sorted by key)."""
    signature = key.sign(statement.signed_message()).signature
    pairs = dict(zip(statement.cosigners, statement.cosignatures, strict=True))
    pairs[bytes(key.verify_key)] = signature
    fields = dict(statement.fields)
    fields["cosignatures"] = [
        {"signer": encode_base64(k), "signature": encode_base64(pairs[k])} for k in sorted(pairs)
    ]
    return parse_statement(fields)


_LOGGED_AT_KEY = b'{"logged_at":"'
_STATEMENT_KEY = b'","statement":'


def make_leaf(statement: Statement, logged_at: datetime | str) -> bytes:
    """Return the leaf that logs *statement* at *logged_at*, as canonical JSON."""
    stamp = logged_at if isinstance(logged_at, str) else format_time(logged_at)
    # Keys in JCS order ("logged_at" < "statement") around the statement's own
    # canonical bytes: the same bytes canonical_json() gives, without a second walk.
    return _LOGGED_AT_KEY + stamp.encode() + _STATEMENT_KEY + statement.canonical + b"}"


def json_leaf(statement: Mapping[str, Any], logged_at: str) -> bytes:
    """Return the leaf that logs the statement JSON object *statement*, as given, at *logged_at*.

    Receipts and bundles state their leaf this way, unparsed, so that any change
    to their text changes the leaf hash; for a valid statement the bytes are
    those of ``make_leaf``.
    """
    return canonical_json({"logged_at": logged_at, "statement": statement})


def split_leaf(leaf: bytes) -> tuple[str, bytes]:
    """Return the ``logged_at`` text and the canonical statement bytes of a leaf of this log.

    Unchecked: for leaves read back from the log's own storage; ``parse_leaf`` checks.
    """
    split = leaf.index(_STATEMENT_KEY)
    return leaf[len(_LOGGED_AT_KEY) : split].decode(), leaf[split + len(_STATEMENT_KEY) : -1]


def parse_leaf(leaf: bytes) -> tuple[Statement, datetime]:
    """Return the statement and ``logged_at`` held in a leaf."""
    obj = loads_canonical(leaf, what="leaf")
    if not isinstance(obj, dict) or set(obj) != {"logged_at", "statement"}:
        raise MalformedInput("leaf must be an object with exactly logged_at and statement")
    return parse_statement(obj["statement"]), parse_time(obj["logged_at"], what="logged_at")
