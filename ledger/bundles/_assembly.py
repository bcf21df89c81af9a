"""A bundle assembled from the entries it holds: their proofs, times and the log's settings."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from typing import Any

from cunzheng.ledger.bundles._entries import (
    Leaves,
    chain_entries,
    leaves,
    needs_settings,
    party_entries,
    role,
    settings_entries,
)
from cunzheng.ledger.canonical import loads
from cunzheng.ledger.cosignature import parse_line
from cunzheng.ledger.errors import LedgerError, MalformedInput
from cunzheng.ledger.index import proof_json
from cunzheng.ledger.reader import IndexAnswer, LogReader
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.store import CheckpointEvidence, ReadOnlyStore
from cunzheng.ledger.verify.completeness import asset_events
from cunzheng.schemas.bundles import (
    Bundle,
    BundleClaim,
    BundleCosignature,
    BundleEntry,
    BundleIndexProof,
    BundleLog,
    BundleTimestamp,
    EarlierCheckpoint,
    IndexProofJson,
    TimedCheckpoint,
)
from cunzheng.schemas.questions import Question


def assemble(
    log: LogReader,
    indexes: Iterable[int],
    note: str,
    evidence: CheckpointEvidence | None,
    *,
    claim: tuple[Question, Any] | None,
    earlier: Sequence[EarlierCheckpoint] = (),
    proofs: Sequence[BundleIndexProof] = (),
    settings: BundleIndexProof | None = None,
) -> Bundle:
    """Return the bundle of the entries at *indexes*, their chains, party and settings entries, proved against checkpoint *note*.

    *settings* is the proof of ``settings:log`` at *note*, if the log served
    one; without it the settings entries are those the store lists.
    """
    size = log.open(note).size
    held = leaves(log.records, indexes, size)
    for index, (statement, _) in held.items():
        if role(statement) is None:
            raise MalformedInput(
                f"entry {index} is a {statement.type} statement; a bundle covers evidence.*, "
                "party.*, asset.*, licence.*, objection.*, access.* and log.settings entries"
            )
    held |= chain_entries(log.records, held, size)
    held |= party_entries(log.records, held, size)
    carried = list(proofs)
    if needs_settings(held):
        held |= settings_entries(held, log.records, _settings_indexes(log, settings), size)
        if settings is not None:
            carried.append(settings)
    timed_by, found = _first_evidence(log.records, sorted(held), size)
    # Published after the bundle checkpoint was chosen: the same checkpoint, now with evidence.
    evidence = found.pop(size, evidence)
    timestamps, cosignatures = _attestations(evidence)
    return Bundle(
        log=BundleLog(origin=log.origin, verifier_key=log.verifier.to_string()),
        checkpoint=note,
        entries=[_entry(log, i, *held[i], size, timed_by.get(i)) for i in sorted(held)],
        earlier_checkpoints=list(earlier),
        timestamps=timestamps,
        cosignatures=cosignatures,
        timed_checkpoints=[_timed(log, found[s], size) for s in sorted(found)],
        claim=None if claim is None else _claim(held, *claim),
        index=carried,
    )


def index_proof(answer: IndexAnswer) -> BundleIndexProof:
    """Return the bundle's form of the index proof *answer*."""
    return BundleIndexProof(
        key=answer.key,
        value=document(answer.value, answer.key),
        proof=IndexProofJson(**proof_json(answer.proof)),
    )


def document(value: bytes | None, key: str) -> dict[str, Any] | None:
    """Return the index document *value* of *key* (None: absent), or raise MalformedInput."""
    if value is None:
        return None
    doc = loads(value, what=f"the index document of {key}")
    if not isinstance(doc, dict):
        raise MalformedInput(f"the index document of {key} is not a JSON object")
    return doc


def _settings_indexes(log: LogReader, settings: BundleIndexProof | None) -> list[int]:
    """Return the indexes of the log's settings entries: those the proof lists, else those the store holds."""
    if settings is None:
        return log.records.log_settings_indexes()
    return asset_events(settings.key, settings.value)


def _claim(held: Leaves, question: Question, answer: Any) -> BundleClaim:
    registry = [i for i in sorted(held) if role(held[i][0]) == "registry"]
    return BundleClaim(question=question, answer=answer, entries=registry)


def _first_evidence(
    store: ReadOnlyStore, indexes: Sequence[int], size: int
) -> tuple[dict[int, int], dict[int, CheckpointEvidence]]:
    """Return the size of the first checkpoint with evidence holding each of *indexes* (increasing), and that evidence by size.

    Entries that share a checkpoint share its evidence, so the store is asked
    once per checkpoint, not once per entry. Evidence of a checkpoint beyond
    the bundle checkpoint of *size* is left out.
    """
    timed_by: dict[int, int] = {}
    found: dict[int, CheckpointEvidence] = {}
    current: CheckpointEvidence | None = None
    for index in indexes:
        if current is None or index >= current.size:
            current = store.first_checkpoint_evidence_covering(index)
            if current is None or current.size > size:
                break  # no later entry has evidence within the bundle checkpoint either
            found[current.size] = current
        timed_by[index] = current.size
    return timed_by, found


def _timed(log: LogReader, evidence: CheckpointEvidence, size: int) -> TimedCheckpoint:
    timestamps, cosignatures = _attestations(evidence)
    return TimedCheckpoint(
        checkpoint=evidence.note,
        consistency_proof=log.consistency_proof(evidence.size, size),
        timestamps=timestamps,
        cosignatures=cosignatures,
    )


def _attestations(
    evidence: CheckpointEvidence | None,
) -> tuple[list[BundleTimestamp], list[BundleCosignature]]:
    """Return the tokens over the evidence's checkpoint and the witnesses' cosignatures of it."""
    if evidence is None:
        return [], []
    timestamps = [BundleTimestamp(token=t) for t in evidence.tokens]
    cosignatures = []
    cosigned = evidence.cosigned or ""
    if cosigned.startswith(evidence.note):
        for line in cosigned[len(evidence.note) :].splitlines():
            try:
                signature = parse_line(line)
            except LedgerError:
                continue
            raw = signature.key_id.to_bytes(4, "big") + signature.signature
            cosignatures.append(BundleCosignature(witness=signature.name, signature=_b64(raw)))
    return timestamps, cosignatures


def _entry(
    log: LogReader,
    index: int,
    statement: Statement,
    logged_at: str,
    size: int,
    timed_by: int | None,
) -> BundleEntry:
    kind = role(statement)
    assert kind is not None
    return BundleEntry(
        role=kind,
        index=index,
        logged_at=logged_at,
        statement=statement.to_json(),
        inclusion_proof=log.inclusion_proof(index, size),
        timed_by=timed_by,
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
