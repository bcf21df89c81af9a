"""Assembling evidence bundles from the log (``schemas.bundles``), for ``POST /v1/bundles``.

``build_bundle`` proves every entry against the bundle checkpoint: the latest
checkpoint that has independent evidence (RFC 3161 tokens, witness
cosignatures) if it covers the entries asked for, else the latest one, whose
tokens and cosignatures the bundle then carries. The entries are those asked
for (by index, by leaf hash or by receipt); for a registry event, every
earlier event of its asset back to the application, so that its chain is
whole; and the party entries that establish each signer's key and each party
an event names. For every such party it adds the party's registration,
every rotation that introduced one of its keys and every revocation in
force, then does the same for the keys that signed those party entries,
until nothing new is needed; so the verifier can replay them through the
log's rules with nothing else. Each receipt's checkpoint becomes an earlier
checkpoint with a consistency proof. Every entry names the first checkpoint
with independent evidence that held it
(``Store.first_checkpoint_evidence_covering``), whose tokens and
cosignatures the bundle carries once, with a consistency proof, however many
entries share it: each entry's own independent time is then seconds after it
was logged, however late the bundle is made. ``build_answer_bundle`` adds a
court's question and the claimed answer, proved at the latest checkpoint
with the proofs of the index keys the answer rests on and every event of
every asset they list, so that a verifier can tell that nothing was left
out (``ledger.verify.completeness``).
The bundle reveals nothing the public log does not already hold.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from hmac import compare_digest
from typing import Any

from cunzheng.ledger import merkle
from cunzheng.ledger.bodies import OnAsset, OnLicence, body_as
from cunzheng.ledger.canonical import loads
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.cosignature import parse_line
from cunzheng.ledger.errors import Conflict, LedgerError, MalformedInput, NotFound
from cunzheng.ledger.index import proof_json
from cunzheng.ledger.note import Checkpoint, open_checkpoint
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.receipts import receipt_leaf
from cunzheng.ledger.statements import Statement, parse_leaf
from cunzheng.ledger.store import CheckpointEvidence, ReadOnlyStore
from cunzheng.ledger.verify.completeness import answer_keys, asset_events, listed_assets
from cunzheng.schemas.bundles import (
    MAX_REQUESTED,
    ROLE_OF_FAMILY,
    Bundle,
    BundleClaim,
    BundleCosignature,
    BundleEntry,
    BundleIndexProof,
    BundleLog,
    BundleRequest,
    BundleTimestamp,
    EarlierCheckpoint,
    IndexProofJson,
    TimedCheckpoint,
)
from cunzheng.schemas.questions import Question
from cunzheng.schemas.receipts import Receipt

Leaves = dict[int, tuple[Statement, str]]
# Reads of the index keys an answer rests on, until they all come from one checkpoint.
_ATTEMPTS = 5


def build_bundle(
    log: LogReader, request: BundleRequest, *, claim: tuple[Question, Any] | None = None
) -> Bundle:
    """Return the bundle of the entries *request* names, with *claim* (a question and its answer) if given."""
    wanted = len(request.indexes) + len(request.leaf_hashes) + len(request.receipts)
    if not wanted:
        raise MalformedInput("name at least one entry: give indexes, leaf_hashes or receipts")
    if wanted > MAX_REQUESTED:
        raise MalformedInput(f"a bundle covers at most {MAX_REQUESTED} entries, not {wanted}")
    latest = log.checkpoint()
    latest_size = open_checkpoint(latest, log.verifier)[0].size
    indexes = {_check_index(log.records, i, latest_size) for i in request.indexes}
    indexes |= {_index_of_leaf(log.records, h, latest_size) for h in request.leaf_hashes}
    indexes |= {_index_of_receipt(log, r, n, latest_size) for n, r in enumerate(request.receipts)}
    needed = max([i + 1 for i in indexes] + [r.tree_size for r in request.receipts])
    note, evidence = _bundle_checkpoint(log, latest, needed)
    size = open_checkpoint(note, log.verifier)[0].size
    earlier = {r.tree_size: r.checkpoint for r in request.receipts if r.tree_size != size}
    proofs = [
        EarlierCheckpoint(checkpoint=earlier[s], consistency_proof=log.consistency_proof(s, size))
        for s in sorted(earlier)
    ]
    return _assemble(log, indexes, note, evidence, claim=claim, earlier=proofs)


def build_answer_bundle(
    log: LogReader, question: Question, answer: Any, indexes: Iterable[int] = ()
) -> Bundle | None:
    """Return the bundle from which a verifier recomputes *answer* to *question* and checks it complete, or None if it cannot hold one.

    The bundle checkpoint is the latest, at which the log proves the index
    keys the answer rests on (``ledger.verify.completeness``); the bundle
    carries those proofs and every event of every asset they list, so that
    whole chains are replayed and nothing that bears on the answer is left
    out. *indexes* are the entries the answer was computed from; one the
    index does not list means the log moved on in between (Conflict: ask
    again). A log whose checkpoint commits to no index gives the bundle of
    *indexes* and the asset's events, which a verifier reports as not
    proved complete; None when no entry bears on the answer then.
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
    size = open_checkpoint(note, log.verifier)[0].size
    evidence = log.checkpoint_evidence(size)
    if evidence is not None and evidence.size != size:
        evidence = None
    return _assemble(log, events, note, evidence, claim=(question, answer), proofs=proofs)


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
) -> tuple[str, list[BundleIndexProof], set[int]]:
    """Return the checkpoint, the proofs of every key *question*'s answer rests on, and the events of the assets they list."""
    for _ in range(_ATTEMPTS):
        answers = {k: log.index_proof(k) for k in answer_keys(question)}
        docs = {k: _document(a.value, k) for k, a in answers.items()}
        for asset in listed_assets(question, docs):
            key = f"asset:{asset}"
            if key not in answers:
                answers[key] = log.index_proof(key)
                docs[key] = _document(answers[key].value, key)
        if len({a.tree_size for a in answers.values()}) == 1:
            break
    else:
        raise Conflict("the log kept growing while its index was read; ask again")
    events = {i for k in docs if k.startswith("asset:") for i in asset_events(k, docs[k])}
    proofs = [
        BundleIndexProof(key=k, value=docs[k], proof=IndexProofJson(**proof_json(a.proof)))
        for k, a in answers.items()
    ]
    return next(iter(answers.values())).checkpoint, proofs, events


