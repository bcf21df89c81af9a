"""Rules of an asset's life: application, publicity, registration and what follows.

Who signs what follows DOMAIN.md: the holder and the registrar (the exchange
that records it) sign applications, versions, changes, renewals and
cancellations; the registrar alone starts publicity, registers and revokes;
a transfer is signed by the holder, the new holder and the registrar; a
pledge by the holder and the pledgee, its release by the pledgee. While an
asset is pledged, a transfer also needs the pledgee's signature.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from cunzheng.ledger.bodies import (
    AssetApply,
    AssetEvent,
    AssetPledge,
    AssetPublicize,
    AssetRegister,
    AssetRenew,
    AssetTransfer,
    AssetVersion,
    body_as,
)
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.registry.effects import Effects
from cunzheng.ledger.registry.policy import Policy
from cunzheng.ledger.registry.roles import party_of, require_kind, require_signed_by
from cunzheng.ledger.registry.state import (
    APPLIED,
    CANCELLED,
    PUBLICIZED,
    REGISTERED,
    REVOKED,
    Asset,
    RegistryView,
)
from cunzheng.ledger.statements import Statement


def event_on(statement: Statement, view: RegistryView, logged_at: datetime, *allowed: str) -> Asset:
    """Return the asset an event names, checking it exists, ``prev`` is its last event and its status."""
    event = body_as(statement.content, AssetEvent)
    asset_id = event.asset
    asset = view.asset(asset_id)
    if asset is None:
        raise RuleViolation("asset.unknown", f"no asset has id {asset_id.hex()}")
    prev = event.prev
    if prev != asset.last_event:
        raise RuleViolation(
            "asset.stale_prev",
            f"prev names event {prev.hex()}, but the asset's last event is {asset.last_event.hex()}",
        )
    status = asset.status_at(logged_at)
    if allowed and status not in allowed:
        raise RuleViolation(
            "asset.wrong_status",
            f"{statement.type} needs an asset that is {' or '.join(allowed)}; this one is {status}",
        )
    return asset


def _moved(asset: Asset, statement: Statement, **changes: object) -> Asset:
    return replace(asset, last_event=statement.hash, **changes)  # type: ignore[arg-type]


def apply(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of an application (申请): a new asset, applied for."""
    holder = party_of(view, statement.signer, logged_at)
    body = body_as(statement.content, AssetApply)
    registrar = body.registrar
    require_kind(view, registrar, "exchange", "asset.registrar_not_exchange")
    require_signed_by(statement, view, registrar, "registrar")
    fingerprint = body.fingerprint
    asset = Asset(statement.hash, holder, registrar, APPLIED, statement.hash, fingerprint, index)
    return Effects(objects=(asset,), assets=(asset.id,), digests=(fingerprint,))


