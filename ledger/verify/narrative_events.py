"""The bundle's entries as events of the narrative: who signed each, in what role, and its particulars.

Each entry becomes one event (``narrative.py`` documents the shape): its
type, logged time, the asset and licence it concerns, every key that signed
it (the submitter, then each cosigner) with the party that key belongs to,
the parties the event names with their role in it, and the particulars its
body states (licence terms, the new holder, the pledgee, the certificate...).
Roles follow the asset's chain in log order: the applicant is the holder
until a transfer names a new one; the registrar is the one the application
names; a release is the current pledgee's; a licence's licensor is the
holder when it was granted. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cunzheng.ledger.bodies import (
    PARTICULARS,
    AccessRead,
    AssetApply,
    AssetChange,
    AssetEvent,
    AssetPledge,
    AssetPublicize,
    AssetRegister,
    AssetRenew,
    AssetRevoke,
    AssetTransfer,
    AssetVersion,
    EvidenceDataset,
    EvidenceTimestamp,
    LicenceGrant,
    LogSettings,
    ObjectionDecide,
    ObjectionFile,
    OnAsset,
    OnLicence,
    PartyAttest,
    PartyRegister,
    PartyRevokeKey,
    PartyRotateKey,
    StatementBody,
)
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.encoding import encode_base64
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.verify.narrative_time import time_json

JSON = dict[str, Any]
# The particulars a change may restate publicly.
_STATED = (*PARTICULARS, "sample_sha256")


@dataclass(frozen=True)
class NarrativeEntry:
    """A bundle entry as the narrative reads it; ``proved`` if every required check on it passed."""

    index: int
    role: str
    logged_at: str
    statement: Statement
    proved: bool


@dataclass
class _Chains:
    """Who holds, registers and has a pledge on each asset, and each licence's parties, so far in log order."""

    holder: dict[str, str] = field(default_factory=dict)
    registrar: dict[str, str] = field(default_factory=dict)
    pledgee: dict[str, str] = field(default_factory=dict)
    licences: dict[str, JSON] = field(default_factory=dict)


def key_owners(entries: Sequence[NarrativeEntry]) -> dict[str, str]:
    """Return the party (hex id) each key (base64) was registered or rotated to by the bundle's entries."""
    owners: dict[str, str] = {}
    for entry in entries:
        content = entry.statement.content
        if isinstance(content, PartyRegister):
            owners[encode_base64(content.key)] = entry.statement.hash.hex()
        elif isinstance(content, PartyRotateKey):
            owners[encode_base64(content.new_key)] = content.party.hex()
    return owners


def events_json(entries: Sequence[NarrativeEntry], owners: Mapping[str, str]) -> list[JSON]:
    """Return every entry as an event: its signers, the parties it names in their roles, its particulars."""
    chains = _Chains()
    return [_event(entry, owners, chains) for entry in entries]


def _event(entry: NarrativeEntry, owners: Mapping[str, str], chains: _Chains) -> JSON:
    statement = entry.statement
    content = statement.content
    signer = owners.get(encode_base64(statement.signer))
    asset, licence = _concerns(statement, chains)
    named = _named(content, statement, signer, asset, licence, chains)
    _advance(content, statement, signer, asset, chains)
    signers = [
        _signer(key, owners, named, "signer" if n == 0 else "cosigner")
        for n, key in enumerate(statement.signers)
    ]
    return {
        "index": entry.index,
        "type": statement.type,
        "role": entry.role,
        "logged_at": time_json(entry.logged_at),
        "proved": entry.proved,
        "id": statement.hash.hex(),
        "asset": asset,
        "licence": licence,
        "signers": signers,
        "parties": [{"party": party, "role": role} for role, party in named],
        "particulars": particulars(content, statement),
    }


def _signer(key: bytes, owners: Mapping[str, str], named: list[tuple[str, str]], how: str) -> JSON:
    written = encode_base64(key)
    party = owners.get(written)
    role = next((r for r, p in named if p == party), "signer") if party else "signer"
    return {"key": written, "party": party, "role": role, "signed": how}


