"""The parties of the narrative: each by registered name, registry id, who vouched for it and its roles.

A party is known by the ``party.register`` entry whose hash is its id. Its
identity counts as verified, as the registry's rules have it, when the
operator or an exchange registered it, when it is the operator that
registered itself first, or when a ``party.attest`` vouched for it; only
entries whose every required check passed count. A party an event names
without its registration in the bundle is listed as not in the bundle, by
id alone. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cunzheng.ledger.bodies import PartyAttest, PartyRegister, PartyRevokeKey, PartyRotateKey
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.encoding import encode_base64
from cunzheng.ledger.verify.narrative_events import JSON, NarrativeEntry
from cunzheng.ledger.verify.narrative_time import time_json

# A party's identity: vouched for, declared by itself only, resting on an entry that failed a
# check, or named without its registration in the bundle.
STATUSES = ("verified", "self_declared", "unproved", "not_in_bundle")


def parties_json(
    entries: Sequence[NarrativeEntry], owners: dict[str, str], events: Sequence[JSON]
) -> list[JSON]:
    """Return every party the bundle registers or an event names, with its keys and roles, in order of appearance."""
    parties: dict[str, JSON] = {}
    for entry in entries:
        content = entry.statement.content
        if isinstance(content, PartyRegister):
            parties[entry.statement.hash.hex()] = _registered(entry, content, owners)
        elif isinstance(content, PartyAttest | PartyRotateKey | PartyRevokeKey):
            _change(parties, entry, owners)
    for event in events:
        for taking_part in (*event["signers"], *event["parties"]):
            party = taking_part["party"]
            if party is None:
                continue
            held = parties.setdefault(party, _unregistered(party))
            role = {"event": event["index"], "role": taking_part["role"]}
            if role not in held["roles"]:
                held["roles"].append(role)
    for party in parties.values():
        party["status"] = _status(party, proved=party.pop("proved"))
    return list(parties.values())


def _registered(entry: NarrativeEntry, body: PartyRegister, owners: dict[str, str]) -> JSON:
    statement = entry.statement
    self_signed = statement.signer == body.key
    if self_signed and body.kind == "operator":
        vouched: str | None = statement.hash.hex()
    else:
        vouched = None if self_signed else owners.get(encode_base64(statement.signer))
    return {
        "id": statement.hash.hex(),
        "name": body.name,
        "kind": body.kind,
        "registry_id": body.registry_id,
        "registry_id_type": body.registry_id_type,
        "registered_at": entry.index,
        "registered_by": owners.get(encode_base64(statement.signer)),
        "verified_by": vouched if entry.proved else None,
        "verified_at": entry.index if entry.proved and vouched else None,
        "proved": entry.proved,
        "keys": [{"key": encode_base64(body.key), "added_at": entry.index, "revoked": None}],
        "roles": [],
    }


def _change(parties: dict[str, JSON], entry: NarrativeEntry, owners: dict[str, str]) -> None:
    """Apply an attestation, a rotation or a revocation to the party it names, if proved."""
    content = entry.statement.content
    assert isinstance(content, PartyAttest | PartyRotateKey | PartyRevokeKey)
    party = parties.get(content.party.hex())
    if party is None or not entry.proved:
        return
    if isinstance(content, PartyAttest):
        if party["verified_by"] is None:
            party["verified_by"] = owners.get(encode_base64(entry.statement.signer))
            party["verified_at"] = entry.index
            party["registry_id_type"] = content.registry_id_type
    elif isinstance(content, PartyRotateKey):
        added = {"key": encode_base64(content.new_key), "added_at": entry.index, "revoked": None}
        party["keys"].append(added)
    else:
        revoked = encode_base64(content.key)
        for key in party["keys"]:
            if key["key"] == revoked:
                key["revoked"] = {"from": _time(content.revoked_from), "at": entry.index}


def _unregistered(party: str) -> JSON:
    return {
        "id": party,
        "name": None,
        "kind": None,
        "registry_id": None,
        "registry_id_type": None,
        "registered_at": None,
        "registered_by": None,
        "verified_by": None,
        "verified_at": None,
        "proved": False,
        "keys": [],
        "roles": [],
    }


def _status(party: JSON, *, proved: bool) -> str:
    if party["registered_at"] is None:
        return "not_in_bundle"
    if not proved:
        return "unproved"
    return "verified" if party["verified_by"] is not None else "self_declared"


def _time(moment: Any) -> dict[str, str] | None:
    return time_json(format_time(moment))
