"""Field types shared by the wire models: hashes in base64, times in RFC 3339 UTC."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema


def canonical_base64(value: Any) -> bytes:
    """Return the bytes of canonical padded base64 *value* (bytes pass through), or raise ValueError.

    Canonical only: unused trailing bits must be zero, so that every bit of a
    receipt or bundle matters (docs/decisions/0004-strict-encodings.md).
    """
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not valid base64") from None
    if base64.b64encode(raw).decode() != value:
        raise ValueError("is not canonical base64 (padding or unused bits)")
    return raw


def _decode_hash(value: Any) -> bytes:
    raw = canonical_base64(value)
    if len(raw) != 32:
        raise ValueError(f"must decode to 32 bytes, not {len(raw)}")
    return raw


# One explicit type for hashes on the wire: base64 text outside, 32 raw bytes inside.
Base64Hash = Annotated[
    bytes,
    BeforeValidator(_decode_hash),
    PlainSerializer(lambda raw: base64.b64encode(raw).decode(), return_type=str),
    WithJsonSchema(
        {"type": "string", "contentEncoding": "base64", "description": "a 32-byte SHA-256 hash"}
    ),
]

FROZEN = ConfigDict(extra="forbid", frozen=True)


def _decode_der(value: Any) -> bytes:
    raw = canonical_base64(value)
    if not raw:
        raise ValueError("must not be empty")
    return raw


# DER structures (time-stamp tokens) on the wire: canonical base64 outside, raw bytes inside.
Base64Der = Annotated[
    bytes,
    BeforeValidator(_decode_der),
    PlainSerializer(lambda raw: base64.b64encode(raw).decode(), return_type=str),
    WithJsonSchema(
        {"type": "string", "contentEncoding": "base64", "description": "DER, in canonical base64"}
    ),
]
