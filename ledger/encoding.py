"""Canonical base64 for the ledger: the rule of ``cunzheng.schemas.encoding``, failing as MalformedInput.

The rule itself (padded standard base64, canonical, no line breaks) lives in
``cunzheng.schemas.encoding`` so that the wire models share it; this module
only turns its ValueError into the ledger's error. Pure.
"""

from __future__ import annotations

from cunzheng.ledger.errors import MalformedInput
from cunzheng.schemas.encoding import Base64Error, encode_base64
from cunzheng.schemas.encoding import decode_base64 as _decode

__all__ = ["decode_base64", "encode_base64"]


def decode_base64(text: object, *, what: str, size: int | None = None) -> bytes:
    """Return the bytes of canonical padded base64 *text*, or raise MalformedInput naming *what*.

    With *size*, the bytes must also be exactly that long.
    """
    try:
        return _decode(text, what=what, size=size)
    except Base64Error as error:
        raise MalformedInput(str(error)) from None
