"""Rules of licences (数据授权 / 许可): grant by the holder, acceptance, termination.

An exclusive licence (独占) excludes any other licence that overlaps it in
scope, territory and term; a sole (排他) or non-exclusive (普通) licence may
overlap others, but not an exclusive one. An exclusive licence of a pledged
asset needs the pledgee's signature.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from cunzheng.ledger.bodies import LicenceGrant, OnLicence, body_as
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.registry.assets import event_on
from cunzheng.ledger.registry.effects import Effects
from cunzheng.ledger.registry.policy import Policy
from cunzheng.ledger.registry.signers import require_signers
from cunzheng.ledger.registry.state import REGISTERED, Licence, RegistryView
from cunzheng.ledger.statements import Statement


def grant(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of a licence grant by the current holder."""
    asset = event_on(statement, view, logged_at, REGISTERED)
    require_signers(statement, view, asset=asset)
    body = body_as(statement.content, LicenceGrant)
    licensee = body.licensee
    if view.party(licensee) is None:
        raise RuleViolation("party.unknown", f"no party has id {licensee.hex()}")
    licence = Licence(
        statement.hash,
        asset.id,
        asset.holder,
        licensee,
        body.kind,
        body.scope,
        body.territory,
        body.start,
        body.end,
        body.sublicensing,
        index,
    )
    if licence.end <= licence.start:
        raise RuleViolation("licence.term_invalid", "a licence must end after it starts")
    for other in view.licences_of(asset.id):
        ends = other.ended is not None and other.ended <= licence.start
        if not ends and "exclusive" in (licence.kind, other.kind) and licence.overlaps(other):
            raise RuleViolation(
                "licence.overlaps_exclusive",
                f"the licence overlaps licence {other.id.hex()} in scope, territory and term, "
                "and one of them is exclusive",
            )
    moved = replace(asset, last_event=statement.hash)
    return Effects(objects=(moved, licence), assets=(asset.id,))


def accept(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of the licensee's acceptance."""
    licence = _licence(statement, view)
    require_signers(statement, view)
    if licence.accepted or licence.ended is not None:
        raise RuleViolation("licence.wrong_status", "the licence is already accepted or has ended")
    return Effects(objects=(replace(licence, accepted=True),), assets=(licence.asset,))


def terminate(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of termination by the licensor or the licensee."""
    licence = _licence(statement, view)
    require_signers(statement, view)
    if licence.ended is not None:
        raise RuleViolation("licence.wrong_status", "the licence has already ended")
    return Effects(objects=(replace(licence, ended=logged_at),), assets=(licence.asset,))


def _licence(statement: Statement, view: RegistryView) -> Licence:
    licence_id = body_as(statement.content, OnLicence).licence
    licence = view.licence(licence_id)
    if licence is None:
        raise RuleViolation("licence.unknown", f"no licence has id {licence_id.hex()}")
    return licence
