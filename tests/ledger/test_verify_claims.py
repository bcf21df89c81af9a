"""A court's answers recomputed offline from their bundles: confirmed, contradicted, or left unprovable.

The registry world runs on a clock the test moves, so that answers about a
date fall before, between and after events; every bundle comes from
``ledger.bundles.build_answer_bundle`` over a real log and is checked by
``ledger.verify.verify_bundle`` alone.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from cunzheng.ledger import questions
from cunzheng.ledger.answers import answer_json
from cunzheng.ledger.bundles import build_answer_bundle, build_bundle
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.registry.state import Asset
from cunzheng.ledger.verify import (
    LANGS,
    Outcome,
    Report,
    bundle_json,
    render_text,
    text,
    verify_bundle,
)
from cunzheng.schemas.bundles import BundleRequest
from cunzheng.schemas.questions import Question
from tests.ledger.registry_world import World, application, digest, event, sign, when


def _ask(w: World, question: Question, answer: questions.Answer) -> bytes:
    bundle = build_answer_bundle(w.log, question, answer_json(answer.value), answer.indexes)
    assert bundle is not None
    return bundle_json(bundle)


def _verify(w: World, data: bytes) -> Report:
    return verify_bundle(data, log_key=w.log.signer.verifier())


def _claim(report: Report) -> tuple[str, dict[str, Any]]:
    (check,) = [c for c in report.checks if c.check == "claim"]
    return check.reason, dict(check.facts)


def _confirmed(w: World, data: bytes) -> dict[str, Any]:
    report = _verify(w, data)
    assert report.ok, [(c.reason, c.detail) for c in report.failed()]
    reason, facts = _claim(report)
    assert reason == "claim.confirmed"
    return facts


def _edit(data: bytes, change: Any) -> bytes:
    obj = json.loads(data)
    change(obj)
    return json.dumps(obj, indent=2).encode()


def _transfer(w: World, asset: Asset) -> None:
    last = w.asset(asset.id).last_event
    w.ok(event(w.holder, "asset.transfer", asset.id, last, w.buyer, w.exchange, to=w.buyer.hex))


def _holder(asset: Asset, at: datetime) -> Question:
    return Question(kind="holder", asset=asset.id.hex(), at=format_time(at))


def test_who_held_it_before_between_and_after_a_transfer(world: World) -> None:
    w = world
    before = w.clock.now - timedelta(days=1)
    asset = w.registered_asset()
    w.clock.advance(days=10)
    during = w.clock.now
    w.clock.advance(days=1)
    _transfer(w, asset)
    w.clock.advance(days=1)
    store = w.log.store
    for at, holder in [(before, None), (during, w.holder), (w.clock.now, w.buyer)]:
        data = _ask(w, _holder(asset, at), questions.holder_on(store, asset.id, at))
        facts = _confirmed(w, data)
        assert facts["found"] == (0 if holder is None else 1)
        if holder is not None:
            assert (facts["holder"], facts["holder_name"]) == (holder.hex, holder.name)
        types = [e["statement"]["type"] for e in json.loads(data)["entries"]]
        assert "asset.transfer" in types, "every event of the asset, also those after the date"


def test_licensed_only_once_accepted_and_until_terminated(world: World) -> None:
    w = world
    asset = w.registered_asset()
    grant = w.ok(
        event(
            w.holder,
            "licence.grant",
            asset.id,
            asset.last_event,
            licensee=w.buyer.hex,
            kind="non_exclusive",
            scope=["analytics"],
            territory=["CN"],
            start=when(w.clock.now),
            end=when(w.clock.now + timedelta(days=100)),
            sublicensing=False,
            fee_terms_sha256=digest("fee"),
        )
    )
    w.clock.advance(days=1)
    granted_only = w.clock.now
    w.clock.advance(days=1)
    w.ok(sign(w.buyer, "licence.accept", {"licence": grant.hash.hex()}))
    w.clock.advance(days=1)
    in_force = w.clock.now
    w.clock.advance(days=1)
    w.ok(sign(w.holder, "licence.terminate", {"licence": grant.hash.hex()}))
    w.clock.advance(days=1)
    store = w.log.store
    for at, purpose, found in [
        (granted_only, "analytics", []),
        (in_force, "analytics", [grant.hash.hex()]),
        (in_force, "training", []),
        (w.clock.now, "analytics", []),
    ]:
        question = Question(
            kind="licensed",
            asset=asset.id.hex(),
            party=w.buyer.hex,
            purpose=purpose,
            at=format_time(at),
        )
        answer = questions.licences_on(store, asset.id, w.buyer.id, purpose, at)
        assert answer_json(answer.value) == found
        facts = _confirmed(w, _ask(w, question, answer))
        assert facts["found"] == len(found)


def test_history_after_an_upheld_objection_and_its_omissions(world: World) -> None:
    w = world
    apply = w.ok(application(w.holder, w.exchange))
    until = when(w.clock.now + timedelta(days=15))
    pub = w.ok(event(w.exchange, "asset.publicize", apply.hash, apply.hash, until=until))
    body = {"asset": apply.hash.hex(), "evidence_sha256": digest("prior art"), "grounds": "ours"}
    objection = w.ok(sign(w.buyer, "objection.file", body))
    w.clock.advance(days=16)
    decision = event(
        w.exchange,
        "objection.decide",
        apply.hash,
        pub.hash,
        objection=objection.hash.hex(),
        outcome="upheld",
        effect="suspend",
    )
    w.ok(decision)
    question = Question(kind="history", asset=apply.hash.hex())
    data = _ask(w, question, questions.history(w.log.store, apply.hash))
    facts = _confirmed(w, data)
    assert facts["status"] == "suspended"
    assert "suspended" in render_text(_verify(w, data)) and "已中止" in render_text(
        _verify(w, data), lang="zh"
    )

    index = {e["statement"]["type"]: e["index"] for e in json.loads(data)["entries"]}

    def drop(kind: str) -> Any:
        def change(obj: dict[str, Any]) -> None:
            obj["entries"] = [e for e in obj["entries"] if e["index"] != index[kind]]
            obj["claim"]["entries"].remove(index[kind])

        return change

    reason, facts = _claim(_verify(w, _edit(data, drop("objection.file"))))
    assert (reason, facts["rule"], facts["index"]) == (
        "claim.chain_broken",
        "objection.unknown",
        index["objection.decide"],
    )
    reason, facts = _claim(_verify(w, _edit(data, drop("asset.apply"))))
    assert (reason, facts["rule"]) == ("claim.chain_broken", "asset.unknown")
    # The last event names no successor: leaving it out is caught by the answer itself.
    reason, _ = _claim(_verify(w, _edit(data, drop("objection.decide"))))
    assert reason == "claim.contradicted"


def test_a_portfolio_with_a_pledge(world: World) -> None:
    w = world
    asset = w.registered_asset()
    pledge = event(
        w.holder,
        "asset.pledge",
        asset.id,
        asset.last_event,
        w.bank,
        pledgee=w.bank.hex,
        terms_sha256=digest("loan"),
    )
    w.ok(pledge)
    store = w.log.store
    for party, part in [(w.bank, "pledged"), (w.holder, "holds")]:
        question = Question(kind="portfolio", party=party.hex)
        facts = _confirmed(w, _ask(w, question, questions.portfolio(store, party.id)))
        assert facts[f"{part}_count"] == 1 and facts[part] == asset.id.hex()


def test_a_claimed_answer_the_entries_do_not_give_is_contradicted(world: World) -> None:
    w = world
    asset = w.registered_asset()
    at = w.clock.now
    data = _ask(w, _holder(asset, at), questions.holder_on(w.log.store, asset.id, at))
    lie = _edit(data, lambda o: o["claim"].update(answer=w.bank.hex))
    report = _verify(w, lie)
    assert {c.reason for c in report.failed()} == {"claim.contradicted"}
    reason, facts = _claim(report)
    assert facts["holder"] == w.holder.hex
    (check,) = [c for c in report.checks if c.check == "claim"]
    assert w.bank.hex in check.detail and check.outcome is Outcome.FAILED
    none = _edit(data, lambda o: o["claim"].pop("answer"))
    assert _claim(_verify(w, none))[0] == "claim.contradicted"


def test_a_claim_naming_entries_the_bundle_lacks_or_not_naming_its_entries(world: World) -> None:
    w = world
    asset = w.registered_asset()
    data = _ask(
        w, Question(kind="history", asset=asset.id.hex()), questions.history(w.log.store, asset.id)
    )
    entries = json.loads(data)["claim"]["entries"]
    more = _edit(data, lambda o: o["claim"].update(entries=[*entries, 999]))
    reason, facts = _claim(_verify(w, more))
    assert (reason, facts["missing"]) == ("claim.omitted", "999")
    fewer = _edit(data, lambda o: o["claim"].update(entries=entries[1:]))
    assert _claim(_verify(w, fewer))[0] == "claim.unprovable"
    unordered = _edit(data, lambda o: o["claim"].update(entries=entries[::-1]))
    assert {c.reason for c in _verify(w, unordered).failed()} == {"completeness.order"}


def test_questions_that_are_not_well_formed_make_the_bundle_malformed(world: World) -> None:
    w = world
    asset = w.registered_asset()
    data = _ask(
        w, Question(kind="history", asset=asset.id.hex()), questions.history(w.log.store, asset.id)
    )
    for change in (
        lambda o: o["claim"]["question"].update(kind="holder"),  # holder needs a time
        lambda o: o["claim"]["question"].update(party=w.bank.hex),  # history takes no party
        lambda o: o["claim"]["question"].update(asset=asset.id.hex().upper()),
        lambda o: o["claim"]["question"].update(kind="owner"),
    ):
        assert {c.reason for c in _verify(w, _edit(data, change)).failed()} == {"bundle.malformed"}


def test_a_registry_event_is_bundled_with_its_chain_and_the_parties_it_names(world: World) -> None:
    w = world
    asset = w.registered_asset()
    grant = w.ok(
        event(
            w.holder,
            "licence.grant",
            asset.id,
            asset.last_event,
            licensee=w.bank.hex,
            kind="non_exclusive",
            scope=["*"],
            territory=["*"],
            start=when(w.clock.now),
            end=when(w.clock.now + timedelta(days=10)),
            sublicensing=False,
            fee_terms_sha256=digest("fee"),
        )
    )
    accept = w.log.add(sign(w.bank, "licence.accept", {"licence": grant.hash.hex()})).result()
    bundle = build_bundle(w.log, BundleRequest(indexes=[accept.index]))
    types = [(e.role, e.statement["type"]) for e in bundle.entries]
    assert [t for r, t in types if r == "registry"] == [
        "asset.apply",
        "asset.publicize",
        "asset.register",
        "licence.grant",
        "licence.accept",
    ]
    names = {e.statement["body"].get("name") for e in bundle.entries if e.role == "party"}
    assert {"Operator", "Shanghai Data Exchange", "Holder Ltd", "Bank"} <= names
    assert bundle.claim is None
    report = verify_bundle(bundle_json(bundle), log_key=w.log.signer.verifier())
    assert report.ok, [(c.reason, c.detail) for c in report.failed()]
    assert not any(c.check == "claim" for c in report.checks)


def test_every_reason_about_claims_has_a_text_in_both_languages(world: World) -> None:
    w = world
    asset = w.registered_asset()
    data = _ask(
        w, Question(kind="history", asset=asset.id.hex()), questions.history(w.log.store, asset.id)
    )
    entries = json.loads(data)["claim"]["entries"]
    variants = [
        data,
        _edit(data, lambda o: o["claim"].update(answer=None)),
        _edit(data, lambda o: o["claim"].update(entries=[*entries, 999])),
        _edit(data, lambda o: o["claim"].update(entries=entries[1:])),
    ]
    for variant in variants:
        report = _verify(w, variant)
        for lang in LANGS:
            for check in report.checks:
                assert "?" not in text(check.reason, lang, check.facts), (check.reason, check.facts)
            assert "Question:" in render_text(report) and "问题：" in render_text(report, lang="zh")
