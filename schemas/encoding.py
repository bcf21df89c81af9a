"""Canonical base64: the one spelling of bytes as base64 text that Cunzheng accepts.

Every base64 value in a format (note signature lines, checkpoint roots, key
strings, statements, receipts, bundles, witness requests, request headers) is
padded standard base64 (RFC 4648 section 4) without line breaks or spaces, and
*canonical*: the unused trailing bits of the last character are zero, so that
decoding and encoding again gives back the input. Go's and Python's decoders
accept the other spellings; evidence may not have bits that mean nothing, so
this one does not (docs/decisions/0004-strict-encodings.md).

This module lives in ``schemas`` because the wire models use it and they import
nothing else of ours; ``cunzheng.ledger.encoding`` raises its errors as
``MalformedInput``. It imports only the standard library.
"""

from __future__ import annotations

import binascii

__all__ = ["Base64Error", "decode_base64", "encode_base64"]


class Base64Error(ValueError):
    """Text that is not canonical base64, or not of the length wanted."""


def decode_base64(text: object, *, what: str = "value", size: int | None = None) -> bytes:
    """Return the bytes of canonical padded base64 *text*, or raise Base64Error naming *what*.

    With *size*, the bytes must also be exactly that long.
    """
    if not isinstance(text, str):
        raise Base64Error(f"{what} must be a base64 string")
    try:
        raw = binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        raise Base64Error(f"{what} is not valid base64") from None
    # Strict mode still ignores the unused bits of the last character: encoding
    # again catches those, so each value has exactly one accepted spelling.
    if binascii.b2a_base64(raw, newline=False) != text.encode("ascii"):
        raise Base64Error(f"{what} is not canonical base64 (padding or unused bits)")
    if size is not None and len(raw) != size:
        raise Base64Error(f"{what} is {len(raw)} bytes, not {size} bytes")
    return raw


def encode_base64(raw: bytes) -> str:
    """Return *raw* as canonical padded base64 text."""
    return binascii.b2a_base64(raw, newline=False).decode("ascii")
