"""The signed-request dependency: which key signed this request (see ``ledger.access``)."""

from __future__ import annotations

from fastapi import Request

from cunzheng.api.deps import get_clock
from cunzheng.ledger.access import check_authorization
from cunzheng.ledger.errors import InvalidSignature


async def signing_key(request: Request) -> bytes:
    """Return the public key that signed *request*, or refuse it with a 4xx that says why."""
    header = request.headers.get("authorization")
    if header is None:
        raise InvalidSignature(
            "this endpoint needs a signed request (Authorization: Cunzheng key=..., time=..., sig=...)"
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body = await request.body()
    return check_authorization(header, request.method, target, body, now=get_clock(request)())
