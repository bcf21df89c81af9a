"""Completeness: that a bundle's entries are all the entries that bear on its claimed answer.

A bundle proves what it holds; a court also needs to know that nothing was
left out. The log keeps a verifiable index of registry state
(``ledger.index``) and commits its root in every checkpoint as the line
``cunzheng-index sha256:<root>``. A bundle that answers a question carries,
for every index key the answer rests on, the key's document and its proof
of presence (or of absence) at the bundle checkpoint (``Bundle.index``):

- ``history``, ``holder``, ``licensed``: ``asset:<id>``, every event of the asset;
- ``portfolio``: ``holder:``, ``licensee:`` and ``pledgee:`` of the party,
  every asset it ever held, was licensed or had pledged to it;
- ``fingerprint``: ``fingerprint:<hex>``, every asset that bore it;
- ``certificate``: ``certificate:<number>``, the asset registered under it;

and, for every asset those documents list, ``asset:<id>`` (and ``settings:log``,
checked by ``ledger.verify.settings``). ``check_completeness``
checks each proof against the signed root, then requires the claim's
entries, and the bundle's registry entries, to be exactly the events those
asset documents list, each in the bundle and proved, in log order. The
answer is then recomputed from a set of entries known to be whole
(``ledger.verify.claims``).

Reason codes: ``completeness.proved``; ``completeness.no_index`` (the
bundle checkpoint commits to no index, so completeness cannot be proved:
not checked, and the bundle does not pass); ``completeness.index_proof``
(a proof or document that does not verify against the root);
``completeness.key_missing`` (no proof for a key the answer rests on);
``completeness.missing_event``; ``completeness.extra_event``;
``completeness.order``. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cunzheng.ledger.canonical import canonical_json
from cunzheng.ledger.errors import InvalidProof, MalformedInput
from cunzheng.ledger.index import (
    checkpoint_index_root,
    parse_proof,
    verify_absence,
    verify_presence,
)
from cunzheng.ledger.note import Checkpoint
from cunzheng.ledger.verify.checkpoints import unusable
from cunzheng.ledger.verify.report import Check, Fact, Outcome
from cunzheng.schemas.bundles import BundleClaim, BundleIndexProof
from cunzheng.schemas.questions import Question

__all__ = [
    "answer_keys",
    "asset_events",
    "check_completeness",
    "listed_assets",
    "proved_documents",
]

Documents = Mapping[str, dict[str, Any] | None]
_ASSET_KINDS = frozenset({"history", "holder", "licensed"})
_ROLES = ("holder", "licensee", "pledgee")


def answer_keys(question: Question) -> tuple[str, ...]:
    """Return the index keys *question*'s answer rests on first, before the assets they list."""
    if question.kind in _ASSET_KINDS:
        return (f"asset:{question.asset}",)
    if question.kind == "portfolio":
        return tuple(f"{role}:{question.party}" for role in _ROLES)
    if question.kind == "fingerprint":
        return (f"fingerprint:{question.fingerprint}",)
    return (f"certificate:{question.certificate}",)


def listed_assets(question: Question, documents: Documents) -> list[str]:
    """Return the ids of the assets whose whole history the answer rests on, from the documents of ``answer_keys``."""
    if question.kind in _ASSET_KINDS:
        assert question.asset is not None
        return [question.asset]
    ids: list[str] = []
    for key in answer_keys(question):
        doc = documents.get(key)
        if doc is None:
            continue
        listed = doc.get("asset") if question.kind == "certificate" else doc.get("assets")
        listed = [listed] if question.kind == "certificate" else listed
        if not isinstance(listed, list) or not all(_is_id(a) for a in listed):
            raise MalformedInput(f"the index document of {key} does not list asset ids")
        ids += listed
    return list(dict.fromkeys(ids))


