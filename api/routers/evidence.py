"""Search by digest: every statement that references a content digest or dataset root."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from cunzheng.api.deps import get_reader
from cunzheng.api.openapi import problems
from cunzheng.api.params import HEX_DIGEST_ANY_CASE, rule
from cunzheng.ledger.bodies import hex_digest
from cunzheng.ledger.reader import LogReader
from cunzheng.schemas.evidence import EvidenceSearchOut

router = APIRouter(prefix="/v1", tags=["evidence"])
ReaderDep = Annotated[LogReader, Depends(get_reader)]


@router.get("/evidence", response_model=EvidenceSearchOut, responses=problems(400, 404))
async def search(
    reader: ReaderDep,
    sha256: Annotated[
        str,
        Query(
            description="A file's SHA-256 or a dataset root, 64 hex digits.",
            json_schema_extra=rule(HEX_DIGEST_ANY_CASE),
        ),
    ],
) -> EvidenceSearchOut:
    """List every logged statement that references *sha256*, each with its receipt.

    The answer holds only statements that are already in the public log.
    """
    digest = hex_digest(sha256.lower(), "sha256")
    indexes = await run_in_threadpool(reader.indexes_for_digest, digest)
    receipts = await run_in_threadpool(reader.receipts_for, indexes)
    return EvidenceSearchOut(sha256=digest.hex(), receipts=receipts)
