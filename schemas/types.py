"""Field types shared by the wire models: hashes in base64, times in RFC 3339 UTC."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema


def _decode_hash(value: Any) -> bytes:
    if isinstance(value, bytes) and len(value) == 32:
        return value
    if not isinstance(value, str):
        raise ValueError("must be a base64 string of a 32-byte hash")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not valid base64") from None
    if len(raw) != 32:
        raise ValueError(f"must decode to 32 bytes, not {len(raw)}")
    # Canonical only: unused trailing bits must be zero (docs/decisions/0004-strict-encodings.md).
    if base64.b64encode(raw).decode() != value:
        raise ValueError("is not in canonical base64")
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
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not valid base64") from None
    if not raw or base64.b64encode(raw).decode() != value:
        raise ValueError("is not canonical base64 (padding or unused bits)")
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