def _concerns(statement: Statement, chains: _Chains) -> tuple[str | None, str | None]:
    """Return the asset and the licence (hex ids) an event concerns, where the bundle shows them."""
    content = statement.content
    if isinstance(content, AssetApply):
        return statement.hash.hex(), None
    if isinstance(content, LicenceGrant):
        return content.asset.hex(), statement.hash.hex()
    if isinstance(content, OnAsset):
        return content.asset.hex(), None
    if isinstance(content, OnLicence):
        licence = content.licence.hex()
        return chains.licences.get(licence, {}).get("asset"), licence
    return None, None


def _named(
    content: StatementBody,
    statement: Statement,
    signer: str | None,
    asset: str | None,
    licence: str | None,
    chains: _Chains,
) -> list[tuple[str, str]]:
    """Return (role, party) for each party the event concerns, in the order a reader meets them."""
    out: list[tuple[str, str | None]] = []
    if isinstance(content, AssetApply):
        out = [("holder", signer), ("registrar", content.registrar.hex())]
    elif isinstance(content, LicenceGrant):
        out = [("licensor", chains.holder.get(content.asset.hex()))]
        out += [("licensee", content.licensee.hex()), ("registrar", _registrar(asset, chains))]
    elif isinstance(content, OnLicence):
        grant = chains.licences.get(licence or "", {})
        out = [("licensor", grant.get("licensor")), ("licensee", grant.get("licensee"))]
    elif isinstance(content, ObjectionFile):
        out = [("objector", signer), *_asset_roles(asset, chains)]
    elif isinstance(content, AccessRead):
        out = [("reader", content.reader.hex()), ("operator", signer)]
    elif isinstance(content, AssetEvent):
        out = _asset_roles(asset, chains)
        if isinstance(content, AssetTransfer):
            out.append(("new_holder", content.to.hex()))
        elif isinstance(content, AssetPledge):
            out.append(("pledgee", content.pledgee.hex()))
        elif statement.type == "asset.release":
            out.append(("pledgee", chains.pledgee.get(asset or "")))
    else:
        out = _party_roles(content, statement, signer)
    return [(role, party) for role, party in out if party is not None]


def _asset_roles(asset: str | None, chains: _Chains) -> list[tuple[str, str | None]]:
    return [("holder", chains.holder.get(asset or "")), ("registrar", _registrar(asset, chains))]


def _registrar(asset: str | None, chains: _Chains) -> str | None:
    return chains.registrar.get(asset or "")


def _party_roles(
    content: StatementBody, statement: Statement, signer: str | None
) -> list[tuple[str, str | None]]:
    """Return the roles in a party, evidence or settings entry."""
    if isinstance(content, PartyRegister):
        registered = statement.hash.hex()
        # The operator or an exchange that registers another party vouches for it.
        if statement.signer == content.key:
            return [("registrant", registered)]
        return [("registrant", registered), ("registering_party", signer)]
    if isinstance(content, PartyAttest):
        return [("attested", content.party.hex()), ("attester", signer)]
    if isinstance(content, PartyRotateKey | PartyRevokeKey):
        return [("key_holder", content.party.hex())]
    if isinstance(content, EvidenceTimestamp | EvidenceDataset):
        return [("depositor", signer)]
    return [("operator", signer)]


def _advance(
    content: StatementBody,
    statement: Statement,
    signer: str | None,
    asset: str | None,
    chains: _Chains,
) -> None:
    """Move the chains past this event: a new holder, a pledge taken or released, a licence granted."""
    if asset is None:
        return
    if isinstance(content, AssetApply) and signer is not None:
        chains.holder[asset] = signer
        chains.registrar[asset] = content.registrar.hex()
    elif isinstance(content, AssetTransfer):
        chains.holder[asset] = content.to.hex()
    elif isinstance(content, AssetPledge):
        chains.pledgee[asset] = content.pledgee.hex()
    elif statement.type == "asset.release":
        chains.pledgee.pop(asset, None)
    elif isinstance(content, LicenceGrant):
        chains.licences[statement.hash.hex()] = {
            "asset": asset,
            "licensor": chains.holder.get(asset),
            "licensee": content.licensee.hex(),
        }


