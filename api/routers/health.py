"""Probes and metrics for the operator: /healthz, /readyz and Prometheus' /metrics."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict

from cunzheng.api.deps import get_reader, get_registry, get_sequencer
from cunzheng.api.openapi import problems
from cunzheng.ledger.errors import Unavailable
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.sequencer import Sequencer
from cunzheng.ledger.store import ReadOnlyStore

router = APIRouter(tags=["operations"])
SequencerDep = Annotated[Sequencer, Depends(get_sequencer)]
StoreDep = Annotated[ReadOnlyStore, Depends(get_registry)]
ReaderDep = Annotated[LogReader, Depends(get_reader)]


class HealthOut(BaseModel):
    """The answer of a probe that passed."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["ok"]


@router.get("/healthz", response_model=HealthOut)
def healthz() -> HealthOut:
    """The process is up and answering HTTP."""
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    response_model=HealthOut,
    responses=problems(
        503,
        s503="unavailable: the sequencer is not running, the database does not answer, or "
        "the hash tiles are still being loaded into memory; the detail says which.",
    ),
)
def readyz(sequencer: SequencerDep, store: StoreDep, reader: ReaderDep) -> HealthOut:
    """The log can take statements and answer proofs from memory.

    The sequencer thread runs, the database answers a read, and the hash
    tiles of the log have been loaded at start.
    """
    if not sequencer.running:
        raise Unavailable("the sequencer is not running: this process takes no statements")
    done, total = reader.warmed
    if done < total:
        raise Unavailable(f"the hash tiles are being loaded into memory: {done:,} of {total:,}")
    try:
        store.head()
    except Exception as e:  # any driver or ledger error: the probe reports it, never crashes
        raise Unavailable(f"the database does not answer a read: {type(e).__name__}: {e}") from e
    return HealthOut(status="ok")


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format."}},
)
def metrics(sequencer: SequencerDep) -> Response:
    """The sequencer's and the log's metrics in the Prometheus text exposition format."""
    return Response(generate_latest(sequencer.metrics.registry), media_type=CONTENT_TYPE_LATEST)
