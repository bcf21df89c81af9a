"""Court answers in bundles, genuine and altered, with the checks `cunzheng verify` makes of each.

The browser verifier's tests (tests/web/claims.test.js, completeness.test.js)
run this script once and hold their JavaScript checks to the Python ones.
It builds two registry logs on the registry world of the ledger tests (one
under the default settings, one that states settings of its own), asks
every kind of question, alters some bundles the way a party hiding an event
would, and prints one JSON object:

``cases``: ``[{"name", "bundle", "cp_ok", "proved", "checks"}]`` -- the
bundle's JSON text; whether its checkpoint verified; for each entry
index whether its signature and inclusion proof held; and the ``settings``,
``completeness`` and ``claim`` checks of the report (null where the report
has none), facts as the verifier holds them.
``logs``: ``[{"leaves", "index"}]`` -- every leaf of each log, as JSON, and
every key of its verifiable index with its canonical JSON value.

Usage: python tests/web/claims_bundles.py  (from anywhere; it finds the repository).
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from claims_edits import (  # noqa: E402
    Edit,
    add,
    add_entry,
    break_checkpoint,
    break_signature,
    drop,
    edit,
    first_proof,
    last_registry,
    nested,
    odd_items,
    pledge_held,
    registry_entry,
    registry_indexes,
    resign,
)

from cunzheng.ledger import questions  # noqa: E402
from cunzheng.ledger.answers import answer_json  # noqa: E402
from cunzheng.ledger.bundles import build_answer_bundle, build_bundle  # noqa: E402
from cunzheng.ledger.clock import format_time, parse_time  # noqa: E402
from cunzheng.ledger.log import Log  # noqa: E402
from cunzheng.ledger.note import Signer  # noqa: E402
from cunzheng.ledger.registry.policy import Policy  # noqa: E402
from cunzheng.ledger.store import Store  # noqa: E402
from cunzheng.ledger.verify import Report, bundle_json, verify_bundle  # noqa: E402
from cunzheng.ledger.verify.report import Check  # noqa: E402
from cunzheng.schemas.bundles import BundleRequest  # noqa: E402
from cunzheng.schemas.questions import Question  # noqa: E402
from tests.ledger.registry_world import (  # noqa: E402
    Actor,
    Clock,
    World,
    application,
    certificate,
    digest,
    event,
    sign,
    when,
)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        signer = Signer.generate("test.example/log")
        cases: list[dict[str, Any]] = []
        logs: list[dict[str, Any]] = []
        for make in (_default_log, _settings_log, _objection_log):
            store = Store.open(f"sqlite:///{Path(tmp) / make.__name__}.db")
            clock = Clock()
            log = Log(store, signer, batch_size=32, batch_wait=0.001, now=clock).start()
            try:
                w = World(log, clock)
                cases += make(w)
                logs.append(_log_dump(w))
            finally:
                log.stop()
                store.close()
    json.dump({"cases": cases, "logs": logs}, sys.stdout)


# The log under the default settings: two assets, a licence, a transfer and a pledge.


def _default_log(w: World) -> list[dict[str, Any]]:
    before = w.clock.now - timedelta(hours=1)
    asset, number = _register(w, w.holder, "Traffic flows 2025")
    grant = w.ok(_grant(w, asset, w.buyer))
    w.ok(sign(w.buyer, "licence.accept", {"licence": grant.hash.hex()}))
    w.clock.advance(days=1)
    licensed_at = w.clock.now
    w.clock.advance(days=1)
    last = w.asset(asset).last_event
    transfer = w.ok(
        event(w.holder, "asset.transfer", asset, last, w.buyer, w.exchange, to=w.buyer.hex)
    )
    w.clock.advance(days=1)
    w.ok(
        event(
            w.buyer,
            "asset.pledge",
            asset,
            transfer.hash,
            w.bank,
            pledgee=w.bank.hex,
            terms_sha256=digest("loan"),
        )
    )
    other, _ = _register(w, w.buyer, "Weather 2025")
    w.clock.advance(days=1)
    a, b, then = asset.hex(), w.buyer.hex, format_time(licensed_at)
    asked = {
        "holder before": Question(kind="holder", asset=a, at=format_time(before)),
        "holder between": Question(kind="holder", asset=a, at=then),
        "holder now": Question(kind="holder", asset=a, at=format_time(w.clock.now)),
        "licensed": _licensed(a, b, then),
        "licensed elsewhere": _licensed(a, w.bank.hex, then),
        "portfolio": Question(kind="portfolio", party=b),
        "portfolio then": Question(kind="portfolio", party=b, at=then),
        "portfolio of nobody": Question(kind="portfolio", party="ab" * 32),
        "fingerprint": Question(kind="fingerprint", fingerprint=digest("dataset Weather 2025")),
        "fingerprint none": Question(kind="fingerprint", fingerprint=digest("nothing")),
        "certificate": Question(kind="certificate", certificate=number),
        "certificate none": Question(kind="certificate", certificate="202601003199999999"),
        "history of another": Question(kind="history", asset=other.hex()),
    }
    history = _ask(w, Question(kind="history", asset=a))
    out = [_case(w, "history", history)]
    out += [_case(w, name, _ask(w, question)) for name, question in asked.items()]
    pledge = last_registry(history)
    publicize = registry_indexes(history)[1]
    extra = registry_entry(_ask(w, Question(kind="history", asset=other.hex())))
    altered: dict[str, Edit] = {
        "hidden pledge": lambda o: drop(o, pledge, claim=True),
        "omitted entry": lambda o: drop(o, pledge, claim=False),
        "broken chain": lambda o: drop(o, publicize, claim=True),
        "entry the claim does not name": lambda o: o["claim"]["entries"].remove(pledge),
        "changed index value": lambda o: first_proof(o, "asset:")["value"]["events"].pop(),
        "index value made absent": lambda o: first_proof(o, "asset:").pop("value"),
        "index proofs dropped": lambda o: o.update(index=[]),
        "asset proof dropped": lambda o: o["index"].remove(first_proof(o, "asset:")),
        "changed answer": lambda o: o["claim"]["answer"].update(status="revoked"),
        "claim out of order": lambda o: o["claim"]["entries"].reverse(),
        "extra registry entry": lambda o: add(o, extra),
        "broken signature": lambda o: break_signature(o, pledge),
        "broken checkpoint": break_checkpoint,
        "index line dropped": lambda o: o.update(checkpoint=resign(w, o["checkpoint"])),
    }
    out += [_case(w, name, edit(history, change)) for name, change in altered.items()]
    odd: dict[str, Edit] = {
        "answer with floats": lambda o: o["claim"]["answer"].update(
            version=1.5, n=[2.0, 1e-05, 1e16]
        ),
        "answer with a big integer": lambda o: o["claim"]["answer"].update(version=2**60),
        "answer nested too deep": lambda o: o["claim"]["answer"].update(version=nested(17)),
    }
    out += [_case(w, name, edit(history, change)) for name, change in odd.items()]
    portfolio = _ask(w, asked["portfolio"])
    out.append(_case(w, "portfolio answer changed", edit(portfolio, pledge_held)))
    out.append(_case(w, "portfolio answer with odd items", edit(portfolio, odd_items)))
    plain = build_bundle(w.log, BundleRequest(indexes=[pledge]))
    out.append(_case(w, "plain bundle", bundle_json(plain)))
    return out


# The log that states settings of its own: no publicity period.


def _settings_log(w: World) -> list[dict[str, Any]]:
    w.ok(sign(w.operator, "log.settings", Policy(publicity=timedelta(0)).body()))
    asset, _ = _register(w, w.holder, "Settings story", days=0)
    history = _ask(w, Question(kind="history", asset=asset.hex()))
    last = last_registry(history)

    def settings_proof(o: dict[str, Any]) -> dict[str, Any]:
        return next(i for i in o["index"] if i["key"] == "settings:log")

    altered: dict[str, Edit] = {
        "settings entry dropped": lambda o: o.update(
            entries=[e for e in o["entries"] if e["role"] != "settings"]
        ),
        "settings document emptied": lambda o: settings_proof(o)["value"].update(events=[]),
        "settings proof dropped": lambda o: o["index"].remove(settings_proof(o)),
    }
    plain = bundle_json(build_bundle(w.log, BundleRequest(indexes=[last])))
    out = [
        _case(w, "settings history", history),
        *[_case(w, name, edit(history, change)) for name, change in altered.items()],
        _case(w, "settings plain", plain),
        _case(w, "settings plain without proofs", edit(plain, lambda o: o.update(index=[]))),
        _case(w, "settings plain without entry", edit(plain, altered["settings entry dropped"])),
    ]
    # A settings entry logged after the bundle's checkpoint, slipped into it.
    w.ok(sign(w.operator, "log.settings", Policy(publicity=timedelta(days=1)).body()))
    later = json.loads(_ask(w, Question(kind="history", asset=asset.hex())))["entries"]
    slipped = [e for e in later if e["role"] == "settings"][-1]
    out.append(_case(w, "settings entry slipped in", edit(plain, lambda o: add_entry(o, slipped))))
    return out


# A log with a licence ended and an objection upheld.


def _objection_log(w: World) -> list[dict[str, Any]]:
    asset, _ = _register(w, w.holder, "Ports 2026")
    grant = w.ok(_grant(w, asset, w.buyer))
    w.ok(sign(w.buyer, "licence.accept", {"licence": grant.hash.hex()}))
    w.clock.advance(days=1)
    in_force = format_time(w.clock.now)
    w.clock.advance(days=1)
    w.ok(sign(w.holder, "licence.terminate", {"licence": grant.hash.hex()}))
    w.clock.advance(days=1)
    apply = w.ok(application(w.holder, w.exchange, "Rivers 2026"))
    until = when(w.clock.now + timedelta(days=15))
    pub = w.ok(event(w.exchange, "asset.publicize", apply.hash, apply.hash, until=until))
    body = {"asset": apply.hash.hex(), "evidence_sha256": digest("prior art"), "grounds": "ours"}
    filed = w.ok(sign(w.buyer, "objection.file", body))
    w.clock.advance(days=16)
    decide = {"objection": filed.hash.hex(), "outcome": "upheld", "effect": "suspend"}
    w.ok(event(w.exchange, "objection.decide", apply.hash, pub.hash, **decide))
    ended = format_time(w.clock.now)
    a = asset.hex()
    history = _ask(w, Question(kind="history", asset=apply.hash.hex()))
    filing = registry_indexes(history)[2]
    return [
        _case(w, "licence in force", _ask(w, _licensed(a, w.buyer.hex, in_force))),
        _case(w, "licence ended", _ask(w, _licensed(a, w.buyer.hex, ended))),
        _case(w, "licensee's portfolio", _ask(w, Question(kind="portfolio", party=w.buyer.hex))),
        _case(w, "objection upheld", history),
        _case(w, "objection dropped", edit(history, lambda o: drop(o, filing, claim=True))),
    ]


# Building the story.


def _register(w: World, holder: Actor, name: str, *, days: int = 15) -> tuple[bytes, str]:
    apply = w.ok(application(holder, w.exchange, name))
    until = w.clock.now + timedelta(days=days)
    pub = w.ok(event(w.exchange, "asset.publicize", apply.hash, apply.hash, until=when(until)))
    w.clock.advance(days=days)
    number = certificate(w.clock.now)
    expires = when(w.clock.now + timedelta(days=3 * 365))
    w.ok(
        event(
            w.exchange, "asset.register", apply.hash, pub.hash, certificate=number, expires=expires
        )
    )
    return apply.hash, number


def _grant(w: World, asset: bytes, licensee: Actor) -> Any:
    return event(
        w.holder,
        "licence.grant",
        asset,
        w.asset(asset).last_event,
        licensee=licensee.hex,
        kind="non_exclusive",
        scope=["analytics"],
        territory=["CN"],
        start=when(w.clock.now),
        end=when(w.clock.now + timedelta(days=100)),
        sublicensing=False,
        fee_terms_sha256=digest("fee"),
    )


def _licensed(asset: str, party: str, at: str) -> Question:
    return Question(kind="licensed", asset=asset, party=party, purpose="analytics", at=at)


def _ask(w: World, question: Question) -> bytes:
    """Return the bundle of the registry's own answer to *question*, as the API builds it."""
    answer = _answer(w, question)
    bundle = build_answer_bundle(w.log, question, answer_json(answer.value), answer.indexes)
    assert bundle is not None
    return bundle_json(bundle)


