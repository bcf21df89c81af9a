"""The data-IP registry through the sequencer: each event of the pilots' procedure, and its refusals."""

from __future__ import annotations

from datetime import timedelta

from cunzheng.ledger.registry.state import Asset, Licence
from cunzheng.ledger.statements import Statement
from tests.ledger.registry_world import (
    Actor,
    World,
    application,
    certificate,
    digest,
    event,
    sign,
    when,
)

CERT = "20260100990000001"


def test_application_publicity_and_registration(world: World) -> None:
    w = world
    apply = application(w.holder, w.exchange)
    w.refused(sign(w.holder, "asset.apply", apply.to_json()["body"]), "signature.missing_registrar")
    w.ok(apply)
    asset = w.asset(apply.hash)
    assert (asset.status, asset.holder, asset.registrar) == ("applied", w.holder.id, w.exchange.id)
    w.refused(
        event(
            w.exchange,
            "asset.publicize",
            apply.hash,
            apply.hash,
            until=when(w.clock.now + timedelta(days=3)),
        ),
        "asset.publicity_too_short",
    )
    w.refused(
        event(
            w.holder,
            "asset.publicize",
            apply.hash,
            apply.hash,
            until=when(w.clock.now + timedelta(days=20)),
        ),
        "signature.missing_registrar",
    )
    pub = w.ok(
        event(
            w.exchange,
            "asset.publicize",
            apply.hash,
            apply.hash,
            until=when(w.clock.now + timedelta(days=15)),
        )
    )
    expires = when(w.clock.now + timedelta(days=400))
    w.refused(
        event(
            w.exchange, "asset.register", apply.hash, pub.hash, certificate=CERT, expires=expires
        ),
        "asset.publicity_not_over",
    )
    w.refused(
        event(
            w.exchange, "asset.register", apply.hash, apply.hash, certificate=CERT, expires=expires
        ),
        "asset.stale_prev",
    )
    w.clock.advance(days=15)
    w.ok(
        event(
            w.exchange,
            "asset.register",
            apply.hash,
            pub.hash,
            certificate=CERT,
            expires=when(w.clock.now + timedelta(days=400)),
        )
    )
    assert w.asset(apply.hash).status == "registered"


def test_an_upheld_objection_suspends_and_blocks_registration(world: World) -> None:
    w = world
    apply = w.ok(application(w.holder, w.exchange))
    pub = w.ok(
        event(
            w.exchange,
            "asset.publicize",
            apply.hash,
            apply.hash,
            until=when(w.clock.now + timedelta(days=15)),
        )
    )
    objection = w.ok(
        sign(
            w.buyer,
            "objection.file",
            {
                "asset": apply.hash.hex(),
                "evidence_sha256": digest("prior art"),
                "grounds": "the data was collected by us first",
            },
        )
    )
    w.clock.advance(days=16)
    w.refused(
        event(
            w.exchange,
            "asset.register",
            apply.hash,
            pub.hash,
            certificate=certificate(),
            expires=when(w.clock.now + timedelta(days=30)),
        ),
        "asset.objection_pending",
    )
    w.refused(
        event(
            w.buyer,
            "objection.decide",
            apply.hash,
            pub.hash,
            objection=objection.hash.hex(),
            outcome="upheld",
        ),
        "signature.missing_registrar",
    )
    w.ok(
        event(
            w.exchange,
            "objection.decide",
            apply.hash,
            pub.hash,
            objection=objection.hash.hex(),
            outcome="upheld",
            effect="suspend",
        )
    )
    assert w.asset(apply.hash).status == "suspended"


def _licence(
    w: World,
    asset: Asset,
    kind: str,
    *,
    start_days: int = 0,
    days: int = 365,
    scope: list[str] | None = None,
    signer: Actor | None = None,
    cosigners: tuple[Actor, ...] = (),
) -> Statement:
    start = w.clock.now + timedelta(days=start_days)
    return event(
        signer or w.holder,
        "licence.grant",
        asset.id,
        w.asset(asset.id).last_event,
        *cosigners,
        licensee=w.buyer.hex,
        kind=kind,
        scope=scope or ["analytics"],
        territory=["CN-31"],
        start=when(start),
        end=when(start + timedelta(days=days)),
        sublicensing=False,
        fee_terms_sha256=digest("fee"),
    )