def _document(value: bytes | None, key: str) -> dict[str, Any] | None:
    if value is None:
        return None
    doc = loads(value, what=f"the index document of {key}")
    if not isinstance(doc, dict):
        raise MalformedInput(f"the index document of {key} is not a JSON object")
    return doc


def _assemble(
    log: LogReader,
    indexes: Iterable[int],
    note: str,
    evidence: CheckpointEvidence | None,
    *,
    claim: tuple[Question, Any] | None,
    earlier: Sequence[EarlierCheckpoint] = (),
    proofs: Sequence[BundleIndexProof] = (),
) -> Bundle:
    """Return the bundle of the entries at *indexes*, their chains and party entries, proved against checkpoint *note*."""
    size = open_checkpoint(note, log.verifier)[0].size
    leaves = _leaves(log.records, indexes, size)
    for index, (statement, _) in leaves.items():
        if _role(statement) is None:
            raise MalformedInput(
                f"entry {index} is a {statement.type} statement; a bundle covers evidence.*, "
                "party.*, asset.*, licence.*, objection.* and access.* entries"
            )
    leaves |= _chain_entries(log.records, leaves, size)
    leaves |= _party_entries(log.records, leaves, size)
    timed_by, found = _first_evidence(log.records, sorted(leaves), size)
    # Published after the bundle checkpoint was chosen: the same checkpoint, now with evidence.
    evidence = found.pop(size, evidence)
    timestamps, cosignatures = _attestations(evidence)
    return Bundle(
        log=BundleLog(origin=log.origin, verifier_key=log.verifier.to_string()),
        checkpoint=note,
        entries=[_entry(log, i, *leaves[i], size, timed_by.get(i)) for i in sorted(leaves)],
        earlier_checkpoints=list(earlier),
        timestamps=timestamps,
        cosignatures=cosignatures,
        timed_checkpoints=[_timed(log, found[s], size) for s in sorted(found)],
        claim=None if claim is None else _claim(leaves, *claim),
        index=list(proofs),
    )


def _claim(leaves: Leaves, question: Question, answer: Any) -> BundleClaim:
    registry = [i for i in sorted(leaves) if _role(leaves[i][0]) == "registry"]
    return BundleClaim(question=question, answer=answer, entries=registry)


def _bundle_checkpoint(
    log: LogReader, latest: str, needed: int
) -> tuple[str, CheckpointEvidence | None]:
    """Return the latest checkpoint with independent evidence if it covers *needed* entries, else *latest*."""
    evidence = log.checkpoint_evidence()
    if evidence is not None and evidence.size >= needed:
        return evidence.note, evidence
    return latest, None


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
    role = _role(statement)
    assert role is not None
    return BundleEntry(
        role=role,
        index=index,
        logged_at=logged_at,
        statement=statement.to_json(),
        inclusion_proof=log.inclusion_proof(index, size),
        timed_by=timed_by,
    )


def _role(statement: Statement) -> str | None:
    return ROLE_OF_FAMILY.get(statement.type.partition(".")[0])


def _check_index(store: ReadOnlyStore, index: int, size: int) -> int:
    if index >= size or store.entry(index) is None:
        raise NotFound(f"there is no entry {index} in the log's checkpoint of {size} entries")
    return index