def asset_events(key: str, doc: dict[str, Any] | None) -> list[int]:
    """Return the entry indexes the document of ``asset:<id>`` lists (none when absent), checked increasing."""
    if doc is None:
        return []
    events = doc.get("events")
    if (
        not isinstance(events, list)
        or not all(type(i) is int and i >= 0 for i in events)
        or events != sorted(set(events))
    ):
        raise MalformedInput(f"the index document of {key} does not list events in log order")
    return events


def check_completeness(
    claim: BundleClaim,
    index: Sequence[BundleIndexProof],
    cp: Checkpoint | None,
    registry: Mapping[int, bool],
) -> Check:
    """Return the check that the bundle's entries are all those bearing on *claim*, by the index proofs at *cp*.

    *registry* maps the index of each registry entry in the bundle to whether
    its signature and inclusion proof held.
    """
    facts: dict[str, Fact] = {"kind": claim.question.kind}
    claimed = list(claim.entries)
    if claimed != sorted(set(claimed)):
        facts["entries"] = ", ".join(map(str, claimed))
        return _check(Outcome.FAILED, "completeness.order", facts, "claim.entries out of order")
    if cp is None:
        return unusable("completeness", "claim", facts)
    facts["size"] = cp.size
    try:
        root = checkpoint_index_root(cp)
    except MalformedInput as e:
        return _check(Outcome.FAILED, "completeness.index_proof", facts, e.message)
    if root is None:
        return _check(Outcome.NOT_CHECKED, "completeness.no_index", facts)
    try:
        docs = proved_documents(root, index)
        keys = list(answer_keys(claim.question))
        _require(keys, docs)
        assets = [f"asset:{a}" for a in listed_assets(claim.question, docs)]
        _require(assets, docs)
        expected = sorted({i for key in assets for i in asset_events(key, docs[key])})
    except _KeyMissing as e:
        facts["key"] = e.key
        return _check(Outcome.FAILED, "completeness.key_missing", facts, f"no proof of {e.key}")
    except (InvalidProof, MalformedInput) as e:
        return _check(Outcome.FAILED, "completeness.index_proof", facts, e.message)
    facts |= {"keys": len(set(keys) | set(assets)), "events": len(expected)}
    held = {i for i, proved in registry.items() if proved}
    missing = [i for i in expected if i not in held or i not in claimed]
    if missing:
        facts["missing"] = ", ".join(map(str, missing))
        detail = f"the index lists entries {missing}; the bundle or its claim lacks them"
        return _check(Outcome.FAILED, "completeness.missing_event", facts, detail)
    extra = sorted((set(claimed) | set(registry)) - set(expected))
    if extra:
        facts["extra"] = ", ".join(map(str, extra))
        detail = f"entries {extra} are not among those the index lists for the answer"
        return _check(Outcome.FAILED, "completeness.extra_event", facts, detail)
    return _check(Outcome.PASSED, "completeness.proved", facts)


class _KeyMissing(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _require(keys: Sequence[str], docs: Documents) -> None:
    for key in keys:
        if key not in docs:
            raise _KeyMissing(key)


def proved_documents(
    root: bytes, index: Sequence[BundleIndexProof]
) -> dict[str, dict[str, Any] | None]:
    """Return each key's document (None: proved absent), every proof checked against *root*; raise InvalidProof or MalformedInput if one fails."""
    docs: dict[str, dict[str, Any] | None] = {}
    for n, item in enumerate(index):
        where = f"index.{n}"
        if item.key in docs:
            raise MalformedInput(f"{where}: a second proof of {item.key}")
        proof = parse_proof(item.proof.model_dump())
        if proof.key != item.key:
            raise MalformedInput(f"{where}: the proof is of another key, {proof.key}")
        if item.value is None:
            verify_absence(root, item.key, proof)
        else:
            verify_presence(root, item.key, canonical_json(item.value), proof)
        docs[item.key] = item.value
    return docs


def _is_id(value: object) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def _check(outcome: Outcome, reason: str, facts: dict[str, Fact], detail: str = "") -> Check:
    return Check("completeness", "claim", outcome, reason, True, facts, detail)