def _answer(w: World, q: Question) -> questions.Answer:
    store, at = w.log.store, parse_time(q.at or "1970-01-01T00:00:00Z")
    lookup = lambda key: w.log.index_proof(key).value  # noqa: E731
    asset, party = bytes.fromhex(q.asset or ""), bytes.fromhex(q.party or "")
    if q.kind == "history":
        return questions.history(store, asset)
    if q.kind == "holder":
        return questions.holder_on(store, asset, at)
    if q.kind == "licensed":
        return questions.licences_on(store, asset, party, q.purpose or "", at)
    if q.kind == "portfolio" and q.at is None:
        return questions.portfolio(store, party)
    if q.kind == "portfolio":
        return questions.portfolio_on(store, lookup, party, at)
    if q.kind == "fingerprint":
        return questions.fingerprint(store, lookup, bytes.fromhex(q.fingerprint or ""))
    return questions.certificate(store, lookup, q.certificate or "")


# What the verifier made of it.


def _case(w: World, name: str, data: bytes) -> dict[str, Any]:
    report = verify_bundle(data, log_key=w.log.signer.verifier())
    proved: dict[str, bool] = {}
    for c in report.checks:
        if c.subject.startswith("entry:") and c.check in ("signature", "inclusion"):
            index = c.subject.removeprefix("entry:")
            proved[index] = proved.get(index, True) and c.outcome.value == "passed"
    cp_ok = any(c.check == "checkpoint" and c.outcome.value == "passed" for c in report.checks)
    return {
        "name": name,
        "bundle": data.decode(),
        "cp_ok": cp_ok,
        "proved": proved,
        "checks": {kind: _check(report, kind) for kind in ("settings", "completeness", "claim")},
    }


def _check(report: Report, kind: str) -> dict[str, Any] | None:
    found: list[Check] = [c for c in report.checks if c.check == kind]
    if not found:
        return None
    (c,) = found
    return {
        "check": c.check,
        "subject": c.subject,
        "outcome": c.outcome.value,
        "reason": c.reason,
        "required": c.required,
        "facts": dict(c.facts),
        "detail": c.detail,
    }


def _log_dump(w: World) -> dict[str, Any]:
    store = w.log.store
    size = store.index_snapshot(0).size
    leaves = [json.loads(leaf) for leaf in store.leaves(0, size)]
    index = {key: value.decode() for key, value in store.index_snapshot(0).leaves}
    return {"leaves": leaves, "index": index}


if __name__ == "__main__":
    main()
