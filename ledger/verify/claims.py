"""A court's answer checked offline: the claimed answer recomputed from a bundle's proved entries.

A bundle that answers a question to the registry (``schemas.bundles.BundleClaim``)
names the registry entries the answer rests on. ``check_claim`` requires
each of them in the bundle and proved, replays the proved entries in log
order through ``ledger.registry.memory.MemoryRegistry`` (the registry's own
rules, nothing restated here) up to the time asked about, and computes the
answer from the resulting state:

- ``history``: the asset as it stands;
- ``holder``: the holder at the time, from its application and transfers;
- ``licensed``: the licences of the party in force at the time for the purpose;
- ``portfolio``: the assets the party holds, its licences, the assets pledged to it
  (with ``at``: the ids of the assets it held then, of its licences then in force
  and of the assets then pledged to it);
- ``fingerprint``: the ids of the assets whose application or a new version bore it;
- ``certificate``: the asset first registered under the number, as it stands.

That the entries are all those that bear on the answer is checked apart
(``ledger.verify.completeness``), from the index proofs the bundle carries.

The outcome is one check: ``claim.confirmed``, ``claim.contradicted``, or a
reason it cannot be recomputed: ``claim.omitted`` (an entry the claim names
is missing), ``claim.chain_broken`` (the replay refuses an event because one
it depends on is missing: each asset event names its predecessor) or
``claim.unprovable``. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cunzheng.ledger.answers import answer_json
from cunzheng.ledger.canonical import canonical_json
from cunzheng.ledger.clock import parse_time
from cunzheng.ledger.errors import MalformedInput, RuleViolation
from cunzheng.ledger.registry.memory import MemoryRegistry
from cunzheng.ledger.registry.state import Asset, Licence
from cunzheng.ledger.verify.replay import REPLAY_POLICY, ReplayEntry
from cunzheng.ledger.verify.report import Check, Fact, Outcome
from cunzheng.schemas.bundles import BundleClaim
from cunzheng.schemas.questions import Question

# Refusals that mean an entry the refused one depends on is not in the bundle.
OMISSION_RULES = frozenset(
    {"asset.stale_prev", "asset.unknown", "licence.unknown", "objection.unknown", "key.unknown"}
)


def check_claim(
    claim: BundleClaim, entries: Sequence[ReplayEntry], registry: Sequence[int]
) -> Check:
    """Return the check of *claim* against the bundle's *entries*, whose registry entries are *registry*."""
    question = claim.question
    facts = question_facts(question)
    present = set(registry)
    missing = [i for i in claim.entries if i not in present]
    if missing:
        facts["missing"] = ", ".join(map(str, missing))
        return _failed(
            "claim.omitted", facts, f"the claim names entries {missing}, not in the bundle"
        )
    unlisted = sorted(present - set(claim.entries))
    unproved = [e.index for e in entries if not e.proved]
    if unlisted or unproved:
        detail = (
            f"registry entries {unlisted} are not named by the claim"
            if unlisted
            else f"entries {unproved} did not verify"
        )
        return _failed("claim.unprovable", facts, detail)
    moment = None if question.at is None else parse_time(question.at, what="question.at")
    view = MemoryRegistry(settings=REPLAY_POLICY)
    seen = Seen()
    for entry in sorted(entries, key=lambda e: e.index):
        if moment is not None and entry.logged_at > moment:
            continue
        try:
            effects = view.add(entry.statement, index=entry.index, logged_at=entry.logged_at)
        except RuleViolation as e:
            facts |= {"index": entry.index, "type": entry.statement.type, "rule": e.reason_code}
            reason = "claim.chain_broken" if e.reason_code in OMISSION_RULES else "claim.unprovable"
            return _failed(reason, facts, f"entry {entry.index}: {e.message}")
        seen.take(effects.objects)
    answer = recompute(question, view, moment, seen)
    facts |= answer_facts(question, answer, view)
    if _canonical(answer) != _canonical(claim.answer):
        detail = (
            f"claimed {_canonical(claim.answer).decode()}; the entries give "
            f"{_canonical(answer).decode()}"
        )
        return _failed("claim.contradicted", facts, detail)
    return Check("claim", "claim", Outcome.PASSED, "claim.confirmed", True, facts)


@dataclass
class Seen:
    """What the replay saw on the way, beyond the state at its end: fingerprints and certificates borne."""

    fingerprints: dict[bytes, list[bytes]] = field(default_factory=dict)
    certificates: dict[str, bytes] = field(default_factory=dict)

    def take(self, objects: Iterable[object]) -> None:
        """Note the fingerprint and certificate of each asset among an entry's effects."""
        for obj in objects:
            if isinstance(obj, Asset):
                ids = self.fingerprints.setdefault(obj.fingerprint, [])
                if obj.id not in ids:
                    ids.append(obj.id)
                if obj.certificate is not None:
                    self.certificates.setdefault(obj.certificate, obj.id)


