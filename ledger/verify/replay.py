"""Who held which key when: a bundle's entries replayed through the log's own rules.

The verifier does not restate the rules; it replays the proved entries of a
bundle, in log order, through ``ledger.registry`` against an in-memory
``MemoryRegistry`` that starts empty, exactly as the sequencer checked them
against the log. A key is then valid for an evidence entry if a party entry
logged before it registered the key, and the key's record after the whole
replay (``KeyRecord.valid_at``) was not revoked at the entry's
``logged_at``: a revocation may name a time in the past, so one logged after
the evidence can still take it back. A party or registry entry passes if the
rules allow it given the entries before it.

The registry settings (publicity, longest term, registration systems and
their number formats) are the log's own, fixed by its ``log.settings``
entries. When the bundle proves that it carries every one of them
(``ledger.verify.settings``), the replay starts from the log format's
``DEFAULT_POLICY`` and applies each from its index on, as the log did, so an
event that broke the log's own settings is refused with the rule's reason
code. Otherwise it replays under ``REPLAY_POLICY`` throughout, which checks
none of them (a settings entry still has to be the operator's, but changes
nothing): a list of settings that may be incomplete could make the replay
stricter or looser than the log, and the report says the settings were not
proved.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cunzheng.ledger.clock import format_time
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.registry import KeyRecord, Party, Policy
from cunzheng.ledger.registry.memory import MemoryRegistry
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.verify.report import Check, Fact, Outcome

# No publicity period, a term no registration reaches and any registration system with
# unchecked numbers: until a log.settings entry in the bundle says otherwise.
REPLAY_POLICY = Policy(publicity=timedelta(0), term=timedelta(days=1000 * 365), systems=())


@dataclass(frozen=True)
class ReplayEntry:
    """A bundle entry as the replay sees it; ``proved`` if its signature and inclusion hold."""

    index: int
    statement: Statement
    logged_at: datetime
    proved: bool


def replay(entries: Sequence[ReplayEntry], *, policy: Policy | None = None) -> dict[int, Check]:
    """Return the key check of each evidence entry and the rules check of each other entry, by index.

    *policy* is the log's settings before its first entry when the bundle
    proves its settings entries complete (``DEFAULT_POLICY``); the settings
    entries then apply from their index on. None replays under
    ``REPLAY_POLICY`` throughout.
    """
    view = MemoryRegistry(settings=policy or REPLAY_POLICY)
    checks: dict[int, Check] = {}
    allowed: list[ReplayEntry] = []
    for entry in sorted(entries, key=lambda e: e.index):
        kind = "key" if entry.statement.type.startswith("evidence.") else "rules"
        facts: dict[str, Fact] = {"index": entry.index, "type": entry.statement.type}
        if not entry.proved:
            checks[entry.index] = _check(kind, entry, Outcome.NOT_CHECKED, "replay.skipped", facts)
            continue
        try:
            view.add(entry.statement, index=entry.index, logged_at=entry.logged_at)
        except RuleViolation as e:
            checks[entry.index] = _refused(kind, entry, e, view)
            continue
        if policy is None:
            view.settings = REPLAY_POLICY
        if kind == "key":
            allowed.append(entry)
        else:
            checks[entry.index] = _check(kind, entry, Outcome.PASSED, "rules.allowed", facts)
    for entry in allowed:
        checks[entry.index] = _key_check(entry, view)
    return checks


def _key_check(entry: ReplayEntry, view: MemoryRegistry) -> Check:
    """Return the key check of an evidence entry the rules allowed, counting later revocations."""
    revoked = _first_invalid(entry, view)
    if revoked is not None:
        facts = _key_facts(entry, revoked, view.key(revoked))
        return _check("key", entry, Outcome.FAILED, "key.revoked", facts, _revoked_detail(facts))
    record = view.key(entry.statement.signer)
    assert record is not None, "an allowed evidence statement has a registered signer"
    party = view.party(record.party)
    facts = _key_facts(entry, record.key, record) | {
        "party": record.party.hex(),
        "name": party.name if party else "?",
        "kind": party.kind if party else "?",
        "registry_id": (party.registry_id if party else None) or "—",
        "registered_at": record.index,
        **_identity_facts(party, view),
    }
    return _check("key", entry, Outcome.PASSED, "key.valid", facts)


def _identity_facts(party: Party | None, view: MemoryRegistry) -> dict[str, Fact]:
    """Return whether an exchange or the operator vouched for *party*'s name and registry id, and who."""
    if party is None or party.verified_by is None:
        return {"verified": False}
    attester = view.party(party.verified_by)
    return {
        "verified": True,
        "verified_by": attester.name if attester else party.verified_by.hex(),
        "verified_at": party.verified_index if party.verified_index is not None else "—",
    }


def _first_invalid(entry: ReplayEntry, view: MemoryRegistry) -> bytes | None:
    """Return the first of the entry's signing keys (submitter, then cosigners) not valid when it was logged."""
    for key in entry.statement.signers:
        record = view.key(key)
        if record is None or not record.valid_at(entry.logged_at):
            return key
    return None


def _refused(kind: str, entry: ReplayEntry, error: RuleViolation, view: MemoryRegistry) -> Check:
    facts: dict[str, Fact] = {"index": entry.index, "type": entry.statement.type}
    if kind == "rules":
        facts["rule"] = error.reason_code
        return _check(kind, entry, Outcome.FAILED, "rules.refused", facts, error.message)
    key = _first_invalid(entry, view) or entry.statement.signer
    facts = _key_facts(entry, key, view.key(key))
    reason = "key.revoked" if error.reason_code == "key.revoked" else "key.unknown"
    return _check(kind, entry, Outcome.FAILED, reason, facts, error.message)


def _key_facts(entry: ReplayEntry, key: bytes, record: KeyRecord | None) -> dict[str, Fact]:
    facts: dict[str, Fact] = {
        "index": entry.index,
        "type": entry.statement.type,
        "key": _b64(key),
        "logged_at": format_time(entry.logged_at),
    }
    if record is not None and record.revoked_from is not None:
        facts["revoked_from"] = format_time(record.revoked_from)
        facts["revoked_at"] = record.revoked_index if record.revoked_index is not None else "?"
    return facts


def _revoked_detail(facts: dict[str, Fact]) -> str:
    return (
        f"key {facts['key']} is revoked from {facts['revoked_from']} by entry {facts['revoked_at']}; "
        f"entry {facts['index']} was logged at {facts['logged_at']}"
    )


def _check(
    kind: str,
    entry: ReplayEntry,
    outcome: Outcome,
    reason: str,
    facts: dict[str, Fact],
    detail: str = "",
) -> Check:
    if "key" not in facts:
        facts = {**facts, "key": _b64(entry.statement.signer)}
    return Check(kind, f"entry:{entry.index}", outcome, reason, True, facts, detail)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
