"""The signed-request dependency: which key signed this request, once (see ``ledger.access``)."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from cunzheng.ledger.access import SignedRequests
from cunzheng.ledger.errors import InvalidSignature


async def signing_key(request: Request) -> bytes:
    """Return the public key that signed *request*, or refuse it with a 4xx that says why.

    A request too far from the server's clock is refused with 401, one used
    before with 409.
    """
    header = request.headers.get("authorization")
    if header is None:
        raise InvalidSignature(
            "this endpoint needs a signed request (Authorization: Cunzheng key=..., time=..., sig=...)"
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body = await request.body()
    door: SignedRequests = request.app.state.signed_requests
    return await run_in_threadpool(door.accept, header, request.method, target, body)