def publicize(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of starting publicity (公示)."""
    asset = event_on(statement, view, logged_at, APPLIED)
    require_signed_by(statement, view, asset.registrar, "registrar")
    until = body_as(statement.content, AssetPublicize).until
    if until < logged_at + policy.publicity:
        raise RuleViolation(
            "asset.publicity_too_short",
            f"publicity must last at least {policy.publicity.days} days",
        )
    return _done(_moved(asset, statement, status=PUBLICIZED, publicity_until=until))


def register(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of registration (登记) once publicity is over without an open objection."""
    asset = event_on(statement, view, logged_at, PUBLICIZED)
    require_signed_by(statement, view, asset.registrar, "registrar")
    assert asset.publicity_until is not None
    if logged_at < asset.publicity_until:
        raise RuleViolation(
            "asset.publicity_not_over", f"publicity runs until {asset.publicity_until.isoformat()}"
        )
    if any(o.status == "pending" for o in view.objections_of(asset.id)):
        raise RuleViolation(
            "asset.objection_pending", "an objection awaits the registrar's decision"
        )
    body = body_as(statement.content, AssetRegister)
    expires = body.expires
    if not logged_at < expires <= logged_at + policy.term:
        raise RuleViolation(
            "asset.term_invalid", f"the term must end within {policy.term.days} days"
        )
    return _done(
        _moved(
            asset,
            statement,
            status=REGISTERED,
            certificate=body.certificate,
            expires=expires,
        )
    )


def version(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of a new version of the data (a new fingerprint linked to the last)."""
    asset = event_on(statement, view, logged_at, REGISTERED)
    _holder_and_registrar(statement, view, asset)
    fingerprint = body_as(statement.content, AssetVersion).fingerprint
    moved = _moved(asset, statement, fingerprint=fingerprint, version=asset.version + 1)
    return Effects(objects=(moved,), assets=(asset.id,), digests=(fingerprint,))


def change(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of a change of particulars (变更)."""
    asset = event_on(statement, view, logged_at, APPLIED, PUBLICIZED, REGISTERED)
    _holder_and_registrar(statement, view, asset)
    return _done(_moved(asset, statement))


def renew(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of a renewal (续展) before expiry."""
    asset = event_on(statement, view, logged_at, REGISTERED)
    _holder_and_registrar(statement, view, asset)
    assert asset.expires is not None
    expires = body_as(statement.content, AssetRenew).expires
    if not asset.expires < expires <= asset.expires + policy.term:
        raise RuleViolation(
            "asset.term_invalid", f"a renewal extends the term by at most {policy.term.days} days"
        )
    return _done(_moved(asset, statement, expires=expires))


def cancel(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of cancellation (注销) by the holder."""
    asset = event_on(statement, view, logged_at, APPLIED, PUBLICIZED, REGISTERED, "expired")
    _holder_and_registrar(statement, view, asset)
    return _done(_moved(asset, statement, status=CANCELLED))


def revoke(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of revocation (撤销) by the registrar."""
    asset = event_on(
        statement, view, logged_at, APPLIED, PUBLICIZED, REGISTERED, "suspended", "expired"
    )
    require_signed_by(statement, view, asset.registrar, "registrar")
    return _done(_moved(asset, statement, status=REVOKED))


def transfer(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of a transfer (转让) to a new holder."""
    asset = event_on(statement, view, logged_at, REGISTERED)
    _holder_and_registrar(statement, view, asset)
    to = body_as(statement.content, AssetTransfer).to
    if view.party(to) is None:
        raise RuleViolation("party.unknown", f"no party has id {to.hex()}")
    require_signed_by(statement, view, to, "new holder")
    if asset.pledgee is not None:
        require_signed_by(statement, view, asset.pledgee, "pledgee", code="asset.pledged")
    return _done(_moved(asset, statement, holder=to))


def pledge(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of a pledge (质押) to a pledgee."""
    asset = event_on(statement, view, logged_at, REGISTERED)
    require_signed_by(statement, view, asset.holder, "holder")
    if asset.pledgee is not None:
        raise RuleViolation(
            "asset.already_pledged", f"the asset is pledged to {asset.pledgee.hex()}"
        )
    pledgee = body_as(statement.content, AssetPledge).pledgee
    require_signed_by(statement, view, pledgee, "pledgee")
    return _done(_moved(asset, statement, pledgee=pledgee))


def release(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of the release of a pledge (解除质押) by the pledgee."""
    asset = event_on(statement, view, logged_at)
    if asset.pledgee is None:
        raise RuleViolation("asset.not_pledged", "the asset is not pledged")
    require_signed_by(statement, view, asset.pledgee, "pledgee")
    return _done(_moved(asset, statement, pledgee=None))


def _holder_and_registrar(statement: Statement, view: RegistryView, asset: Asset) -> None:
    require_signed_by(statement, view, asset.holder, "holder")
    require_signed_by(statement, view, asset.registrar, "registrar")


def _done(asset: Asset) -> Effects:
    return Effects(objects=(asset,), assets=(asset.id,))
