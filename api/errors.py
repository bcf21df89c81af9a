"""The one place where ledger errors become HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from cunzheng.ledger.errors import (
    WIRE,
    LedgerError,
    RuleViolation,
)


class Refusal(HTTPException):
    """A request refused at the door (too large, too slow, not JSON): a status, a code and a message.

    With *close*, the answer says ``Connection: close``: the rest of the body is
    never read, so the connection cannot carry another request.
    """

    def __init__(self, status: int, error: str, detail: str, *, close: bool = False) -> None:
        super().__init__(status_code=status, detail=detail)
        self.error = error
        self.close = close

    def response(self) -> JSONResponse:
        """Return the JSON error response for this refusal."""
        return problem(self.status_code, self.error, str(self.detail), close=self.close)


def problem(status: int, error: str, detail: str, *, close: bool = False) -> JSONResponse:
    """Return the JSON error body every failure uses: a stable code and a message for a person."""
    headers = {"Connection": "close"} if close else None
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into 4xx responses with clear messages."""

    @app.exception_handler(LedgerError)
    async def _ledger(_: Request, exc: LedgerError) -> JSONResponse:
        for cls, status, code in WIRE:
            if isinstance(exc, cls):
                if isinstance(exc, RuleViolation):
                    code = exc.reason_code
                return problem(status, code, exc.message)
        return problem(400, "bad_request", exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        return problem(400, "malformed_input", f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        if isinstance(exc, Refusal):
            return exc.response()
        return problem(exc.status_code, "http_error", str(exc.detail))