def particulars(content: StatementBody, statement: Statement) -> JSON:
    """Return what the event's body states, ids and digests in hex, keys in base64, times dual."""
    if isinstance(content, LicenceGrant):
        return licence_terms(content)
    if isinstance(content, AssetApply):
        shown = {"name": content.particulars.name, "system": content.system}
        return shown | {
            "fingerprint": content.fingerprint.hex(),
            "confidential": sorted(content.confidential),
        }
    if isinstance(content, AssetChange):
        stated = [k for k in _STATED if getattr(content.particulars, k) is not None]
        return {
            "name": content.particulars.name,
            "changed": sorted(stated),
            "confidential": sorted(content.confidential),
        }
    if isinstance(content, OnLicence):
        return {"licence": content.licence.hex()}
    return _simple(content)


def _simple(content: StatementBody) -> JSON:
    """Return the particulars of a body whose members are ids, digests, times or words."""
    if isinstance(content, AssetPublicize):
        return {"until": _time(content.until)}
    if isinstance(content, AssetRegister):
        return {
            "certificate": content.certificate,
            "expires": _time(content.expires),
            "registration_number": content.registration_number,
        }
    if isinstance(content, AssetVersion):
        return {"fingerprint": content.fingerprint.hex()}
    if isinstance(content, AssetRenew):
        return {"expires": _time(content.expires)}
    if isinstance(content, AssetRevoke):
        return {"objection": None if content.objection is None else content.objection.hex()}
    if isinstance(content, AssetTransfer):
        return {"to": content.to.hex()}
    if isinstance(content, AssetPledge):
        return {"pledgee": content.pledgee.hex(), "terms_sha256": content.terms_sha256.hex()}
    if isinstance(content, ObjectionFile):
        return {"grounds": content.grounds, "evidence_sha256": content.evidence_sha256.hex()}
    if isinstance(content, ObjectionDecide):
        decided = {"objection": content.objection.hex(), "outcome": content.outcome}
        return decided | {"effect": content.effect}
    if isinstance(content, AccessRead):
        return {"reader": content.reader.hex(), "fields": list(content.fields)}
    return _party_or_evidence(content)


def _party_or_evidence(content: StatementBody) -> JSON:
    if isinstance(content, PartyRegister):
        return {
            "name": content.name,
            "kind": content.kind,
            "registry_id": content.registry_id,
            "registry_id_type": content.registry_id_type,
        }
    if isinstance(content, PartyAttest):
        return {
            "party": content.party.hex(),
            "name": content.name,
            "registry_id": content.registry_id,
            "registry_id_type": content.registry_id_type,
        }
    if isinstance(content, PartyRotateKey):
        return {
            "party": content.party.hex(),
            "old_key": encode_base64(content.old_key),
            "new_key": encode_base64(content.new_key),
        }
    if isinstance(content, PartyRevokeKey):
        return {
            "party": content.party.hex(),
            "key": encode_base64(content.key),
            "from": _time(content.revoked_from),
        }
    if isinstance(content, EvidenceTimestamp):
        return {"sha256": content.sha256.hex(), "media_type": content.media_type}
    if isinstance(content, EvidenceDataset):
        shown = {"root": content.root.hex(), "scheme": content.scheme}
        return shown | {"count": content.count, "format": content.format}
    if isinstance(content, LogSettings):
        days = {"publicity_days": content.publicity_days, "term_days": content.term_days}
        return days | {"systems": [s.name for s in content.systems]}
    return {}


def licence_terms(grant: LicenceGrant) -> JSON:
    """Return a licence's terms: licensee, kind, scope, territory, term, sublicensing and the fee terms' digest."""
    return {
        "licensee": grant.licensee.hex(),
        "kind": grant.kind,
        "scope": list(grant.scope),
        "territory": list(grant.territory),
        "start": _time(grant.start),
        "end": _time(grant.end),
        "sublicensing": grant.sublicensing,
        "fee_terms_sha256": grant.fee_terms_sha256.hex(),
    }


def _time(moment: Any) -> dict[str, str] | None:
    return time_json(format_time(moment))
