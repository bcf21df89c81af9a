"""The QR code a certificate carries: the address of the verification page for its bundle."""

from __future__ import annotations

import segno


def qr_matrix(payload: str) -> list[list[bool]]:
    """Return the modules of the QR code of *payload* (error correction M), dark as True, quiet zone excluded."""
    code = segno.make_qr(payload, error="m", boost_error=False)
    return [[bool(module) for module in row] for row in code.matrix]