def recompute(
    question: Question, view: MemoryRegistry, moment: datetime | None, seen: Seen | None = None
) -> Any:
    """Return the answer to *question* that the registry state *view* gives, as the API writes it."""
    seen = seen or Seen()
    if question.kind == "fingerprint":
        assert question.fingerprint is not None
        return answer_json(seen.fingerprints.get(bytes.fromhex(question.fingerprint), []))
    if question.kind == "certificate":
        assert question.certificate is not None
        found = seen.certificates.get(question.certificate)
        return None if found is None else answer_json(view.asset(found))
    if question.kind == "portfolio":
        assert question.party is not None
        party = bytes.fromhex(question.party)
        objects = list(view.objects.values())
        assets = [o for o in objects if isinstance(o, Asset)]
        licences = [o for o in objects if isinstance(o, Licence)]
        if moment is not None:
            return answer_json(
                {
                    "holds": [a.id for a in assets if a.holder == party],
                    "licensed": [
                        lic.id
                        for lic in licences
                        if lic.licensee == party and lic.active_at(moment)
                    ],
                    "pledged": [a.id for a in assets if a.pledgee == party],
                }
            )
        return answer_json(
            {
                "holds": [a for a in assets if a.holder == party],
                "licensed": [lic for lic in licences if lic.licensee == party],
                "pledged": [a for a in assets if a.pledgee == party],
            }
        )
    assert question.asset is not None
    asset = view.asset(bytes.fromhex(question.asset))
    if question.kind == "history":
        return answer_json(asset)
    if question.kind == "holder":
        return None if asset is None else answer_json(asset.holder)
    assert question.party is not None and question.purpose is not None and moment is not None
    party, purpose = bytes.fromhex(question.party), question.purpose
    if asset is None:
        return []
    return answer_json(
        [
            lic.id
            for lic in view.licences_of(asset.id)
            if lic.licensee == party
            and (purpose in lic.scope or "*" in lic.scope)
            and lic.active_at(moment)
        ]
    )


def question_facts(question: Question) -> dict[str, Fact]:
    """Return the question's kind and parameters as report facts."""
    given = question.model_dump(exclude_none=True)
    return {k: str(v) for k, v in given.items()}


def answer_facts(question: Question, answer: Any, view: MemoryRegistry) -> dict[str, Fact]:
    """Return the recomputed answer as report facts, parties named as they registered."""
    if question.kind == "fingerprint":
        return {"assets": ", ".join(answer) or "—", "found": len(answer)}
    if question.kind == "portfolio":
        out: dict[str, Fact] = {}
        for part in ("holds", "licensed", "pledged"):
            ids = [str(doc["id"]) if isinstance(doc, dict) else str(doc) for doc in answer[part]]
            out |= {part: ", ".join(ids) or "—", f"{part}_count": len(ids)}
        return out
    if question.kind == "licensed":
        return {"licences": ", ".join(answer) or "—", "found": len(answer)}
    if answer is None:
        return {"found": 0}
    if question.kind == "holder":
        return {"found": 1, "holder": answer, "holder_name": _name(view, answer)}
    # history and certificate: the asset as it stands.
    return {
        "found": 1,
        "status": answer["status"],
        "holder": answer["holder"],
        "holder_name": _name(view, answer["holder"]),
        "registrar": answer["registrar"],
        "registrar_name": _name(view, answer["registrar"]),
        "version": answer["version"],
        "certificate": answer["certificate"] or "—",
        "expires": answer["expires"] or "—",
        "last_event": answer["last_event"],
    }


def _name(view: MemoryRegistry, party_hex: str) -> str:
    party = view.party(bytes.fromhex(party_hex))
    return party.name if party is not None else "?"


def _canonical(value: Any) -> bytes:
    """Return *value* in canonical JSON, with the portfolio's and licences' lists in id order."""
    if isinstance(value, dict) and set(value) == {"holds", "licensed", "pledged"}:
        value = {
            k: sorted(v, key=lambda d: str(d.get("id")) if isinstance(d, dict) else str(d))
            if isinstance(v, list)
            else v
            for k, v in value.items()
        }
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = sorted(value)
    try:
        return canonical_json(value)
    except MalformedInput:
        return repr(value).encode()


def _failed(reason: str, facts: dict[str, Fact], detail: str) -> Check:
    return Check("claim", "claim", Outcome.FAILED, reason, True, facts, detail)
