"""The questions a court asks, answered from the registry with the entries that prove them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from cunzheng.ledger import questions
from cunzheng.ledger.errors import NotFound
from cunzheng.ledger.registry.state import Asset, Licence
from cunzheng.ledger.statements import parse_leaf
from cunzheng.schemas.questions import Question
from tests.ledger.registry_world import World, digest, event, sign, when


def _grant(w: World, asset: Asset, purpose: str, days: int = 100) -> bytes:
    grant = w.ok(
        event(
            w.holder,
            "licence.grant",
            asset.id,
            w.asset(asset.id).last_event,
            licensee=w.buyer.hex,
            kind="non_exclusive",
            scope=[purpose],
            territory=["CN"],
            start=when(w.clock.now),
            end=when(w.clock.now + timedelta(days=days)),
            sublicensing=False,
            fee_terms_sha256=digest("fee"),
        )
    )
    return grant.hash


def test_history_names_every_event_of_the_asset(world: World) -> None:
    w = world
    asset = w.registered_asset()
    answer = questions.history(w.log.store, asset.id)
    assert isinstance(answer.value, Asset) and answer.value.status == "registered"
    types = [
        parse_leaf(leaf)[0].type for leaf in w.log.store.leaves_at(list(answer.indexes)).values()
    ]
    assert sorted(types) == ["asset.apply", "asset.publicize", "asset.register"]
    with pytest.raises(NotFound):
        questions.history(w.log.store, b"\x01" * 32)


def test_who_held_it_on_a_date(world: World) -> None:
    w = world
    before = w.clock.now - timedelta(days=1)
    asset = w.registered_asset()
    w.clock.advance(days=10)
    during = w.clock.now
    w.clock.advance(days=1)
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
    w.clock.advance(days=1)
    store = w.log.store
    assert questions.holder_on(store, asset.id, before).value is None
    assert questions.holder_on(store, asset.id, during).value == w.holder.id
    after = questions.holder_on(store, asset.id, w.clock.now)
    assert after.value == w.buyer.id and len(after.indexes) == 2


def test_was_a_party_licensed_for_a_purpose_on_a_date(world: World) -> None:
    w = world
    asset = w.registered_asset()
    licence = _grant(w, asset, "analytics")
    store = w.log.store
    assert (
        questions.licences_on(store, asset.id, w.buyer.id, "analytics", w.clock.now).value == []
    )  # not accepted
    w.ok(sign(w.buyer, "licence.accept", {"licence": licence.hex()}))
    w.clock.advance(days=1)
    yes = questions.licences_on(store, asset.id, w.buyer.id, "analytics", w.clock.now)
    assert yes.value == [licence] and len(yes.indexes) == 2
    assert questions.licences_on(store, asset.id, w.buyer.id, "training", w.clock.now).value == []
    assert questions.licences_on(store, asset.id, w.bank.id, "analytics", w.clock.now).value == []
    assert (
        questions.licences_on(
            store, asset.id, w.buyer.id, "analytics", w.clock.now + timedelta(days=200)
        ).value
        == []
    )


def test_portfolio_of_a_party(world: World) -> None:
    w = world
    asset = w.registered_asset()
    licence = _grant(w, asset, "analytics")
    w.ok(
        event(
            w.holder,
            "asset.pledge",
            asset.id,
            w.asset(asset.id).last_event,
            w.bank,
            pledgee=w.bank.hex,
            terms_sha256=digest("loan"),
        )
    )
    store = w.log.store
    holder = questions.portfolio(store, w.holder.id).value
    assert isinstance(holder, dict) and [a.id for a in holder["holds"]] == [asset.id]
    buyer = questions.portfolio(store, w.buyer.id).value
    assert isinstance(buyer, dict) and [
        lic.id for lic in buyer["licensed"] if isinstance(lic, Licence)
    ] == [licence]
    bank = questions.portfolio(store, w.bank.id)
    assert isinstance(bank.value, dict) and [a.id for a in bank.value["pledged"]] == [asset.id]
    assert bank.indexes


def test_the_new_questions_take_exactly_their_parameters() -> None:
    party, at = "ab" * 32, "2026-03-01T00:00:00.000000Z"
    assert Question(kind="portfolio", party=party).at is None
    assert Question(kind="portfolio", party=party, at=at).at == at
    assert Question(kind="fingerprint", fingerprint="cd" * 32).fingerprint == "cd" * 32
    assert Question(kind="certificate", certificate="20260100310000001").certificate
    for wrong in (
        {"kind": "fingerprint", "fingerprint": "CD" * 32},
        {"kind": "fingerprint", "fingerprint": "cd" * 32, "at": at},
        {"kind": "certificate", "certificate": "a b"},
        {"kind": "certificate"},
        {"kind": "holder", "asset": party},
    ):
        with pytest.raises(ValidationError):
            Question.model_validate(wrong)