def test_exclusive_licences_exclude_overlaps(world: World) -> None:
    w = world
    asset = w.registered_asset()
    first = w.ok(_licence(w, asset, "exclusive"))
    w.refused(_licence(w, asset, "non_exclusive"), "licence.overlaps_exclusive")
    w.ok(_licence(w, asset, "non_exclusive", scope=["marketing"]))
    w.ok(_licence(w, asset, "sole", start_days=400))
    w.refused(_licence(w, asset, "exclusive", signer=w.buyer), "licence.not_holder")
    w.ok(sign(w.buyer, "licence.accept", {"licence": first.hash.hex()}))
    w.refused(sign(w.bank, "licence.terminate", {"licence": first.hash.hex()}), "licence.not_party")
    w.ok(sign(w.buyer, "licence.terminate", {"licence": first.hash.hex()}))
    w.ok(_licence(w, asset, "non_exclusive"))


def test_pledge_blocks_transfer_and_exclusive_licences_without_the_pledgee(world: World) -> None:
    w = world
    asset = w.registered_asset()
    w.refused(
        event(
            w.holder,
            "asset.pledge",
            asset.id,
            asset.last_event,
            pledgee=w.bank.hex,
            terms_sha256=digest("loan"),
        ),
        "signature.missing_pledgee",
    )
    w.ok(
        event(
            w.holder,
            "asset.pledge",
            asset.id,
            asset.last_event,
            w.bank,
            pledgee=w.bank.hex,
            terms_sha256=digest("loan"),
        )
    )
    pledged = w.asset(asset.id)
    assert pledged.pledgee == w.bank.id
    w.refused(
        event(
            w.holder,
            "asset.transfer",
            asset.id,
            pledged.last_event,
            w.buyer,
            w.exchange,
            to=w.buyer.hex,
        ),
        "asset.pledged",
    )
    w.refused(_licence(w, asset, "exclusive"), "asset.pledged")
    w.ok(_licence(w, asset, "exclusive", cosigners=(w.bank,)))
    w.ok(event(w.bank, "asset.release", asset.id, w.asset(asset.id).last_event))
    w.ok(
        event(
            w.holder,
            "asset.transfer",
            asset.id,
            w.asset(asset.id).last_event,
            w.buyer,
            w.exchange,
            to=w.buyer.hex,
        )
    )
    moved = w.asset(asset.id)
    assert moved.holder == w.buyer.id and moved.pledgee is None
    w.refused(_licence(w, asset, "non_exclusive", scope=["other"]), "licence.not_holder")


def test_versions_renewal_expiry_and_cancellation(world: World) -> None:
    w = world
    asset = w.registered_asset()
    w.refused(
        event(w.holder, "asset.version", asset.id, asset.last_event, fingerprint=digest("v2")),
        "signature.missing_registrar",
    )
    w.ok(
        event(
            w.holder,
            "asset.version",
            asset.id,
            asset.last_event,
            w.exchange,
            fingerprint=digest("v2"),
        )
    )
    v2 = w.asset(asset.id)
    assert v2.version == 2 and v2.fingerprint.hex() == digest("v2")
    assert v2.expires is not None
    w.ok(
        event(
            w.holder,
            "asset.renew",
            asset.id,
            v2.last_event,
            w.exchange,
            expires=when(v2.expires + timedelta(days=365)),
        )
    )
    renewed = w.asset(asset.id)
    assert renewed.expires is not None
    w.clock.now = renewed.expires + timedelta(seconds=1)
    w.refused(
        event(
            w.holder,
            "asset.renew",
            asset.id,
            renewed.last_event,
            w.exchange,
            expires=when(renewed.expires + timedelta(days=30)),
        ),
        "asset.wrong_status",
    )
    w.ok(event(w.holder, "asset.cancel", asset.id, renewed.last_event, w.exchange))
    assert w.asset(asset.id).status == "cancelled"


def test_history_is_indexed_by_asset(world: World) -> None:
    w = world
    asset = w.registered_asset()
    lic = w.ok(_licence(w, asset, "non_exclusive"))
    events = w.log.store.events_of_asset(asset.id)
    licences = w.log.store.objects_of_party(w.buyer.id, role="licensee", kind="licence")
    assert len(events) == 4
    assert [licence.id for licence in licences if isinstance(licence, Licence)] == [lic.hash]
