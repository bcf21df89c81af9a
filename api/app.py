"""The FastAPI application: the public log, statement submission and the API's OpenAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from cunzheng.api import errors, openapi
from cunzheng.api.limits import RECEIPT_BYTES, STATEMENT_BYTES, BodyLimits
from cunzheng.api.refusal import StartRefusal
from cunzheng.api.routers import bundles as bundles_router
from cunzheng.api.routers import confidential as confidential_router
from cunzheng.api.routers import evidence as evidence_router
from cunzheng.api.routers import health as health_router
from cunzheng.api.routers import log as log_router
from cunzheng.api.routers import pages as pages_router
from cunzheng.api.routers import registry as registry_router
from cunzheng.api.routers import statements as statements_router
from cunzheng.api.routers import tsa as tsa_router
from cunzheng.api.submission import DirectSubmission
from cunzheng.api.workers import Workers
from cunzheng.ledger.access import SignedRequests
from cunzheng.ledger.checkpoint_file import CheckpointKeeper
from cunzheng.ledger.clock import Clock, utc_now
from cunzheng.ledger.committed import CommittedTree
from cunzheng.ledger.confidential import ConfidentialParticulars
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import log_signer, operator_signer, submitter_key
from cunzheng.ledger.mirror import MirrorPublisher, S3Sink
from cunzheng.ledger.operator import register_operator, state_settings
from cunzheng.ledger.publisher import Publisher, witness_endpoints
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.sequencer import Sequencer
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.startup import check_log_key, check_not_rolled_back, check_operator_key
from cunzheng.ledger.store import Store
from cunzheng.ledger.tsa import open_authority
from cunzheng.schemas.bundles import MAX_REQUESTED


def create_app(settings: Settings | None = None, *, now: Clock = utc_now) -> FastAPI:
    """Return the app serving the log described by *settings* (default: from the environment) on the clock *now*."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with ExitStack() as stack:
            try:
                _start(app, settings, now, stack)
            except LedgerError as e:
                # Told in one line by the StartRefusal middleware, not as a traceback.
                app.state.startup_error = e
                raise
            yield

    app = FastAPI(
        title="Cunzheng",
        summary="A notarised evidence store for data intellectual property.",
        description="Signed statements in an append-only RFC 9162 Merkle log with C2SP checkpoints and tiles.",
        version="0.1.0",
        lifespan=lifespan,
        # /docs is served from the swagger-ui-bundle-v2 package (api.openapi), never a CDN;
        # ReDoc has no such package, so it is not offered.
        docs_url=None,
        redoc_url=None,
    )
    # POST /v1/statements, answered inside the body limits but before routing.
    app.add_middleware(DirectSubmission)
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
    app.add_middleware(StartRefusal)
    errors.install(app)
    openapi.install(app)
    app.include_router(log_router.router)
    app.include_router(statements_router.router)
    app.include_router(evidence_router.router)
    app.include_router(registry_router.router)
    app.include_router(confidential_router.router)
    app.include_router(tsa_router.router)
    app.include_router(bundles_router.router)
    app.include_router(health_router.router)
    app.include_router(pages_router.router)
    return app


def _start(app: FastAPI, settings: Settings, now: Clock, stack: ExitStack) -> None:
    """Open the log's parts onto *app*.state, each stopped by *stack* in the reverse order."""
    app.state.tsa = open_authority(settings)
    signer = log_signer(settings.data_dir, settings.origin)
    operator = operator_signer(settings.data_dir)
    store = Store.open(settings.resolved_database_url())
    stack.callback(store.close)
    # Stopped after the sequencer, so that it remembers the last batch's checkpoint too.
    keeper = CheckpointKeeper(settings.data_dir, store.latest_checkpoint)
    stack.callback(keeper.stop)
    tree = CommittedTree(store.read_tiles, tile_cache=settings.tile_cache)
    # One process at a time checks the database and makes its first entries.
    with store.startup_lock():
        check_log_key(store, signer.verifier(), data_dir=settings.data_dir)
        check_operator_key(
            store, bytes(submitter_key(operator).verify_key), data_dir=settings.data_dir
        )
        check_not_rolled_back(
            store, signer.verifier(), data_dir=settings.data_dir, accept=settings.accept_rollback
        )
        sequencer = Sequencer(
            store,
            signer,
            tree,
            batch_size=settings.batch_size,
            batch_wait=settings.batch_wait_ms / 1000,
            now=now,
        ).start()
        stack.callback(sequencer.stop)
        register_operator(store, sequencer, operator, name=settings.operator_name)
        state_settings(store, sequencer, operator, policy=settings.policy())
    sequencer.on_publish.append(keeper.start().notify)
    reader = LogReader(store, signer.verifier(), tree)
    # The first proofs after a restart come from memory, not the store; /readyz waits for it.
    tree.warm_in_background(reader.size(), limit=settings.tile_cache_limit)
    publisher = Publisher(
        store,
        reader.consistency_proof,
        tsa=app.state.tsa,
        external_tsas=settings.external_tsas,
        witnesses=witness_endpoints(settings.witnesses),
        interval=settings.publish_interval_s,
    ).start()
    stack.callback(publisher.stop)
    sequencer.on_publish.append(publisher.notify)
    if settings.s3_bucket is not None:
        sink = S3Sink(
            bucket=settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint=settings.s3_endpoint,
            region=settings.s3_region,
        )
        mirror = MirrorPublisher(reader, sink).start()
        stack.callback(mirror.stop)
        sequencer.on_publish.append(mirror.notify)
    # The parse and signature check of single statements (api.submission).
    app.state.workers = Workers()
    stack.callback(app.state.workers.stop)
    app.state.reader = reader
    app.state.sequencer = sequencer
    app.state.registry = store
    app.state.confidential = ConfidentialParticulars(store, sequencer, operator)
    app.state.signed_requests = SignedRequests(
        store, now=now, window=timedelta(seconds=settings.signed_request_window_s)
    )
    app.state.settings = settings
    app.state.now = now
