"""Submitting statements: one, or many in a batch; each answered with its receipt."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from cunzheng.api import submission
from cunzheng.api.deps import get_reader, get_sequencer, get_settings
from cunzheng.api.json_route import JsonRoute
from cunzheng.api.openapi import BODY_PROBLEMS, problems
from cunzheng.api.submission import COMMIT_TIMEOUT
from cunzheng.ledger.admission import admit_all
from cunzheng.ledger.canonical import loads
from cunzheng.ledger.committed import Logged
from cunzheng.ledger.errors import MalformedInput, RuleViolation, Unavailable
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.sequencer import Sequencer
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.statements import Statement
from cunzheng.schemas.receipts import BatchReceipts, Receipt
from cunzheng.schemas.statements import STATEMENT_REF

router = APIRouter(prefix="/v1", tags=["statements"], route_class=JsonRoute)
SequencerDep = Annotated[Sequencer, Depends(get_sequencer)]
ReaderDep = Annotated[LogReader, Depends(get_reader)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

_FIRST_ELEMENT = re.compile(rb"[ \t\r\n]*\[[ \t\r\n]*(.)", re.DOTALL)
STATEMENT_EXAMPLE: dict[str, Any] = {
    "type": "evidence.timestamp",
    "signer": "<base64 Ed25519 public key>",
    "signed_at": "2026-11-25T08:00:00.000000Z",
    "body": {"sha256": "<64 hex digits>"},
    "signature": "<base64 Ed25519 signature>",
}


@router.post(
    "/statements",
    response_model=Receipt,
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": STATEMENT_REF},
                    "example": STATEMENT_EXAMPLE,
                }
            },
        }
    },
    responses={
        200: {"model": Receipt, "description": "The statement was already logged; its receipt."},
        **problems(*BODY_PROBLEMS, 422, 503),
    },
)
async def submit(request: Request, sequencer: SequencerDep, reader: ReaderDep) -> Response:
    """Log one signed statement and return its receipt once its batch is durable."""
    # The app answers this route in api.submission.DirectSubmission, before routing, with
    # the same function; the route describes it in the OpenAPI document.
    workers = request.app.state.workers
    status, receipt = await submission.submit(await request.body(), sequencer, reader, workers)
    return Response(receipt, status_code=status, media_type="application/json")


@router.post(
    "/statements/batch",
    response_model=BatchReceipts,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"$ref": STATEMENT_REF},
                        "description": "At most max_batch_request (default 1,000) statements.",
                    },
                    "example": [STATEMENT_EXAMPLE],
                }
            },
        }
    },
    responses=problems(*BODY_PROBLEMS, 422, 503),
)
async def submit_batch(
    request: Request, sequencer: SequencerDep, reader: ReaderDep, settings: SettingsDep
) -> Response:
    """Log a JSON array of signed statements, all checked before any is queued; return their receipts in order."""
    body = await request.body()
    statements = await run_in_threadpool(_admit_batch, body, most=settings.max_batch_request)
    future = sequencer.add_all(statements)

    def receipts() -> bytes:
        # One thread waits for the commit and proves every entry: one hop off the event loop.
        try:
            outcomes = future.result(timeout=COMMIT_TIMEOUT)
        except TimeoutError:
            raise Unavailable(
                "the log did not commit the batch in time; resubmit it (resubmission is safe)"
            ) from None
        refused = [(i, o) for i, o in enumerate(outcomes) if isinstance(o, RuleViolation)]
        if refused:
            i, first = refused[0]
            first.message = f"statement {i}: {first.message} ({len(refused)} of {len(outcomes)} refused; the rest are logged)"
            raise first
        return (
            b'{"receipts":['
            + b",".join(reader.receipt_json(o) for o in outcomes if isinstance(o, Logged))
            + b"]}"
        )

    return Response(await run_in_threadpool(receipts), media_type="application/json")


def _admit_batch(body: bytes, *, most: int) -> list[Statement]:
    # An array whose first element is not an object is refused before it is parsed: a body
    # of millions of numbers would otherwise be turned into as many Python objects first.
    first = _FIRST_ELEMENT.match(body)
    if first is not None and first.group(1) not in (b"{", b"]"):
        raise MalformedInput("statement 0: statement must be a JSON object")
    items = loads(body, what="batch")
    if not isinstance(items, list) or not items:
        raise MalformedInput("a batch must be a non-empty JSON array of statements")
    if len(items) > most:
        raise MalformedInput(f"a batch holds at most {most} statements, not {len(items)}")
    return admit_all(items)
