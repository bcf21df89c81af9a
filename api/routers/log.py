"""The public read API under /log/: C2SP tlog-tiles plus JSON conveniences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from cunzheng.api.deps import get_reader
from cunzheng.api.openapi import problems
from cunzheng.api.params import LEAF_HASH, TILE_PATH, rule
from cunzheng.ledger import merkle
from cunzheng.ledger.canonical import loads
from cunzheng.ledger.encoding import decode_base64
from cunzheng.ledger.errors import MalformedInput, NotFound
from cunzheng.ledger.mirror.layout import CHECKPOINT_TYPE, NO_CACHE, TILE_TYPE, cache_control
from cunzheng.ledger.note import open_checkpoint
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.tiles import TILE_HEIGHT, parse_tile_path
from cunzheng.schemas.log import (
    CheckpointEvidenceOut,
    ConsistencyProofOut,
    EntryOut,
    InclusionProofOut,
    LogInfo,
)

router = APIRouter(prefix="/log", tags=["log"])
ReaderDep = Annotated[LogReader, Depends(get_reader)]

# Indexes and sizes are SQL BIGINTs on both engines: anything from 2^63 up is refused
# as malformed before it reaches the database (where it was a 500).
BOUND = 1 << 63


@router.get(
    "/checkpoint",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}},
        **problems(404, s404="not_found: the log has published no checkpoint yet."),
    },
)
def checkpoint(log: ReaderDep) -> Response:
    """The latest signed checkpoint (C2SP tlog-checkpoint), with witness cosignatures once gathered."""
    _, note = log.served_checkpoint()
    return Response(note, media_type=CHECKPOINT_TYPE, headers={"Cache-Control": NO_CACHE})


@router.get(
    "/tile/{path:path}",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}},
        **problems(
            400,
            404,
            s400="malformed_input: the tile path is not a C2SP tlog-tiles path.",
            s404="not_found: the log holds no such tile yet.",
        ),
    },
)
def tile(
    path: Annotated[
        str,
        Path(
            description="The tile's path below tile/.",
            json_schema_extra=rule(TILE_PATH),
            openapi_examples={
                "hash tile": {"value": "0/x001/234"},
                "partial entry bundle": {"value": "entries/000.p/5"},
            },
        ),
    ],
    log: ReaderDep,
) -> Response:
    """A hash tile ``<L>/<N>[.p/<W>]`` or entry bundle ``entries/<N>[.p/<W>]`` (C2SP tlog-tiles)."""
    ref = parse_tile_path(path)
    if ref.index << (TILE_HEIGHT * ((ref.level or 0) + 1)) >= BOUND:
        raise NotFound(f"tile {path} lies beyond any tree of fewer than 2^63 leaves")
    data = log.entry_bundle(ref) if ref.level is None else log.hash_tile(ref)
    return Response(data, media_type=TILE_TYPE, headers={"Cache-Control": cache_control(ref)})


@router.get(
    "/checkpoint/evidence", response_model=CheckpointEvidenceOut, responses=problems(400, 404)
)
def checkpoint_evidence(
    log: ReaderDep,
    size: Annotated[
        int | None,
        Query(ge=0, lt=BOUND, description="Tree size; default: the latest with evidence."),
    ] = None,
) -> CheckpointEvidenceOut:
    """RFC 3161 tokens over a checkpoint and its witness-cosigned note: when it existed, who saw it."""
    evidence = log.checkpoint_evidence(size)
    if evidence is None:
        which = "any checkpoint" if size is None else f"the checkpoint of size {size}"
        raise NotFound(f"no time-stamp or cosignature is kept for {which} yet")
    return CheckpointEvidenceOut(
        size=evidence.size,
        checkpoint=evidence.note,
        cosigned=evidence.cosigned,
        timestamps=list(evidence.tokens),
    )


@router.get("/info", response_model=LogInfo, responses=problems(404))
def info(log: ReaderDep) -> LogInfo:
    """The log's origin, verifier key, latest checkpoint and the registry settings in force."""
    note = log.checkpoint()
    cp, _ = open_checkpoint(note, log.verifier)
    settings = log.records.log_settings()
    return LogInfo(
        origin=log.origin,
        verifier_key=log.verifier.to_string(),
        size=cp.size,
        root=cp.root,
        checkpoint=note,
        settings=None if settings is None else settings.body(),
    )


@router.get("/entries/{index}", response_model=EntryOut, responses=problems(400, 404))
def entry(index: Annotated[int, Path(description="Leaf index.")], log: ReaderDep) -> EntryOut:
    """One logged entry: its statement, its leaf hash and when it was logged."""
    # No entry can have an index outside 0..2^63-1; the database is not asked.
    row = log.entry(index) if 0 <= index < BOUND else None
    if row is None:
        raise NotFound(f"there is no entry {index}; the log holds {log.size()} entries")
    leaf = loads(row.leaf)
    return EntryOut(
        index=row.index,
        leaf_hash=row.leaf_hash,
        logged_at=leaf["logged_at"],
        statement=leaf["statement"],
    )


@router.get("/proof/inclusion", response_model=InclusionProofOut, responses=problems(400, 404, 409))
def inclusion(
    log: ReaderDep,
    size: Annotated[
        int | None,
        Query(ge=1, lt=BOUND, description="Tree size; default: the latest checkpoint's."),
    ] = None,
    index: Annotated[int | None, Query(ge=0, lt=BOUND, description="Leaf index.")] = None,
    leaf_hash: Annotated[
        str | None,
        Query(
            description="Base64 or hex leaf hash, instead of an index.",
            json_schema_extra=rule(LEAF_HASH),
        ),
    ] = None,
) -> InclusionProofOut:
    """An RFC 9162 inclusion proof, by leaf index or by leaf hash: exactly one of the two (else 400)."""
    if (index is None) == (leaf_hash is None):
        raise MalformedInput("give exactly one of index or leaf_hash")
    if leaf_hash is not None:
        row = log.entry_by_leaf_hash(_decode_hash(leaf_hash))
        if row is None:
            raise NotFound(f"no entry has leaf hash {leaf_hash}")
    else:
        assert index is not None
        row = log.entry(index)
        if row is None:
            raise NotFound(f"there is no entry {index}; the log holds {log.size()} entries")
    tree_size = log.size() if size is None else size
    proof = log.inclusion_proof(row.index, tree_size)
    return InclusionProofOut(
        index=row.index, tree_size=tree_size, leaf_hash=row.leaf_hash, proof=proof
    )


@router.get(
    "/proof/consistency", response_model=ConsistencyProofOut, responses=problems(400, 404, 409)
)
def consistency(
    log: ReaderDep,
    old: Annotated[int, Query(ge=0, lt=BOUND, description="The older tree size.")],
    size: Annotated[
        int | None,
        Query(ge=0, lt=BOUND, description="The newer tree size; default: the latest."),
    ] = None,
) -> ConsistencyProofOut:
    """An RFC 9162 consistency proof from tree size *old* to *size*."""
    tree_size = log.size() if size is None else size
    return ConsistencyProofOut(
        old_size=old, tree_size=tree_size, proof=log.consistency_proof(old, tree_size)
    )


def _decode_hash(text: str) -> bytes:
    raw: bytes | None = None
    if len(text) == 64:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = None
    if raw is None:
        try:
            raw = decode_base64(text, what="leaf_hash")
        except MalformedInput:
            raw = None
    if raw is None or len(raw) != merkle.HASH_SIZE:
        raise MalformedInput(f"leaf_hash {text!r} is not a 32-byte hash in hex or base64")
    return raw
