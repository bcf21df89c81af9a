"""The signed-request dependency: which key signed this request, once (see ``ledger.access``)."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from cunzheng.api.errors import Refusal
from cunzheng.ledger.access import SCHEME, SignedRequests


async def signing_key(request: Request) -> bytes:
    """Return the public key that signed *request*, or refuse it with a 4xx that says why.

    A request without ``Authorization: Cunzheng ...`` credentials is refused
    with 401 and a ``WWW-Authenticate`` challenge naming the scheme; one too far
    from the server's clock with 401, one used before with 409, one whose
    credentials do not parse with 400 and one whose signature does not verify
    with 422.
    """
    header = request.headers.get("authorization")
    if header is None or header.partition(" ")[0] != SCHEME:
        given = "no Authorization header" if header is None else "another scheme"
        raise Refusal(
            401,
            "signature_required",
            f"this endpoint needs a signed request (Authorization: {SCHEME} key=..., time=..., "
            f"sig=...); the request has {given}",
            headers={"WWW-Authenticate": SCHEME},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body = await request.body()
    door: SignedRequests = request.app.state.signed_requests
    return await run_in_threadpool(door.accept, header, request.method, target, body)
