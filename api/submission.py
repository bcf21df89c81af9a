"""``POST /v1/statements`` answered below FastAPI's routing: the one route every submitter calls.

A single statement costs little to check and log; what it cost here was the
web stack around it: route matching, dependency solving, the Request and
Response objects and the exception middleware, for every statement. The
``DirectSubmission`` middleware answers ``POST /v1/statements`` itself, with
the same checks and answers as the route in ``api.routers.statements`` (which
stays, for the OpenAPI document and for an app built without it):

- a body that is not ``application/json`` is refused with a 415 before it is read;
- the body is read through ``BodyLimits`` (which wraps this middleware), so the
  route's size limit and the body's deadline hold while it arrives;
- the statement is parsed (I-JSON: no duplicate keys) and its signature checked
  in one worker thread (``api.workers``); the log's future is awaited on the event
  loop, not in a thread;
- a ledger error or a refusal is answered as ``api.errors`` answers it
  everywhere else; any other exception goes on to the server error middleware.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future

from starlette.types import ASGIApp, Receive, Scope, Send

from cunzheng.api.errors import Refusal, ledger_problem
from cunzheng.api.json_route import JSON_MEDIA_TYPE, media_type_refusal
from cunzheng.api.workers import Workers, settled
from cunzheng.ledger.admission import admit
from cunzheng.ledger.committed import Logged, Outcome
from cunzheng.ledger.errors import LedgerError, RuleViolation, Unavailable
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.sequencer import Sequencer

__all__ = ["COMMIT_TIMEOUT", "SUBMIT_PATH", "DirectSubmission", "logged_receipt", "submit"]

SUBMIT_PATH = "/v1/statements"
# How long a request waits for its batch to commit before it gives up (the statement may still land).
COMMIT_TIMEOUT = 60.0
_JSON_HEADERS = [(b"content-type", JSON_MEDIA_TYPE.encode())]


async def submit(
    body: bytes, sequencer: Sequencer, reader: LogReader, workers: Workers
) -> tuple[int, bytes]:
    """Log the statement in *body*; return the status (201 new, 200 already logged) and its receipt.

    The parse and the signature check take one worker thread; the receipt is
    built on the event loop from the tile cache, where the batch just committed is.
    """
    statement = await workers.run(admit, body)
    logged = await _wait(sequencer.add_all([statement]))
    return (200 if logged.existed else 201), logged_receipt(reader, logged)


def logged_receipt(reader: LogReader, logged: Logged) -> bytes:
    """Return the receipt of *logged* as a submitter is given it: indented JSON, a receipt file's bytes."""
    return reader.receipt_json(logged, indent=True)


async def _wait(future: Future[list[Outcome]]) -> Logged:
    # One timer handle, not an asyncio.timeout: its context manager cost a request as much.
    waiter = settled(future)
    late = asyncio.get_running_loop().call_later(COMMIT_TIMEOUT, _late, waiter)
    try:
        outcome = (await waiter)[0]
    except TimeoutError:
        raise Unavailable(
            "the log did not commit the statement in time; resubmit it (resubmission is safe)"
        ) from None
    finally:
        late.cancel()
    if isinstance(outcome, RuleViolation):
        raise outcome
    return outcome


def _late(waiter: asyncio.Future[list[Outcome]]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class DirectSubmission:
    """ASGI middleware: answer ``POST /v1/statements`` without the router; pass every other request on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != SUBMIT_PATH
            or scope["method"] != "POST"
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        try:
            content_type = None
            for name, value in scope["headers"]:
                if name == b"content-type":
                    content_type = value.decode("latin-1")
                    break
            refusal = media_type_refusal(content_type)
            if refusal is not None:
                raise refusal
            body = await _read_body(receive)
            if body is None:
                return  # the client went away
            status, receipt = await submit(body, state.sequencer, state.reader, state.workers)
        except Refusal as e:
            await e.response()(scope, receive, send)
            return
        except LedgerError as e:
            await ledger_problem(e)(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-length", str(len(receipt)).encode()),
                    *_JSON_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": receipt})


async def _read_body(receive: Receive) -> bytes | None:
    """Return the request's whole body, or None if the client disconnected first."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
