"""Evidence bundles: everything a judge needs to check some entries offline, in one file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from cunzheng.api.deps import get_reader
from cunzheng.api.json_route import JsonRoute
from cunzheng.api.openapi import BODY_PROBLEMS, problems
from cunzheng.ledger.bundles import build_bundle
from cunzheng.ledger.reader import LogReader
from cunzheng.schemas.bundles import Bundle, BundleRequest

# JsonRoute: the request is parsed as I-JSON in a worker thread, then validated.
router = APIRouter(prefix="/v1", tags=["bundles"], route_class=JsonRoute)
ReaderDep = Annotated[LogReader, Depends(get_reader)]


@router.post(
    "/bundles",
    response_model=Bundle,
    responses=problems(
        *BODY_PROBLEMS,
        404,
        409,
        s400="malformed_input: the request is malformed or names no entry.",
        s404="not_found: an index, leaf hash or receipt names no entry of the log.",
        s409="conflict: a receipt contradicts the log (another index, or a forked checkpoint).",
    ),
)
async def create(request: BundleRequest, reader: ReaderDep) -> Bundle:
    """Return an evidence bundle of the entries named by index, leaf hash or receipt.

    Public and read-only: a bundle holds only what the public log holds.
    """
    return await run_in_threadpool(build_bundle, reader, request)
