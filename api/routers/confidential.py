"""Confidential particulars: deposited by the holder, read by the holder or a court, every read logged."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from cunzheng.api.auth import signing_key
from cunzheng.api.deps import get_confidential, get_reader
from cunzheng.api.json_route import JsonRoute
from cunzheng.api.openapi import BODY_PROBLEMS, SIGNED, json_body, problems
from cunzheng.api.params import AssetId
from cunzheng.ledger.bodies import hex_digest
from cunzheng.ledger.confidential import ConfidentialParticulars
from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.reader import LogReader
from cunzheng.schemas.registry import ConfidentialDeposit, ConfidentialDeposited, ConfidentialOut

router = APIRouter(prefix="/v1", tags=["registry"], route_class=JsonRoute)
ReaderDep = Annotated[LogReader, Depends(get_reader)]
ParticularsDep = Annotated[ConfidentialParticulars, Depends(get_confidential)]
KeyDep = Annotated[bytes, Depends(signing_key)]


# Signed requests (the CunzhengSignature scheme): 401 unsigned or outside the window, 409 replayed,
# 422 a signature that does not verify or a reader the rules refuse.
_SIGNED = (400, 401, 404, 409, 422)


@router.put(
    "/assets/{asset_id}/confidential",
    response_model=ConfidentialDeposited,
    responses=problems(*_SIGNED, *BODY_PROBLEMS),
    openapi_extra={**SIGNED, **json_body(ConfidentialDeposit)},
)
async def deposit(
    asset_id: AssetId, request: Request, particulars: ParticularsDep, key: KeyDep
) -> dict[str, Any]:
    """Deposit the text and salt of confidential particulars; they must match the log's commitments.

    Body: ``{"fields": {"<particular>": {"salt": "<base64>", "value": "<text>"}}}``
    (``ConfidentialDeposit``); signed by the holder.
    """
    asset = hex_digest(asset_id, "asset id")
    fields = _fields(await request.json())
    stored = await run_in_threadpool(particulars.deposit, asset, key, fields)
    return {"asset": asset_id, "deposited": stored}


@router.get(
    "/assets/{asset_id}/confidential",
    response_model=ConfidentialOut,
    responses=problems(*_SIGNED),
    openapi_extra=SIGNED,
)
async def read(
    asset_id: AssetId, particulars: ParticularsDep, reader: ReaderDep, key: KeyDep
) -> dict[str, Any]:
    """Return the confidential particulars to the holder or a court; the read is logged first."""
    asset = hex_digest(asset_id, "asset id")
    fields, logged = await run_in_threadpool(particulars.read, asset, key)
    receipt = await run_in_threadpool(reader.receipt, logged)
    return {
        "asset": asset_id,
        "fields": {k: {"salt": encode_base64(s), "value": v} for k, (s, v) in fields.items()},
        "access_receipt": receipt.model_dump(mode="json"),
    }


def _fields(request_json: Any) -> dict[str, tuple[bytes, str]]:
    # The deposit request's JSON, not a statement body: its particulars are checked against
    # the commitments of the asset's typed bodies in ledger.confidential.
    items = request_json.get("fields") if isinstance(request_json, dict) else None
    if not isinstance(items, dict) or not items:
        raise MalformedInput(
            'the body must be {"fields": {"<particular>": {"salt": ..., "value": ...}}}'
        )
    out = {}
    for field, item in items.items():
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise MalformedInput(f"{field}: needs salt (base64) and value (text)")
        salt = decode_base64(item.get("salt", ""), what=f"{field}: salt", size=32)
        out[str(field)] = (salt, item["value"])
    return out
