"""Rules of objections (异议): filed by any registered party, decided by the registrar.

An objection may be filed during publicity or after registration. An upheld
objection suspends the registration or, with effect ``cancel``, revokes it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from cunzheng.ledger.bodies import ObjectionDecide, ObjectionFile, body_as
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.registry.assets import event_on
from cunzheng.ledger.registry.effects import Effects
from cunzheng.ledger.registry.policy import Policy
from cunzheng.ledger.registry.roles import party_of
from cunzheng.ledger.registry.signers import require_signers
from cunzheng.ledger.registry.state import (
    PUBLICIZED,
    REGISTERED,
    REVOKED,
    SUSPENDED,
    Objection,
    RegistryView,
)
from cunzheng.ledger.statements import Statement


def file(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of filing an objection."""
    filer = party_of(view, statement.signer, logged_at)
    body = body_as(statement.content, ObjectionFile)
    asset_id = body.asset
    asset = view.asset(asset_id)
    if asset is None:
        raise RuleViolation("asset.unknown", f"no asset has id {asset_id.hex()}")
    status = asset.status_at(logged_at)
    if status not in (PUBLICIZED, REGISTERED):
        raise RuleViolation(
            "objection.not_open",
            f"objections are filed during publicity or after registration; the asset is {status}",
        )
    evidence = body.evidence_sha256
    objection = Objection(statement.hash, asset.id, filer, evidence, "pending", index)
    return Effects(objects=(objection,), assets=(asset.id,), digests=(evidence,))


def decide(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of the registrar's decision on an objection."""
    asset = event_on(statement, view, logged_at)
    require_signers(statement, view, asset=asset)
    decision = body_as(statement.content, ObjectionDecide)
    objection_id = decision.objection
    objection = view.objection(objection_id)
    if objection is None or objection.asset != asset.id:
        raise RuleViolation(
            "objection.unknown", f"asset {asset.id.hex()} has no objection {objection_id.hex()}"
        )
    if objection.status != "pending":
        raise RuleViolation("objection.decided", f"the objection was already {objection.status}")
    outcome = decision.outcome
    moved = replace(asset, last_event=statement.hash)
    if outcome == "upheld":
        moved = replace(moved, status=REVOKED if decision.effect == "cancel" else SUSPENDED)
    return Effects(objects=(replace(objection, status=outcome), moved), assets=(asset.id,))