def _index_of_leaf(store: ReadOnlyStore, leaf_hash: bytes, size: int) -> int:
    row = store.entry_by_leaf_hash(leaf_hash)
    if row is None or row.index >= size:
        raise NotFound(
            f"no entry in the log's checkpoint of {size} entries has leaf hash {leaf_hash.hex()}"
        )
    return row.index


def _index_of_receipt(log: LogReader, receipt: Receipt, n: int, size: int) -> int:
    """Return the index of the receipt's entry after checking the receipt names this log's entry and checkpoint."""
    what = f"receipt {n}"
    row = log.entry_by_leaf_hash(merkle.leaf_hash(receipt_leaf(receipt)))
    if row is None or row.index >= size:
        raise NotFound(f"{what}: this log holds no entry with its statement and logged_at")
    if row.index != receipt.index:
        raise Conflict(
            f"{what}: its statement is entry {row.index} of this log, not {receipt.index}"
        )
    theirs, _ = open_checkpoint(receipt.checkpoint, log.verifier, origin=log.origin)
    if theirs.size != receipt.tree_size:
        raise Conflict(
            f"{what}: its checkpoint is of {theirs.size} entries, not tree_size {receipt.tree_size}"
        )
    if theirs.size > size:
        raise Conflict(
            f"{what}: its checkpoint of {theirs.size} entries is beyond the log's {size}"
        )
    _same_tree(log, theirs, what)
    return row.index


def _same_tree(log: LogReader, theirs: Checkpoint, what: str) -> None:
    if not compare_digest(log.root(theirs.size), theirs.root):
        raise Conflict(
            f"{what}: its checkpoint of {theirs.size} entries has root {theirs.root.hex()}, but this "
            "log's tree of that size has another: the checkpoint is forged or the log has forked"
        )


def _leaves(store: ReadOnlyStore, indexes: Iterable[int], size: int) -> Leaves:
    wanted = sorted(i for i in set(indexes) if i < size)
    found = store.leaves_at(wanted) if wanted else {}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"there is no entry {missing[0]} in the log")
    return {i: _parse(found[i]) for i in wanted}


def _parse(leaf: bytes) -> tuple[Statement, str]:
    statement, logged_at = parse_leaf(leaf)
    return statement, format_time(logged_at)


def _chain_entries(store: ReadOnlyStore, leaves: Leaves, size: int) -> Leaves:
    """Return the events of each registry entry's asset before it, back to the application."""
    last: dict[bytes, int] = {}
    for index, (statement, _) in leaves.items():
        if _role(statement) == "registry":
            asset = _asset_of(store, statement)
            if asset is not None:
                last[asset] = max(last.get(asset, index), index)
    needed: set[int] = set()
    for asset, upto in last.items():
        needed |= {i for i in store.events_of_asset(asset) if i <= upto}
    return _leaves(store, needed - leaves.keys(), size)


def _asset_of(store: ReadOnlyStore, statement: Statement) -> bytes | None:
    """Return the id of the asset a registry event belongs to."""
    content = statement.content
    if statement.type == "asset.apply":
        return statement.hash
    if isinstance(content, OnAsset):
        return content.asset
    grant = store.find_statements([body_as(content, OnLicence).licence])
    for row in grant.values():
        granted, _ = parse_leaf(row.leaf)
        return body_as(granted.content, OnAsset).asset
    return None


def _party_entries(store: ReadOnlyStore, leaves: Leaves, size: int) -> Leaves:
    """Return the party entries that establish the keys of *leaves*' signers and named parties, transitively."""
    found: Leaves = {}
    seen: set[bytes] = set()
    todo: list[Statement] = [s for s, _ in leaves.values()]
    while todo:
        parties = {p for s in todo for p in _parties_of(store, s)} - seen
        seen |= parties
        needed: set[int] = set()
        for party_id in parties:
            needed |= _history(store, party_id)
        new = _leaves(store, needed - leaves.keys() - found.keys(), size)
        found |= new
        todo = [s for s, _ in new.values()]
    return found


def _parties_of(store: ReadOnlyStore, statement: Statement) -> set[bytes]:
    """Return the parties *statement* relies on: its signers', the one it changes and those it names."""
    out = set()
    for key in statement.signers:
        record = store.key_record(key)
        if record is not None:
            out.add(record.party)
    # The party whose keys change, and those a registry event names (registrar, new holder,
    # licensee, pledgee).
    out.update(statement.content.named_parties)
    return out


def _history(store: ReadOnlyStore, party_id: bytes) -> set[int]:
    """Return the entries that registered *party_id*, introduced each of its keys and revoked them."""
    party = store.party(party_id)
    out = set() if party is None else {party.index}
    for record in store.party_keys(party_id):
        out.add(record.index)
        if record.revoked_index is not None:
            out.add(record.revoked_index)
    return out


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
