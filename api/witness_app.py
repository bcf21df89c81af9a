"""The witness's HTTP interface: C2SP tlog-witness ``POST /add-checkpoint``.

Status codes are the ones the spec requires (https://c2sp.org/tlog-witness):
200 with the cosignature line(s) as text; 400 for a malformed request or an
old size above the checkpoint's; 403 when no signature by a key the witness
trusts for the origin verifies; 404 for an origin it does not follow; 409
with ``Content-Type: text/x.tlog.size`` and the size it holds when the old
size is not that size (or the same size comes with another root); 422 when
the consistency proof does not verify. Other errors carry a plain-text
message. ``GET /`` answers with the witness's verifier key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from cunzheng.ledger.errors import (
    InvalidProof,
    InvalidSignature,
    LedgerError,
    MalformedInput,
    NotFound,
)
from cunzheng.ledger.note import MAX_NOTE_SIZE
from cunzheng.ledger.witness.service import Witness
from cunzheng.ledger.witness.state import MAX_PROOF_LINES, SizeConflict

# A request is an old size line, at most 63 proof lines of 45 bytes and a note.
MAX_REQUEST = MAX_NOTE_SIZE + 32 + MAX_PROOF_LINES * 45
SIZE_TYPE = "text/x.tlog.size"

STATUS: list[tuple[type[LedgerError], int]] = [
    (MalformedInput, 400),
    (InvalidSignature, 403),
    (NotFound, 404),
    (InvalidProof, 422),
]


def create_app(witness: Witness) -> Starlette:
    """Return the ASGI app serving *witness*; it closes the witness when the app shuts down."""

    async def add_checkpoint(request: Request) -> Response:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_REQUEST:
                return PlainTextResponse(f"request body exceeds {MAX_REQUEST} bytes\n", 413)
        try:
            lines = await run_in_threadpool(witness.add_checkpoint, bytes(body))
        except SizeConflict as e:
            # Exactly this type, without a charset parameter, as the spec says.
            return Response(f"{e.size}\n".encode(), 409, headers={"Content-Type": SIZE_TYPE})
        except LedgerError as e:
            status = next((code for cls, code in STATUS if isinstance(e, cls)), 400)
            return PlainTextResponse(f"{e}\n", status)
        return PlainTextResponse(lines)

    async def index(request: Request) -> Response:
        return PlainTextResponse(witness.verifier.to_string() + "\n")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            witness.close()

    return Starlette(
        routes=[
            Route("/add-checkpoint", add_checkpoint, methods=["POST"]),
            Route("/", index, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
