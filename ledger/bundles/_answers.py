"""The bundle that answers a court's question, proved complete by the log's index."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cunzheng.ledger.bundles._assembly import assemble, document, index_proof
from cunzheng.ledger.bundles._requests import build_bundle
from cunzheng.ledger.errors import Conflict, MalformedInput, NotFound
from cunzheng.ledger.index import SETTINGS_KEY
from cunzheng.ledger.reader import IndexAnswer, LogReader
from cunzheng.ledger.verify.completeness import answer_keys, asset_events, listed_assets
from cunzheng.schemas.bundles import MAX_REQUESTED, Bundle, BundleIndexProof, BundleRequest
from cunzheng.schemas.questions import Question

# Reads of the index keys an answer rests on, until they all come from one checkpoint.
_ATTEMPTS = 5


def build_answer_bundle(
    log: LogReader, question: Question, answer: Any, indexes: Iterable[int] = ()
) -> Bundle | None:
    """Return the bundle from which a verifier recomputes *answer* to *question* and checks it complete, or None if it cannot hold one.

    The bundle checkpoint is the latest, at which the log proves the index
    keys the answer rests on (``ledger.verify.completeness``) and
    ``settings:log``; the bundle carries those proofs and every event of
    every asset they list, so that whole chains are replayed under the log's
    own settings and nothing that bears on the answer is left out. *indexes*
    are the entries the answer was computed from; one the index does not
    list means the log moved on in between (Conflict: ask again). A log
    whose checkpoint commits to no index gives the bundle of *indexes* and
    the asset's events, which a verifier reports as not proved complete;
    None when no entry bears on the answer then.
    """
    try:
        note, proofs, events = _index_proofs(log, question)
    except NotFound:
        return _unindexed_bundle(log, question, answer, indexes)
    stray = sorted(set(indexes) - events)
    if stray:
        raise Conflict(
            f"entries {stray} were logged after the checkpoint the answer is proved at; ask again"
        )
    if len(events) > MAX_REQUESTED:
        raise MalformedInput(
            f"the answer rests on {len(events)} entries; a bundle covers at most {MAX_REQUESTED}"
        )
    size = log.open(note).size
    evidence = log.checkpoint_evidence(size)
    if evidence is not None and evidence.size != size:
        evidence = None
    settings = proofs.pop(SETTINGS_KEY)
    return assemble(
        log,
        events,
        note,
        evidence,
        claim=(question, answer),
        proofs=list(proofs.values()),
        settings=settings,
    )


def _unindexed_bundle(
    log: LogReader, question: Question, answer: Any, indexes: Iterable[int]
) -> Bundle | None:
    wanted = set(indexes)
    if question.asset is not None:
        wanted |= set(log.records.events_of_asset(bytes.fromhex(question.asset)))
    if not wanted:
        return None
    return build_bundle(log, BundleRequest(indexes=sorted(wanted)), claim=(question, answer))


def _index_proofs(
    log: LogReader, question: Question
) -> tuple[str, dict[str, BundleIndexProof], set[int]]:
    """Return the checkpoint, the proofs of ``settings:log`` and of every key *question*'s answer rests on, by key, and the events of the assets they list."""
    for _ in range(_ATTEMPTS):
        answers: dict[str, IndexAnswer] = {k: log.index_proof(k) for k in answer_keys(question)}
        docs = {k: document(a.value, k) for k, a in answers.items()}
        for asset in listed_assets(question, docs):
            key = f"asset:{asset}"
            if key not in answers:
                answers[key] = log.index_proof(key)
                docs[key] = document(answers[key].value, key)
        answers[SETTINGS_KEY] = log.index_proof(SETTINGS_KEY)
        if len({a.tree_size for a in answers.values()}) == 1:
            break
    else:
        raise Conflict("the log kept growing while its index was read; ask again")
    events = {i for k in docs if k.startswith("asset:") for i in asset_events(k, docs[k])}
    proofs = {k: index_proof(a) for k, a in answers.items()}
    return next(iter(answers.values())).checkpoint, proofs, events
