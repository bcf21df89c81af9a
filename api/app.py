"""The FastAPI application: the public log, statement submission and the API's OpenAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cunzheng.api import errors
from cunzheng.api.limits import RECEIPT_BYTES, STATEMENT_BYTES, BodyLimits
from cunzheng.api.routers import bundles as bundles_router
from cunzheng.api.routers import confidential as confidential_router
from cunzheng.api.routers import evidence as evidence_router
from cunzheng.api.routers import log as log_router
from cunzheng.api.routers import registry as registry_router
from cunzheng.api.routers import statements as statements_router
from cunzheng.api.routers import tsa as tsa_router
from cunzheng.ledger.clock import Clock, utc_now
from cunzheng.ledger.committed import CommittedTree
from cunzheng.ledger.confidential import ConfidentialParticulars
from cunzheng.ledger.keyfiles import log_signer, operator_signer
from cunzheng.ledger.operator import register_operator, state_settings
from cunzheng.ledger.publisher import Publisher, witness_endpoints
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.sequencer import Sequencer
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.store import Store
from cunzheng.ledger.tsa import open_authority
from cunzheng.schemas.bundles import MAX_REQUESTED


def create_app(settings: Settings | None = None, *, now: Clock = utc_now) -> FastAPI:
    """Return the app serving the log described by *settings* (default: from the environment) on the clock *now*."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.tsa = open_authority(settings)
        signer = log_signer(settings.data_dir, settings.origin)
        store = Store.open(settings.resolved_database_url())
        tree = CommittedTree(store.read_tiles, tile_cache=settings.tile_cache)
        sequencer = Sequencer(
            store,
            signer,
            tree,
            batch_size=settings.batch_size,
            batch_wait=settings.batch_wait_ms / 1000,
            now=now,
        ).start()
        reader = LogReader(store, signer.verifier(), tree)
        operator = operator_signer(settings.data_dir)
        register_operator(store, sequencer, operator, name=settings.operator_name)
        state_settings(store, sequencer, operator, policy=settings.policy())
        publisher = Publisher(
            store,
            reader.consistency_proof,
            tsa=app.state.tsa,
            external_tsas=settings.external_tsas,
            witnesses=witness_endpoints(settings.witnesses),
            interval=settings.publish_interval_s,
        ).start()
        sequencer.on_publish.append(publisher.notify)
        app.state.reader = reader
        app.state.sequencer = sequencer
        app.state.registry = store
        app.state.confidential = ConfidentialParticulars(store, sequencer, operator)
        app.state.settings = settings
        app.state.now = now
        try:
            yield
        finally:
            sequencer.stop()
            publisher.stop()
            store.close()

    app = FastAPI(
        title="Cunzheng",
        summary="A notarised evidence store for data intellectual property.",
        description="Signed statements in an append-only RFC 9162 Merkle log with C2SP checkpoints and tiles.",
        version="0.1.0",
        lifespan=lifespan,
    )
    # Per-route limits, checked while the body is read and before any of it is parsed.
    app.add_middleware(
        BodyLimits,
        default_bytes=STATEMENT_BYTES,
        route_bytes={
            "/v1/statements/batch": settings.max_batch_request * STATEMENT_BYTES,
            "/v1/bundles": MAX_REQUESTED * RECEIPT_BYTES,
        },
        timeout_s=settings.body_timeout_s,
    )
    errors.install(app)
    app.include_router(log_router.router)
    app.include_router(statements_router.router)
    app.include_router(evidence_router.router)
    app.include_router(registry_router.router)
    app.include_router(confidential_router.router)
    app.include_router(tsa_router.router)
    app.include_router(bundles_router.router)
    return app
