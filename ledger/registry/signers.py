"""Who must sign a registry statement: the one table the rules check and clients ask.

``required_signers`` says, for a statement and the registry before it, which
parties must sign it and in which role (DOMAIN.md, "Who signs what"); the
rules call ``require_signers`` with it, so a client that asks which
signatures a statement still lacks gets the answer the log will enforce.
Whether the statement is otherwise allowed (the asset's status, ``prev``,
terms) is left to the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cunzheng.ledger.bodies import (
    AssetApply,
    AssetEvent,
    AssetPledge,
    AssetTransfer,
    LicenceGrant,
    OnLicence,
    body_as,
)
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.registry.parties import PartyView, b64
from cunzheng.ledger.registry.state import Asset, Licence, RegistryView
from cunzheng.ledger.statements import Statement

__all__ = ["Requirement", "missing_signers", "require_signers", "required_signers"]


@dataclass(frozen=True)
class Requirement:
    """A signature the rules require: a key of one of *parties*, acting as *role*.

    With *submitter*, that key must be the statement's own signer (its first
    signature), not a cosigner. *code* is the reason code of the refusal when
    the signature is missing.
    """

    role: str
    parties: tuple[bytes, ...]
    code: str
    submitter: bool = False

    def met(self, view: PartyView, signer: bytes, signed: Iterable[bytes]) -> bool:
        """Return whether the signing keys *signed* (the statement's signer being *signer*) meet it."""
        keys = (signer,) if self.submitter else tuple(signed)
        for key in keys:
            record = view.key(key)
            if record is not None and record.party in self.parties:
                return True
        return False


def _need(
    role: str, party: bytes, *, code: str | None = None, submitter: bool = False
) -> Requirement:
    return Requirement(
        role, (party,), code or f"signature.missing_{role.replace(' ', '_')}", submitter
    )


def _submitter(statement: Statement, view: RegistryView, role: str) -> Requirement:
    # The party whose key signs first takes this role (the applicant, the objector, ...).
    record = view.key(statement.signer)
    if record is None:
        raise RuleViolation(
            "key.unknown",
            f"the statement is signed by key {b64(statement.signer)}, which no party has registered",
        )
    return _need(role, record.party, submitter=True)


def _asset(view: RegistryView, asset_id: bytes) -> Asset:
    asset = view.asset(asset_id)
    if asset is None:
        raise RuleViolation("asset.unknown", f"no asset has id {asset_id.hex()}")
    return asset


def _licence(view: RegistryView, licence_id: bytes) -> Licence:
    licence = view.licence(licence_id)
    if licence is None:
        raise RuleViolation("licence.unknown", f"no licence has id {licence_id.hex()}")
    return licence


def _on_asset(statement: Statement, asset: Asset) -> list[Requirement]:
    holder, registrar = _need("holder", asset.holder), _need("registrar", asset.registrar)
    kind = statement.type
    if kind in ("asset.publicize", "asset.register", "asset.revoke", "objection.decide"):
        return [registrar]
    if kind in ("asset.version", "asset.change", "asset.renew", "asset.cancel"):
        return [holder, registrar]
    if kind == "asset.transfer":
        to = body_as(statement.content, AssetTransfer).to
        needs = [holder, registrar, _need("new holder", to)]
        if asset.pledgee is not None:
            needs.append(_need("pledgee", asset.pledgee, code="asset.pledged"))
        return needs
    if kind == "asset.pledge":
        return [holder, _need("pledgee", body_as(statement.content, AssetPledge).pledgee)]
    if kind == "asset.release":
        return [] if asset.pledgee is None else [_need("pledgee", asset.pledgee)]
    if kind == "licence.grant":
        needs = [_need("holder", asset.holder, code="licence.not_holder", submitter=True)]
        exclusive = body_as(statement.content, LicenceGrant).kind == "exclusive"
        if exclusive and asset.pledgee is not None:
            needs.append(_need("pledgee", asset.pledgee, code="asset.pledged"))
        return needs
    raise TypeError(f"{kind} is not an event on an asset")


def required_signers(statement: Statement, view: RegistryView) -> list[Requirement]:
    """Return the signatures the rules require of *statement*, given the registry *view* before it.

    A statement type with no registry requirement (evidence, parties, settings)
    needs only its submitter, whoever that is (a ``party.register``, whose key
    may be new, not even that); the rules of those types decide who may submit.
    """
    kind = statement.type
    if kind == "asset.apply":
        registrar = body_as(statement.content, AssetApply).registrar
        return [_submitter(statement, view, "holder"), _need("registrar", registrar)]
    if kind == "objection.file":
        return [_submitter(statement, view, "objector")]
    if kind == "licence.accept":
        licence = _licence(view, body_as(statement.content, OnLicence).licence)
        return [_need("licensee", licence.licensee, code="licence.not_licensee")]
    if kind == "licence.terminate":
        licence = _licence(view, body_as(statement.content, OnLicence).licence)
        either = (licence.licensor, licence.licensee)
        return [Requirement("licensor or licensee", either, "licence.not_party", submitter=True)]
    if isinstance(statement.content, AssetEvent):
        return _on_asset(statement, _asset(view, statement.content.asset))
    if kind == "party.register":
        return []  # its key may be new to the log: the registration's own rule decides
    return [_submitter(statement, view, "submitter")]


def missing_signers(
    statement: Statement,
    view: RegistryView,
    *,
    signed: Iterable[bytes] | None = None,
    required: list[Requirement] | None = None,
) -> list[Requirement]:
    """Return the requirements of *statement* that its signatures (or the keys *signed*) do not meet."""
    keys = tuple(statement.signers if signed is None else signed)
    needs = required_signers(statement, view) if required is None else required
    signer = statement.signer if statement.signer in keys else b""
    return [r for r in needs if not r.met(view, signer, keys)]


def require_signers(
    statement: Statement, view: RegistryView, *, asset: Asset | None = None
) -> None:
    """Return None if every signature the rules require of *statement* is there, else raise RuleViolation.

    The first missing one is named, in the order ``required_signers`` lists them.
    """
    needs = _on_asset(statement, asset) if asset is not None else None
    for requirement in missing_signers(statement, view, required=needs):
        who = " or ".join(f"party {p.hex()}" for p in requirement.parties)
        if requirement.code == "licence.not_holder":
            detail = "only the holder of the asset at that time may grant a licence"
        elif requirement.code == "licence.not_party":
            detail = "only the licensor or the licensee may terminate a licence"
        else:
            detail = f"{statement.type} must be signed by the {requirement.role} ({who})"
        raise RuleViolation(requirement.code, detail)
