"""Rules of an asset's life: application, publicity, registration and what follows.

Who signs what follows DOMAIN.md: the holder and the registrar (the exchange
that records it) sign applications, versions, changes, renewals and
cancellations; the registrar alone starts publicity, registers and revokes;
a transfer is signed by the holder, the new holder and the registrar; a
pledge by the holder and the pledgee, its release by the pledgee. While an
asset is pledged, a transfer also needs the pledgee's signature.

Integrity: a fingerprint binds one live asset (``asset.fingerprint_taken``);
a certificate number is issued once in the log and follows the format its
registration system prescribes; a registration system must be one the log's
settings name; a pledgee is a financial institution.
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
from cunzheng.ledger.registry.policy import Policy, matches
from cunzheng.ledger.registry.roles import party_of, require_kind
from cunzheng.ledger.registry.signers import require_signers
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
    require_signers(statement, view)
    if policy.system(body.system) is None:
        accepted = ", ".join(s.name for s in policy.systems)
        raise RuleViolation(
            "asset.unknown_system",
            f"registration system {body.system!r} is not one this log accepts ({accepted})",
        )
    fingerprint = body.fingerprint
    _require_fingerprint_free(view, fingerprint, holder, None)
    asset = Asset(
        statement.hash,
        holder,
        registrar,
        APPLIED,
        statement.hash,
        fingerprint,
        index,
        system=body.system,
    )
    return Effects(objects=(asset,), assets=(asset.id,), digests=(fingerprint,))


def _require_fingerprint_free(
    view: RegistryView, fingerprint: bytes, holder: bytes, asset_id: bytes | None
) -> None:
    """Refuse a fingerprint that a live asset other than *asset_id* is bound to."""
    for other in view.assets_with_fingerprint(fingerprint):
        if other.id == asset_id or not other.live:
            continue
        if other.holder == holder:
            route = f"record a new version of asset {other.id.hex()} (asset.version) instead"
        else:
            route = (
                "another holder's claim to the same data goes through an objection "
                f"(objection.file) against asset {other.id.hex()}"
            )
        raise RuleViolation(
            "asset.fingerprint_taken",
            f"fingerprint {fingerprint.hex()} is bound to live asset {other.id.hex()}; {route}",
        )


def publicize(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of starting publicity (公示)."""
    asset = event_on(statement, view, logged_at, APPLIED)
    require_signers(statement, view, asset=asset)
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
    require_signers(statement, view, asset=asset)
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
    _check_numbers(view, policy, asset, body)
    return _done(
        _moved(
            asset,
            statement,
            status=REGISTERED,
            certificate=body.certificate,
            expires=expires,
            registration_number=body.registration_number,
        )
    )


def _check_numbers(view: RegistryView, policy: Policy, asset: Asset, body: AssetRegister) -> None:
    """Refuse a certificate or registration number its system does not allow, or a certificate already issued."""
    # An asset stored before assets named their system belongs to the first one.
    name = asset.system or next((s.name for s in policy.systems), "")
    system = policy.system(name)
    if system is None:
        raise RuleViolation(
            "asset.unknown_system",
            f"registration system {name!r} is no longer one this log's settings name",
        )
    if not matches(system.certificate, body.certificate):
        raise RuleViolation(
            "asset.certificate_format",
            f"certificate number {body.certificate!r} does not follow the format of {name} "
            f"({system.certificate})",
        )
    number = body.registration_number
    pattern = system.registration_number
    if number is not None and pattern is not None and not matches(pattern, number):
        raise RuleViolation(
            "asset.registration_number_format",
            f"registration number {number!r} does not follow the format of {name} ({pattern})",
        )
    issued = view.asset_with_certificate(body.certificate)
    if issued is not None:
        raise RuleViolation(
            "asset.certificate_taken",
            f"certificate number {body.certificate} was issued to asset {issued.id.hex()}",
        )


def version(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of a new version of the data (a new fingerprint linked to the last)."""
    asset = event_on(statement, view, logged_at, REGISTERED)
    require_signers(statement, view, asset=asset)
    fingerprint = body_as(statement.content, AssetVersion).fingerprint
    _require_fingerprint_free(view, fingerprint, asset.holder, asset.id)
    moved = _moved(asset, statement, fingerprint=fingerprint, version=asset.version + 1)
    return Effects(objects=(moved,), assets=(asset.id,), digests=(fingerprint,))


def change(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of a change of particulars (变更)."""
    asset = event_on(statement, view, logged_at, APPLIED, PUBLICIZED, REGISTERED)
    require_signers(statement, view, asset=asset)
    return _done(_moved(asset, statement))


def renew(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of a renewal (续展) before expiry."""
    asset = event_on(statement, view, logged_at, REGISTERED)
    require_signers(statement, view, asset=asset)
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
    require_signers(statement, view, asset=asset)
    return _done(_moved(asset, statement, status=CANCELLED))


def revoke(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of revocation (撤销) by the registrar."""
    asset = event_on(
        statement, view, logged_at, APPLIED, PUBLICIZED, REGISTERED, "suspended", "expired"
    )
    require_signers(statement, view, asset=asset)
    return _done(_moved(asset, statement, status=REVOKED))


def transfer(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of a transfer (转让) to a new holder."""
    asset = event_on(statement, view, logged_at, REGISTERED)
    to = body_as(statement.content, AssetTransfer).to
    if view.party(to) is None:
        raise RuleViolation("party.unknown", f"no party has id {to.hex()}")
    require_signers(statement, view, asset=asset)
    return _done(_moved(asset, statement, holder=to))


def pledge(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of a pledge (质押) to a pledgee."""
    asset = event_on(statement, view, logged_at, REGISTERED)
    if asset.pledgee is not None:
        raise RuleViolation(
            "asset.already_pledged", f"the asset is pledged to {asset.pledgee.hex()}"
        )
    pledgee = body_as(statement.content, AssetPledge).pledgee
    require_kind(view, pledgee, "financial_institution", "asset.pledgee_not_financial_institution")
    require_signers(statement, view, asset=asset)
    return _done(_moved(asset, statement, pledgee=pledgee))


def release(
    statement: Statement, index: int, logged_at: datetime, view: RegistryView, policy: Policy
) -> Effects:
    """Return the effects of the release of a pledge (解除质押) by the pledgee."""
    asset = event_on(statement, view, logged_at)
    if asset.pledgee is None:
        raise RuleViolation("asset.not_pledged", "the asset is not pledged")
    require_signers(statement, view, asset=asset)
    return _done(_moved(asset, statement, pledgee=None))


def _done(asset: Asset) -> Effects:
    return Effects(objects=(asset,), assets=(asset.id,))
