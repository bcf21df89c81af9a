"""Field types shared by the wire models: hashes in base64, times in RFC 3339 UTC."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from cunzheng.schemas.encoding import decode_base64, encode_base64


def canonical_base64(value: Any) -> bytes:
    """Return the bytes of canonical padded base64 *value* (bytes pass through), or raise ValueError.

    The rule is ``cunzheng.schemas.encoding``'s, the project's one decoder.
    """
    if isinstance(value, bytes):
        return value
    return decode_base64(value, what="the value")


def _decode_hash(value: Any) -> bytes:
    raw = canonical_base64(value)
    if len(raw) != 32:
        raise ValueError(f"the value must decode to 32 bytes, not {len(raw)}")
    return raw


# One explicit type for hashes on the wire: base64 text outside, 32 raw bytes inside.
Base64Hash = Annotated[
    bytes,
    BeforeValidator(_decode_hash),
    PlainSerializer(encode_base64, return_type=str),
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
    PlainSerializer(encode_base64, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "contentEncoding": "base64",
            "minLength": 4,
            "description": "DER, in canonical base64",
        }
    ),
]
