"""The registry over HTTP: multi-signed events, refusals as 422, and a court's questions with bundles.

Every answer's bundle carries the question and the claimed answer; the
offline verifier recomputes the answer from the bundle's entries, accepts
each one the API gives, and refuses it, naming the check, once any entry is
altered or left out.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.ledger.clock import format_time
from cunzheng.ledger.keyfiles import OPERATOR_KEY_FILE, read_key, submitter_key
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.verify import (
    Outcome,
    Report,
    bundle_json,
    parse_bundle,
    render_text,
    verify_bundle,
)
from tests.conftest import FixedClock, registration
from tests.ledger.registry_world import Actor, application, digest, event, sign, when

Post = Callable[[Statement, int], dict[str, Any]]


@dataclass(frozen=True)
class Story:
    """An asset applied for, registered, licensed to a buyer and transferred to an heir."""

    owner: Actor
    exchange: Actor
    buyer: Actor
    heir: Actor
    asset: bytes
    grant: bytes
    before_transfer: datetime


def asset_story(
    post: Post, operator_key: SigningKey, holder: SigningKey, clock: FixedClock
) -> Story:
    """Log the story through *post*, on a log whose operator key is *operator_key*, that registered
    *holder* and whose clock is *clock* (moved on where the story needs time to pass)."""
    operator = Actor("Operator", "operator", key=operator_key)
    owner = Actor("Test holder", "rights_holder", key=holder)
    owner.id = registration(holder).hash  # logged when the log was set up
    exchange, buyer = Actor("Exchange", "exchange"), Actor("Buyer", "rights_holder")
    heir = Actor("Heir Ltd", "rights_holder")
    post(exchange.registration(operator), 201)
    post(buyer.registration(), 201)
    post(heir.registration(), 201)

    refused = post(sign(owner, "asset.apply", application(owner, exchange).to_json()["body"]), 422)
    assert refused["error"] == "signature.missing_registrar"

    apply = application(owner, exchange)
    post(apply, 201)
    # Publicity of 0 days in this log's settings; the registrar still names an end in the future.
    until = when(clock() + timedelta(days=15))
    pub = event(exchange, "asset.publicize", apply.hash, apply.hash, until=until)
    post(pub, 201)
    clock.advance(timedelta(days=15, seconds=1))  # past the publicity period
    expires = when(clock().replace(year=clock().year + 2))
    reg = event(
        exchange,
        "asset.register",
        apply.hash,
        pub.hash,
        certificate="20260100310000001",
        expires=expires,
    )
    post(reg, 201)
    grant = event(
        owner,
        "licence.grant",
        apply.hash,
        reg.hash,
        licensee=buyer.hex,
        kind="exclusive",
        scope=["analytics"],
        territory=["*"],
        start=when(clock()),
        end=when(clock().replace(year=clock().year + 1)),
        sublicensing=False,
        fee_terms_sha256=digest("fee"),
    )
    post(grant, 201)
    post(sign(buyer, "licence.accept", {"licence": grant.hash.hex()}), 201)
    clock.advance(timedelta(seconds=1))
    before_transfer = clock()
    clock.advance(timedelta(seconds=1))
    post(event(owner, "asset.transfer", apply.hash, grant.hash, exchange, heir, to=heir.hex), 201)
    return Story(owner, exchange, buyer, heir, apply.hash, grant.hash, before_transfer)


def _client_post(client: TestClient) -> Post:
    def post(statement: Statement, status: int) -> dict[str, Any]:
        r = client.post("/v1/statements", content=statement.canonical)
        assert r.status_code == status, r.text
        body: dict[str, Any] = r.json()
        return body

    return post


def _key(client: TestClient) -> Verifier:
    return Verifier.from_string(client.get("/log/info").json()["verifier_key"])


def _verify(bundle: dict[str, Any], key: Verifier) -> Report:
    return verify_bundle(bundle_json(parse_bundle(orjson.dumps(bundle))), log_key=key)


def _failed(report: Report) -> set[str]:
    return {c.check for c in report.failed() if c.outcome is Outcome.FAILED}


def _story(client: TestClient, tmp_path: Path, holder: SigningKey, clock: FixedClock) -> Story:
    operator_key = submitter_key(read_key(tmp_path / "data" / OPERATOR_KEY_FILE))
    return asset_story(_client_post(client), operator_key, holder, clock)


def _answers(client: TestClient, story: Story) -> dict[str, dict[str, Any]]:
    asset = story.asset.hex()
    get = client.get
    licensed = f"/v1/assets/{asset}/licensed"
    return {
        "history": get(f"/v1/assets/{asset}").json(),
        "holder now": get(f"/v1/assets/{asset}/holder").json(),
        "holder before": get(
            f"/v1/assets/{asset}/holder", params={"at": format_time(story.before_transfer)}
        ).json(),
        "holder before the asset": get(
            f"/v1/assets/{asset}/holder", params={"at": "2020-01-01T00:00:00Z"}
        ).json(),
        "licensed": get(licensed, params={"party": story.buyer.hex, "purpose": "analytics"}).json(),
        "not licensed": get(
            licensed, params={"party": story.buyer.hex, "purpose": "resale"}
        ).json(),
        "portfolio of the buyer": get(f"/v1/parties/{story.buyer.hex}/portfolio").json(),
        "portfolio of the heir": get(f"/v1/parties/{story.heir.hex}/portfolio").json(),
    }


def test_a_court_asks_about_an_asset(
    clock: FixedClock, client: TestClient, holder: SigningKey, tmp_path: Path
) -> None:
    story = _story(client, tmp_path, holder, clock)
    answers = _answers(client, story)

    history = answers["history"]
    assert history["answer"]["status"] == "registered"
    assert history["answer"]["holder"] == story.heir.hex
    assert len(history["bundle"]["entries"]) >= 6
    assert answers["holder now"]["answer"] == story.heir.hex
    assert answers["holder before"]["answer"] == story.owner.hex
    assert answers["holder before the asset"]["answer"] is None
    assert answers["licensed"]["answer"] == [story.grant.hex()]
    assert answers["not licensed"]["answer"] == []
    buyer = answers["portfolio of the buyer"]["answer"]
    assert [lic["id"] for lic in buyer["licensed"]] == [story.grant.hex()]
    assert [a["id"] for a in answers["portfolio of the heir"]["answer"]["holds"]] == [
        story.asset.hex()
    ]
    owner = client.get(f"/v1/parties/{story.owner.hex}/portfolio").json()
    assert owner["answer"] == {"holds": [], "licensed": [], "pledged": []}
    # The asset it once held bears on it: its whole history shows it is held no more.
    assert owner["bundle"] is not None
    assert {e["index"] for e in owner["bundle"]["entries"]} >= set(
        owner["bundle"]["claim"]["entries"]
    )

    assert client.get(f"/v1/assets/{'00' * 32}").status_code == 404
    assert client.get("/v1/assets/xyz").status_code == 400
    bad_time = client.get(f"/v1/assets/{story.asset.hex()}/holder", params={"at": "yesterday"})
    assert bad_time.status_code == 400
    assert orjson.dumps(history)


def test_fingerprints_certificates_and_dated_portfolios_are_proved_complete_absences_too(
    clock: FixedClock, client: TestClient, holder: SigningKey, tmp_path: Path
) -> None:
    story = _story(client, tmp_path, holder, clock)
    key = _key(client)
    asset = client.get(f"/v1/assets/{story.asset.hex()}").json()["answer"]
    owner = story.owner.hex
    asked = {
        "fingerprint": (f"/v1/fingerprints/{asset['fingerprint']}/assets", {}, [asset["id"]]),
        "no fingerprint": (f"/v1/fingerprints/{'ab' * 32}/assets", {}, []),
        "certificate": (f"/v1/certificates/{asset['certificate']}", {}, asset),
        "no certificate": ("/v1/certificates/NO-SUCH-1", {}, None),
        "owner before": (
            f"/v1/parties/{owner}/portfolio",
            {"at": format_time(story.before_transfer)},
            {"holds": [asset["id"]], "licensed": [], "pledged": []},
        ),
    }
    for name, (path, params, expected) in asked.items():
        reply = client.get(path, params=params)
        assert reply.status_code == 200, (name, reply.text)
        body = reply.json()
        assert body["answer"] == expected, name
        report = _verify(body["bundle"], key)
        assert report.ok, (name, [(c.reason, c.detail) for c in report.failed()])
        assert {"completeness.proved", "claim.confirmed"} <= report.reasons(), name
    assert client.get("/v1/fingerprints/xyz/assets").status_code == 400
    assert client.get("/v1/certificates/a%20b").status_code == 400


def test_the_verifier_recomputes_and_confirms_every_answer(
    clock: FixedClock, client: TestClient, holder: SigningKey, tmp_path: Path
) -> None:
    story = _story(client, tmp_path, holder, clock)
    key = _key(client)
    for name, reply in _answers(client, story).items():
        bundle = reply["bundle"]
        claim = bundle["claim"]
        assert claim["question"] == reply["question"]
        assert claim["answer"] == reply["answer"], name
        roles = {e["role"] for e in bundle["entries"]}
        assert roles == {"party", "registry"}, name
        assert claim["entries"] == [
            e["index"] for e in bundle["entries"] if e["role"] == "registry"
        ]
        report = _verify(bundle, key)
        assert report.ok, (name, [(c.reason, c.detail) for c in report.failed()])
        (check,) = [c for c in report.checks if c.check == "claim"]
        assert check.reason == "claim.confirmed", name
        assert "CONFIRMED" in render_text(report) and "确认" in render_text(report, lang="zh")


def _without(bundle: dict[str, Any], n: int) -> dict[str, Any]:
    out = copy.deepcopy(bundle)
    del out["entries"][n]
    return out


def test_an_omitted_entry_fails_and_is_named(
    clock: FixedClock, client: TestClient, holder: SigningKey, tmp_path: Path
) -> None:
    story = _story(client, tmp_path, holder, clock)
    key = _key(client)
    for name, reply in _answers(client, story).items():
        bundle = reply["bundle"]
        for n, entry in enumerate(bundle["entries"]):
            report = _verify(_without(bundle, n), key)
            failed = _failed(report)
            where = f"{name}: without entry {entry['index']} ({entry['statement']['type']})"
            assert not report.ok, where
            if entry["role"] == "registry":
                (claim,) = [c for c in report.checks if c.check == "claim"]
                assert claim.reason == "claim.omitted", where
                assert claim.facts["missing"] == str(entry["index"]), where
                assert f"entries {entry['index']}, which are missing" in render_text(report)
            else:
                assert failed & {"key", "rules", "claim"}, (where, failed)


def test_a_broken_chain_is_reported_as_an_omission(
    clock: FixedClock, client: TestClient, holder: SigningKey, tmp_path: Path
) -> None:
    story = _story(client, tmp_path, holder, clock)
    history = client.get(f"/v1/assets/{story.asset.hex()}").json()["bundle"]
    types = [e["statement"]["type"] for e in history["entries"]]
    n = types.index("asset.publicize")
    index = history["entries"][n]["index"]
    stripped = _without(history, n)
    stripped["claim"]["entries"].remove(index)
    report = _verify(stripped, _key(client))
    (claim,) = [c for c in report.checks if c.check == "claim"]
    assert (claim.reason, claim.facts["rule"], claim.facts["type"]) == (
        "claim.chain_broken",
        "asset.stale_prev",
        "asset.register",
    )
    assert "omitted" in render_text(report) and "遗漏" in render_text(report, lang="zh")


def test_a_claim_with_another_answer_is_contradicted(
    clock: FixedClock, client: TestClient, holder: SigningKey, tmp_path: Path
) -> None:
    story = _story(client, tmp_path, holder, clock)
    key = _key(client)
    reply = client.get(f"/v1/assets/{story.asset.hex()}/holder").json()
    lie = copy.deepcopy(reply["bundle"])
    lie["claim"]["answer"] = story.owner.hex
    report = _verify(lie, key)
    assert _failed(report) == {"claim"}
    (claim,) = [c for c in report.checks if c.check == "claim"]
    assert claim.reason == "claim.contradicted" and claim.facts["holder"] == story.heir.hex
    assert "CONTRADICTED" in render_text(report)


def _span(data: bytes, start: bytes, stop: bytes) -> range:
    return range(data.index(start), data.index(stop))


def _flips(data: bytes, positions: range, stride: int) -> list[tuple[int, bytes]]:
    out = []
    for i in positions[::stride]:
        mutated = bytearray(data)
        mutated[i] ^= 1 << (i % 8)
        out.append((i, bytes(mutated)))
    return out


def test_a_changed_bit_in_any_entry_fails_and_names_the_check(
    clock: FixedClock, client: TestClient, holder: SigningKey, tmp_path: Path
) -> None:
    story = _story(client, tmp_path, holder, clock)
    key = _key(client)
    answers = _answers(client, story)
    for name in ("history", "holder before", "licensed", "portfolio of the heir"):
        data = bundle_json(parse_bundle(orjson.dumps(answers[name]["bundle"])))
        entries = _span(data, b'"entries"', b'"earlier_checkpoints"')
        for i, mutated in _flips(data, entries, 7):
            failed = _failed(verify_bundle(mutated, log_key=key))
            where = f"{name}: byte {i}: {mutated[max(0, i - 30) : i + 30]!r}"
            assert failed, where
            # A flipped timed_by is caught by entry_time, a moved index also by completeness.
            named = {"bundle", "signature", "inclusion", "key", "rules", "claim", "entry_time"}
            assert failed & (named | {"completeness"}), where


def test_a_changed_bit_in_the_claim_fails_or_asks_about_another_time_with_the_same_answer(
    clock: FixedClock, client: TestClient, holder: SigningKey, tmp_path: Path
) -> None:
    story = _story(client, tmp_path, holder, clock)
    key = _key(client)
    answers = _answers(client, story)
    for name in ("holder before", "licensed", "portfolio of the buyer"):
        data = bundle_json(parse_bundle(orjson.dumps(answers[name]["bundle"])))
        claim = range(data.index(b'"claim"'), len(data))
        original = json.loads(data)["claim"]
        for i, mutated in _flips(data, claim, 1):
            report = verify_bundle(mutated, log_key=key)
            if report.ok:
                # Still a true claim, proved by the same entries: only the time asked about moved.
                changed = json.loads(mutated)["claim"]
                assert changed["question"]["at"] != original["question"]["at"], i
                assert {**changed["question"], "at": None} == {**original["question"], "at": None}
                assert (
                    changed["answer"] == original["answer"]
                    and changed["entries"] == original["entries"]
                )
                continue
            assert _failed(report) & {"bundle", "claim", "completeness"}, f"{name}: byte {i}"
