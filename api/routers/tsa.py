"""The RFC 3161 time-stamp authority over HTTP (RFC 3161 section 3.4) and its certificates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from cunzheng.api.errors import problem
from cunzheng.api.openapi import problems
from cunzheng.ledger.tsa import (
    MAX_REQUEST_BYTES,
    QUERY_MEDIA_TYPE,
    REPLY_MEDIA_TYPE,
    TimeStampAuthority,
)

router = APIRouter(prefix="/tsa", tags=["tsa"])

CHAIN_MEDIA_TYPE = "application/pem-certificate-chain"


def get_tsa(request: Request) -> TimeStampAuthority:
    """Return the time-stamp authority this app runs."""
    tsa: TimeStampAuthority = request.app.state.tsa
    return tsa


TsaDep = Annotated[TimeStampAuthority, Depends(get_tsa)]


@router.post(
    "",
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {QUERY_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
    responses={
        200: {
            "content": {REPLY_MEDIA_TYPE: {}},
            "description": "A DER TimeStampResp: a token, or a rejection with its reason.",
        },
        **problems(
            408,
            413,
            415,
            s413="body_too_large: the request is larger than a TimeStampReq can be.",
            s415=f"unsupported_media_type: the body is not {QUERY_MEDIA_TYPE}.",
        ),
    },
)
async def timestamp(request: Request, tsa: TsaDep) -> Response:
    """Answer a DER TimeStampReq with a DER TimeStampResp (``openssl ts -query`` makes one)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != QUERY_MEDIA_TYPE:
        return problem(
            415,
            "unsupported_media_type",
            f"send a DER TimeStampReq with Content-Type: {QUERY_MEDIA_TYPE}",
        )
    body = await _read_capped(request, MAX_REQUEST_BYTES)
    if body is None:
        return problem(
            413, "body_too_large", f"a time-stamp request is at most {MAX_REQUEST_BYTES} bytes"
        )
    reply = await run_in_threadpool(tsa.respond, body)
    return Response(reply, media_type=REPLY_MEDIA_TYPE, headers={"Cache-Control": "no-store"})


@router.get(
    "/certs",
    response_class=Response,
    responses={200: {"content": {CHAIN_MEDIA_TYPE: {}}}},
)
def certs(tsa: TsaDep) -> Response:
    """The TSA certificate followed by the CA certificates above it, in PEM."""
    return Response(tsa.chain_pem(), media_type=CHAIN_MEDIA_TYPE)


async def _read_capped(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
