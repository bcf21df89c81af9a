"""The one place where ledger errors become HTTP responses."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from cunzheng.ledger.errors import (
    WIRE,
    LedgerError,
    RuleViolation,
)

# The methods an Allow header may name.
_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


class Refusal(HTTPException):
    """A request refused at the door (too large, too slow, not JSON): a status, a code and a message.

    With *close*, the answer says ``Connection: close``: the rest of the body is
    never read, so the connection cannot carry another request. *headers* go
    with the answer (a 401's ``WWW-Authenticate``, say).
    """

    def __init__(
        self,
        status: int,
        error: str,
        detail: str,
        *,
        close: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.error = error
        self.close = close

    def response(self) -> JSONResponse:
        """Return the JSON error response for this refusal."""
        return problem(
            self.status_code, self.error, str(self.detail), close=self.close, headers=self.headers
        )


def problem(
    status: int,
    error: str,
    detail: str,
    *,
    close: bool = False,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Return the JSON error body every failure uses: a stable code and a message for a person.

    *headers* go with it, and ``Connection: close`` with *close*.
    """
    sent = {**(headers or {}), **({"Connection": "close"} if close else {})}
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=sent)


def ledger_problem(exc: LedgerError) -> JSONResponse:
    """Return the response for a ledger error: its status and code on the wire, and its message."""
    for cls, status, code in WIRE:
        if isinstance(exc, cls):
            if isinstance(exc, RuleViolation):
                code = exc.reason_code
            return problem(status, code, exc.message)
    return problem(400, "bad_request", exc.message)


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into 4xx responses with clear messages."""

    @app.exception_handler(LedgerError)
    async def _ledger(_: Request, exc: LedgerError) -> JSONResponse:
        return ledger_problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        return problem(400, "malformed_input", f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        if isinstance(exc, Refusal):
            return exc.response()
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette's Allow names the methods of one route; a path may have several.
            headers["Allow"] = ", ".join(sorted(_allowed_methods(request)))
        return problem(exc.status_code, "http_error", str(exc.detail), headers=headers)


def _allowed_methods(request: Request) -> set[str]:
    """Return the methods for which a route of *request*'s app takes its path."""
    return {
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    }
