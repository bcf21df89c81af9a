"""Evidence bundles: everything a judge needs to check some entries offline, in one file."""

from __future__ import annotations

from typing import Annotated

from cryptography import x509
from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from cunzheng.api.deps import get_clock, get_reader
from cunzheng.api.json_route import JsonRoute
from cunzheng.api.openapi import BODY_PROBLEMS, problems
from cunzheng.api.routers.log import BOUND
from cunzheng.api.routers.tsa import TsaDep
from cunzheng.ledger.bundles import build_bundle
from cunzheng.ledger.certificate import certificate_number, issue_certificate
from cunzheng.ledger.clock import Clock
from cunzheng.ledger.errors import NotFound
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.verify import bundle_json
from cunzheng.schemas.bundles import Bundle, BundleRequest

# JsonRoute: the request is parsed as I-JSON in a worker thread, then validated.
router = APIRouter(prefix="/v1", tags=["bundles"], route_class=JsonRoute)
ReaderDep = Annotated[LogReader, Depends(get_reader)]
ClockDep = Annotated[Clock, Depends(get_clock)]
IndexPath = Annotated[int, Path(description="The leaf index of an evidence entry.")]
PDF = "application/pdf"
_NOT_AN_INDEX = "malformed_input: the index is not an integer."


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


@router.get(
    "/bundles/{index}", response_model=Bundle, responses=problems(400, 404, s400=_NOT_AN_INDEX)
)
async def of_entry(index: IndexPath, reader: ReaderDep) -> Bundle:
    """Return the evidence bundle of the entry at *index*, at the log's latest checkpoint.

    The address a certificate's QR code and the look-up pages link to.
    """
    return await run_in_threadpool(_bundle_of, reader, index)


@router.get(
    "/bundles/{index}/certificate.pdf",
    response_class=Response,
    responses={
        200: {"content": {PDF: {}}},
        **problems(
            400,
            404,
            503,
            s400=_NOT_AN_INDEX,
            s503="unavailable: the server has no CJK font to embed (fonts-noto-cjk).",
        ),
    },
)
async def certificate(
    index: IndexPath, request: Request, reader: ReaderDep, tsa: TsaDep, clock: ClockDep
) -> Response:
    """The bilingual PDF certificate (存证证书) of the entry at *index*'s bundle, verified here.

    Checked against the log's own key and its own TSA's CA: a judge verifies
    the same bundle independently, as the certificate explains, from its QR code.
    """
    bundle = await run_in_threadpool(_bundle_of, reader, index)
    data = bundle_json(bundle)
    verify_url = f"{str(request.base_url).rstrip('/')}/verify?entries={index}"
    roots = x509.load_pem_x509_certificates(tsa.chain_pem())[-1:]
    issued = await run_in_threadpool(
        lambda: issue_certificate(
            data,
            log_key=reader.verifier,
            verify_url=verify_url,
            issued_at=clock(),
            tsa_roots=roots,
        )
    )
    name = f"{certificate_number(data)}.pdf"
    headers = {"Content-Disposition": f'inline; filename="{name}"'}
    return Response(issued.pdf, media_type=PDF, headers=headers)


def _bundle_of(reader: LogReader, index: int) -> Bundle:
    if not 0 <= index < BOUND:
        raise NotFound(f"there is no entry {index}; the log holds {reader.size()} entries")
    return build_bundle(reader, BundleRequest(indexes=[index]))
