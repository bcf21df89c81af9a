"""The rule for each statement type: the one place that decides what the log accepts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from cunzheng.ledger.bodies import (
    AccessRead,
    EvidenceDataset,
    EvidenceTimestamp,
    LogSettings,
    PartyAttest,
    PartyRegister,
    PartyRevokeKey,
    PartyRotateKey,
    body_as,
)
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.registry import assets, licences, objections
from cunzheng.ledger.registry.effects import Effects
from cunzheng.ledger.registry.parties import (
    KeyRecord,
    Party,
    b64,
    current_key,
    kind_of,
    require_party,
    require_unregistered,
)
from cunzheng.ledger.registry.policy import DEFAULT_POLICY, Policy
from cunzheng.ledger.registry.state import RegistryView
from cunzheng.ledger.statements import Statement

__all__ = ["DEFAULT_POLICY", "RULES", "Rule", "check"]

# Kinds of party only the operator may register (a rights holder or witness may register itself).
OPERATOR_REGISTERED = ("exchange", "court", "operator", "financial_institution")
# Kinds of party that may vouch for another's identity (实名核验).
ATTESTERS = ("exchange", "operator")


Rule = Callable[[Statement, int, datetime, RegistryView, Policy], Effects]


def check(
    statement: Statement,
    *,
    index: int,
    logged_at: datetime,
    view: RegistryView,
) -> Effects:
    """Return the effects of *statement* logged at *index*, or raise RuleViolation saying why not.

    The settings are those in force in *view* (``view.policy()``): the log's own.
    """
    # Every key that signs must be current; a registration's own key is checked by its rule.
    signers = statement.cosigners if statement.type == "party.register" else statement.signers
    for key in signers:
        current_key(view, key, logged_at)
    return RULES[statement.type](statement, index, logged_at, view, view.policy())


def _register(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    body = body_as(statement.content, PartyRegister)
    key, kind = body.key, body.kind
    require_unregistered(view, key)
    genesis = kind == "operator" and not view.has_operator()
    self_signed = statement.signer == key
    if genesis and not self_signed:
        raise RuleViolation(
            "party.genesis_not_self_signed", "the first operator must sign its own registration"
        )
    if not genesis and not (self_signed and kind not in OPERATOR_REGISTERED):
        allowed = ("operator",) if kind in OPERATOR_REGISTERED else ("operator", "exchange")
        signer_kind = (
            "" if self_signed else kind_of(view, current_key(view, statement.signer, logged_at))
        )
        if signer_kind not in allowed:
            raise RuleViolation(
                "party.registration_not_authorised",
                f"a {kind} party is registered by {' or '.join(allowed)}"
                + ("" if kind in OPERATOR_REGISTERED else ", or by itself")
                + f", not by {'itself' if self_signed else 'a ' + signer_kind + ' party'}",
            )
    # Registered by the operator or an exchange: that party vouches for the identity.
    if genesis:
        verified_by: bytes | None = statement.hash
    elif self_signed:
        verified_by = None
    else:
        verified_by = current_key(view, statement.signer, logged_at).party
    if verified_by is not None and body.registry_id is not None:
        _require_registry_id_free(view, body.registry_id)
    party = Party(
        statement.hash,
        kind,
        body.name,
        body.registry_id,
        index,
        registry_id_type=body.registry_id_type,
        verified_by=verified_by,
        verified_index=None if verified_by is None else index,
    )
    return Effects(parties=(party,), keys=(KeyRecord(key, party.id, index),))


def _require_registry_id_free(view: RegistryView, registry_id: str) -> None:
    holder = view.verified_party_with_registry_id(registry_id)
    if holder is not None:
        raise RuleViolation(
            "party.registry_id_taken",
            f"registry id {registry_id} belongs to verified party {holder.id.hex()} "
            f"({holder.name}); two verified parties cannot share one registry id",
        )


def _attest(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    signer = current_key(view, statement.signer, logged_at)
    if kind_of(view, signer) not in ATTESTERS:
        raise RuleViolation(
            "party.attest_not_authorised",
            "a party's identity is attested by an exchange or the operator",
        )
    body = body_as(statement.content, PartyAttest)
    party = require_party(view, body.party)
    if party.verified:
        raise RuleViolation(
            "party.already_verified",
            f"party {party.id.hex()} was verified at entry {party.verified_index}",
        )
    stated = (party.name, party.registry_id, party.registry_id_type or body.registry_id_type)
    if stated != (body.name, body.registry_id, body.registry_id_type):
        raise RuleViolation(
            "party.attest_mismatch",
            f"the attestation names {body.name} ({body.registry_id_type} {body.registry_id}); "
            f"the party registered as {party.name} "
            f"({party.registry_id_type or 'untyped'} {party.registry_id or 'no registry id'})",
        )
    _require_registry_id_free(view, body.registry_id)
    attested = replace(
        party,
        registry_id_type=body.registry_id_type,
        verified_by=signer.party,
        verified_index=index,
    )
    return Effects(parties=(attested,))


def _settings(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    if kind_of(view, current_key(view, statement.signer, logged_at)) != "operator":
        raise RuleViolation(
            "settings.not_operator", "the log's settings are signed by its operator"
        )
    return Effects(settings=Policy.from_body(body_as(statement.content, LogSettings)))


def _authorise_for_party(
    statement: Statement, logged_at: datetime, view: RegistryView, party: Party
) -> None:
    signer = current_key(view, statement.signer, logged_at)
    if signer.party != party.id and kind_of(view, signer) != "operator":
        raise RuleViolation(
            "party.not_authorised",
            f"only a current key of party {party.id.hex()} or the operator may change its keys",
        )


def _key_of(view: RegistryView, party: Party, key: bytes) -> KeyRecord:
    record = view.key(key)
    if record is None or record.party != party.id:
        raise RuleViolation(
            "key.not_of_party", f"key {b64(key)} does not belong to party {party.id.hex()}"
        )
    return record


def _rotate(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    body = body_as(statement.content, PartyRotateKey)
    party = require_party(view, body.party)
    _authorise_for_party(statement, logged_at, view, party)
    old = _key_of(view, party, body.old_key)
    if not old.valid_at(logged_at):
        raise RuleViolation(
            "key.revoked", f"key {b64(old.key)} is already revoked; nothing to rotate"
        )
    new_key = body.new_key
    require_unregistered(view, new_key)
    return Effects(keys=(old.revoked(logged_at, index), KeyRecord(new_key, party.id, index)))


def _revoke(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    body = body_as(statement.content, PartyRevokeKey)
    party = require_party(view, body.party)
    _authorise_for_party(statement, logged_at, view, party)
    record = _key_of(view, party, body.key)
    return Effects(keys=(record.revoked(body.revoked_from, index),))


def _timestamp(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    return Effects(digests=(body_as(statement.content, EvidenceTimestamp).sha256,))


def _dataset(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    return Effects(digests=(body_as(statement.content, EvidenceDataset).root,))


def _access(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    # A read of confidential particulars is logged by the operator that served it.
    if kind_of(view, current_key(view, statement.signer, logged_at)) != "operator":
        raise RuleViolation(
            "access.not_operator", "reads of confidential particulars are logged by the operator"
        )
    asset = body_as(statement.content, AccessRead).asset
    if view.asset(asset) is None:
        raise RuleViolation("asset.unknown", f"no asset has id {asset.hex()}")
    return Effects(assets=(asset,))


RULES: dict[str, Rule] = {
    "evidence.timestamp": _timestamp,
    "evidence.dataset": _dataset,
    "party.register": _register,
    "party.rotate_key": _rotate,
    "party.revoke_key": _revoke,
    "party.attest": _attest,
    "log.settings": _settings,
    "asset.apply": assets.apply,
    "asset.publicize": assets.publicize,
    "asset.register": assets.register,
    "asset.version": assets.version,
    "asset.change": assets.change,
    "asset.renew": assets.renew,
    "asset.cancel": assets.cancel,
    "asset.revoke": assets.revoke,
    "asset.transfer": assets.transfer,
    "asset.pledge": assets.pledge,
    "asset.release": assets.release,
    "licence.grant": licences.grant,
    "licence.accept": licences.accept,
    "licence.terminate": licences.terminate,
    "objection.file": objections.file,
    "access.read": _access,
    "objection.decide": objections.decide,
}
