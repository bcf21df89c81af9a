"""Answers that cannot omit: a bundle must hold every entry that bears on its answer, by the log's index.

Every bundle here comes from ``ledger.bundles.build_answer_bundle`` over a
real log (the registry world of ``tests.ledger.registry_world``) and is
checked by ``ledger.verify.verify_bundle`` alone, or by ``cunzheng verify``
in-process. An altered bundle whose answer is rewritten to match what is
left in it is still refused: the index proofs at its checkpoint list the
entries it hid.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cunzheng.ledger import questions
from cunzheng.ledger.answers import answer_json
from cunzheng.ledger.bundles import build_answer_bundle
from cunzheng.ledger.clock import format_time, parse_time
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer, open_checkpoint, sign_checkpoint
from cunzheng.ledger.registry.memory import MemoryRegistry
from cunzheng.ledger.statements import Statement, parse_statement
from cunzheng.ledger.store import Store
from cunzheng.ledger.verify import Outcome, Report, bundle_json, verify_bundle
from cunzheng.ledger.verify.claims import Seen, recompute
from cunzheng.ledger.verify.replay import REPLAY_POLICY
from cunzheng.schemas.questions import Question
from tests.cli.test_cli import run
from tests.ledger.registry_world import (
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

COMPLETENESS_FAILURES = {
    "completeness.missing_event",
    "completeness.extra_event",
    "completeness.order",
    "completeness.index_proof",
    "completeness.key_missing",
}
# Removing every index proof removes the proof of the log's settings too.
SETTINGS_FAILURES = {"settings.not_proved", "settings.index_proof"}


def _lookup(w: World) -> Any:
    return lambda key: w.log.index_proof(key).value


def _answer(w: World, question: Question) -> questions.Answer:
    """Return the registry's answer to *question*, as the API computes it."""
    store, at = w.log.store, None if question.at is None else parse_time(question.at)
    asset = None if question.asset is None else bytes.fromhex(question.asset)
    party = None if question.party is None else bytes.fromhex(question.party)
    if question.kind == "history":
        return questions.history(store, asset)  # type: ignore[arg-type]
    if question.kind == "holder":
        return questions.holder_on(store, asset, at)  # type: ignore[arg-type]
    if question.kind == "licensed":
        assert question.purpose is not None
        return questions.licences_on(store, asset, party, question.purpose, at)  # type: ignore[arg-type]
    if question.kind == "portfolio" and at is None:
        return questions.portfolio(store, party)  # type: ignore[arg-type]
    if question.kind == "portfolio":
        return questions.portfolio_on(store, _lookup(w), party, at)  # type: ignore[arg-type]
    if question.kind == "fingerprint":
        assert question.fingerprint is not None
        return questions.fingerprint(store, _lookup(w), bytes.fromhex(question.fingerprint))
    assert question.certificate is not None
    return questions.certificate(store, _lookup(w), question.certificate)


def _ask(w: World, question: Question) -> bytes:
    answer = _answer(w, question)
    bundle = build_answer_bundle(w.log, question, answer_json(answer.value), answer.indexes)
    assert bundle is not None
    return bundle_json(bundle)


def _verify(w: World, data: bytes | str) -> Report:
    return verify_bundle(data, log_key=w.log.signer.verifier())


def _reasons(report: Report) -> set[str]:
    return {c.reason for c in report.failed()}


def _genuine(w: World, data: bytes) -> Report:
    report = _verify(w, data)
    assert report.ok, [(c.reason, c.detail) for c in report.failed()]
    assert {"completeness.proved", "claim.confirmed"} <= report.reasons()
    return report


def _recomputed(obj: dict[str, Any]) -> Any:
    """Return the answer the entries left in the bundle *obj* give: what a forger would write."""
    question = Question.model_validate(obj["claim"]["question"])
    moment = None if question.at is None else parse_time(question.at)
    view, seen = MemoryRegistry(settings=REPLAY_POLICY), Seen()
    for entry in obj["entries"]:
        logged_at = parse_time(entry["logged_at"])
        if moment is not None and logged_at > moment:
            continue
        try:
            effects = view.add(
                parse_statement(entry["statement"]), index=entry["index"], logged_at=logged_at
            )
        except RuleViolation:
            continue
        seen.take(effects.objects)
    return recompute(question, view, moment, seen)


def _pledge(w: World, asset: bytes) -> Statement:
    last = w.asset(asset).last_event
    return event(
        w.holder,
        "asset.pledge",
        asset,
        last,
        w.bank,
        pledgee=w.bank.hex,
        terms_sha256=digest("loan"),
    )


def _grant(w: World, asset: bytes, licensee: Actor, *, days: int = 100) -> Statement:
    holder = _actor(w, w.asset(asset).holder)
    return event(
        holder,
        "licence.grant",
        asset,
        w.asset(asset).last_event,
        licensee=licensee.hex,
        kind="non_exclusive",
        scope=["analytics"],
        territory=["CN"],
        start=when(w.clock.now),
        end=when(w.clock.now + timedelta(days=days)),
        sublicensing=False,
        fee_terms_sha256=digest("fee"),
    )


def _transfer(w: World, asset: bytes, to: Actor) -> Statement:
    now = w.asset(asset)
    cosigners = [to, w.exchange] + ([w.bank] if now.pledgee is not None else [])
    holder = _actor(w, now.holder)
    return event(holder, "asset.transfer", asset, now.last_event, *cosigners, to=to.hex)


def _actor(w: World, party: bytes) -> Actor:
    return next(a for a in (w.holder, w.buyer, w.bank, *_extra(w)) if a.id == party)


def _extra(w: World) -> list[Actor]:
    return list(getattr(w, "extra", []))


def _register(w: World, holder: Actor, name: str) -> tuple[bytes, str]:
    """Apply for, publicise and register an asset named *name* held by *holder*; return its id and certificate."""
    apply = w.ok(application(holder, w.exchange, name))
    until = w.clock.now + timedelta(days=15)
    pub = w.ok(event(w.exchange, "asset.publicize", apply.hash, apply.hash, until=when(until)))
    w.clock.advance(days=15)
    number = certificate(w.clock.now)
    expires = w.clock.now + timedelta(days=3 * 365)
    w.ok(
        event(
            w.exchange,
            "asset.register",
            apply.hash,
            pub.hash,
            certificate=number,
            expires=when(expires),
        )
    )
    return apply.hash, number


# (a) The hidden pledge ------------------------------------------------------


def test_a_hidden_pledge_is_refused_however_the_answer_is_rewritten(
    world: World, tmp_path: Path
) -> None:
    w = world
    asset, _ = _register(w, w.holder, "Traffic flows 2025")
    grant = w.ok(_grant(w, asset, w.buyer))
    w.ok(sign(w.buyer, "licence.accept", {"licence": grant.hash.hex()}))
    w.clock.advance(days=1)
    transfer = w.ok(_transfer(w, asset, w.buyer))
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
    data = _ask(w, Question(kind="history", asset=asset.hex()))
    _genuine(w, data)
    obj = json.loads(data)
    (pledge,) = [e for e in obj["entries"] if e["statement"]["type"] == "asset.pledge"]
    assert obj["claim"]["answer"]["pledgee"] == w.bank.hex

    # The holder's edit: drop the pledge, from the entries and the claim, and rewrite the answer.
    obj["entries"].remove(pledge)
    obj["claim"]["entries"].remove(pledge["index"])
    obj["claim"]["answer"]["pledgee"] = None
    obj["claim"]["answer"]["last_event"] = transfer.hash.hex()
    assert obj["claim"]["answer"] == _recomputed(obj), "the forged answer matches what is left"
    forged = json.dumps(obj)
    report = _verify(w, forged)
    assert not report.ok
    assert "claim.confirmed" in report.reasons(), "the rewritten answer alone would pass"
    (check,) = [c for c in report.checks if c.check == "completeness"]
    assert (check.reason, check.facts["missing"]) == (
        "completeness.missing_event",
        str(pledge["index"]),
    )

    # The same through `cunzheng verify`, offline, in English and Chinese.
    vkey = tmp_path / "log.vkey"
    vkey.write_text(w.log.signer.verifier().to_string())
    path = tmp_path / "forged.bundle.json"
    path.write_text(forged)
    en = run("verify", str(path), "--log-key", str(vkey))
    assert en.returncode == 1 and "completeness.missing_event" in en.stderr + en.stdout
    assert "Completeness: NOT PROVED." in en.stdout and "NOT VERIFIED" in en.stdout
    zh = run("verify", str(path), "--log-key", str(vkey), "--lang", "zh")
    assert zh.returncode == 1 and "完整性：未证明" in zh.stdout
    genuine = tmp_path / "genuine.bundle.json"
    genuine.write_bytes(data)
    ok = run("verify", str(genuine), "--log-key", str(vkey))
    assert ok.returncode == 0 and "Completeness: PROVED." in ok.stdout, ok.stdout


def test_hiding_the_index_proof_or_forging_the_asset_document_is_refused(world: World) -> None:
    w = world
    asset, _ = _register(w, w.holder, "Weather 2025")
    w.ok(_pledge(w, asset))
    data = _ask(w, Question(kind="history", asset=asset.hex()))
    _genuine(w, data)
    obj = json.loads(data)
    pledge = obj["claim"]["entries"][-1]

    def hide(o: dict[str, Any]) -> None:
        o["entries"] = [e for e in o["entries"] if e["index"] != pledge]
        o["claim"]["entries"].remove(pledge)
        o["claim"]["answer"] = _recomputed(o)

    dropped = json.loads(data)
    hide(dropped)
    dropped["index"] = []
    assert _reasons(_verify(w, json.dumps(dropped))) == {
        "completeness.key_missing",
        "settings.not_proved",
    }
    forged = json.loads(data)
    hide(forged)
    forged["index"][0]["value"]["events"].remove(pledge)
    assert _reasons(_verify(w, json.dumps(forged))) == {"completeness.index_proof"}
    absent = json.loads(data)
    hide(absent)
    absent["index"][0].pop("value")
    assert _reasons(_verify(w, json.dumps(absent))) == {"completeness.index_proof"}


def test_no_asset_bears_a_fingerprint_until_one_does(world: World) -> None:
    w = world
    name = "Ports 2026"
    fingerprint = digest("dataset " + name)
    question = Question(kind="fingerprint", fingerprint=fingerprint)
    none = _ask(w, question)
    report = _genuine(w, none)
    assert json.loads(none)["claim"]["answer"] == [] and not json.loads(none)["entries"]
    assert any(c.facts.get("found") == 0 for c in report.checks if c.check == "claim")
    number_question = Question(kind="certificate", certificate="202601003100000099")
    _genuine(w, _ask(w, number_question))

    asset, number = _register(w, w.buyer, name)
    some = _ask(w, question)
    _genuine(w, some)
    assert json.loads(some)["claim"]["answer"] == [asset.hex()]
    # The old absence proof does not hold at the new checkpoint; nor does a rewritten answer.
    stale = json.loads(some)
    stale["index"] = json.loads(none)["index"]
    stale["claim"].update(answer=[], entries=[])
    stale["entries"] = [e for e in stale["entries"] if e["role"] != "registry"]
    assert "completeness.index_proof" in _reasons(_verify(w, json.dumps(stale)))
    emptied = json.loads(some)
    emptied["claim"].update(answer=[], entries=[])
    emptied["entries"] = [e for e in emptied["entries"] if e["role"] != "registry"]
    assert _reasons(_verify(w, json.dumps(emptied))) == {"completeness.missing_event"}
    by_number = _ask(w, Question(kind="certificate", certificate=number))
    _genuine(w, by_number)
    assert json.loads(by_number)["claim"]["answer"]["id"] == asset.hex()


def test_a_dated_portfolio_proves_what_a_party_held_and_did_not_hold(world: World) -> None:
    w = world
    before = w.clock.now - timedelta(hours=1)
    asset, _ = _register(w, w.holder, "Shipping 2025")
    w.clock.advance(days=1)
    held = w.clock.now
    w.clock.advance(days=1)
    w.ok(_transfer(w, asset, w.buyer))
    w.clock.advance(days=1)
    for party, at, holds in [
        (w.holder, before, []),
        (w.holder, held, [asset.hex()]),
        (w.holder, w.clock.now, []),
        (w.buyer, held, []),
        (w.buyer, w.clock.now, [asset.hex()]),
    ]:
        question = Question(kind="portfolio", party=party.hex, at=format_time(at))
        data = _ask(w, question)
        _genuine(w, data)
        assert json.loads(data)["claim"]["answer"]["holds"] == holds
    # "The holder held nothing when it did" is refused: the transfer cannot be hidden.
    data = _ask(w, Question(kind="portfolio", party=w.holder.hex, at=format_time(held)))
    obj = json.loads(data)
    obj["claim"]["answer"]["holds"] = []
    assert _reasons(_verify(w, json.dumps(obj))) == {"claim.contradicted"}


def test_a_bundle_from_a_checkpoint_without_an_index_is_not_proved_complete(world: World) -> None:
    w = world
    asset, _ = _register(w, w.holder, "Energy 2025")
    obj = json.loads(_ask(w, Question(kind="history", asset=asset.hex())))
    # The same tree signed without the index line, as a log signed it before it kept an index.
    cp, _ = open_checkpoint(obj["checkpoint"], w.log.signer.verifier())
    bare = replace(cp, extensions=tuple(x for x in cp.extensions if "cunzheng-index" not in x))
    obj["checkpoint"] = sign_checkpoint(bare, w.log.signer)
    obj.update(index=[], timestamps=[], cosignatures=[], timed_checkpoints=[])
    for entry in obj["entries"]:
        entry.pop("timed_by", None)
    report = _verify(w, json.dumps(obj))
    assert not report.ok and _reasons(report) == {"completeness.no_index", "settings.not_proved"}
    (check,) = [c for c in report.checks if c.check == "completeness"]
    assert check.outcome is Outcome.NOT_CHECKED
    assert "claim.confirmed" in report.reasons()


# (b) Random histories, random questions, random alterations -----------------


_PURPOSES = ("analytics", "training")


class _Story:
    """A registry world that grows by random steps, remembering what a question can name."""

    def __init__(self, w: World) -> None:
        self.w = w
        if not hasattr(w, "extra"):
            third = Actor("Third Ltd", "rights_holder")
            w.ok(third.registration())
            w.extra = [third]  # type: ignore[attr-defined]
            w.assets = []  # type: ignore[attr-defined]
            w.licences = []  # type: ignore[attr-defined]
            w.times = [w.clock.now]  # type: ignore[attr-defined]
        self.holders = [w.holder, w.buyer, *_extra(w)]

    def step(self, data: st.DataObject) -> None:
        w = self.w
        assets: list[tuple[bytes, str, str]] = w.assets  # type: ignore[attr-defined]
        kind = data.draw(
            st.sampled_from(
                ["register", "transfer", "pledge", "release", "grant", "accept", "terminate"]
            )
            if assets
            else st.just("register")
        )
        if kind == "register":
            holder = data.draw(st.sampled_from(self.holders))
            name = f"Dataset {len(assets)} {w.log.size()}"
            asset, number = _register(w, holder, name)
            assets.append((asset, digest("dataset " + name), number))
        else:
            asset = data.draw(st.sampled_from(assets))[0]
            self._event(kind, asset, data)
        w.clock.advance(hours=data.draw(st.integers(1, 72)))
        w.times.append(w.clock.now)  # type: ignore[attr-defined]

    def _event(self, kind: str, asset: bytes, data: st.DataObject) -> None:
        w, now = self.w, self.w.asset(asset)
        licences: list[tuple[bytes, Actor]] = w.licences  # type: ignore[attr-defined]
        statement: Statement | None = None
        if kind == "transfer":
            others = [a for a in self.holders if a.id != now.holder]
            statement = _transfer(w, asset, data.draw(st.sampled_from(others)))
        elif kind == "pledge" and now.pledgee is None:
            holder = _actor(w, now.holder)
            statement = event(
                holder, "asset.pledge", asset, now.last_event, w.bank,
                pledgee=w.bank.hex, terms_sha256=digest("loan"),
            )  # fmt: skip
        elif kind == "release" and now.pledgee is not None:
            statement = event(w.bank, "asset.release", asset, now.last_event)
        elif kind == "grant":
            licensee = data.draw(st.sampled_from(self.holders))
            statement = _grant(w, asset, licensee, days=data.draw(st.integers(1, 60)))
            if self._try(statement):
                licences.append((statement.hash, licensee))
            return
        elif kind in ("accept", "terminate") and licences:
            licence, licensee = data.draw(st.sampled_from(licences))
            signer = licensee if kind == "accept" else licensee
            statement = sign(signer, f"licence.{kind}", {"licence": licence.hex()})
        if statement is not None:
            self._try(statement)

    def _try(self, statement: Statement) -> bool:
        try:
            self.w.log.add(statement).result()
        except RuleViolation:
            return False
        return True

    def question(self, data: st.DataObject) -> Question:
        w = self.w
        assets: list[tuple[bytes, str, str]] = w.assets  # type: ignore[attr-defined]
        times: list[datetime] = w.times  # type: ignore[attr-defined]
        at = format_time(data.draw(st.sampled_from(times)))
        asset, fingerprint, number = data.draw(st.sampled_from(assets))
        party = data.draw(st.sampled_from([*self.holders, w.bank])).hex
        kind = data.draw(
            st.sampled_from(["history", "holder", "licensed", "portfolio", "dated", "fp", "cert"])
        )
        absent = data.draw(st.booleans())
        if kind == "history":
            return Question(kind="history", asset=asset.hex())
        if kind == "holder":
            return Question(kind="holder", asset=asset.hex(), at=at)
        if kind == "licensed":
            purpose = data.draw(st.sampled_from(_PURPOSES))
            return Question(kind="licensed", asset=asset.hex(), party=party, purpose=purpose, at=at)
        if kind == "portfolio":
            return Question(kind="portfolio", party=party)
        if kind == "dated":
            return Question(kind="portfolio", party=party, at=at)
        if kind == "fp":
            return Question(kind="fingerprint", fingerprint=digest(at) if absent else fingerprint)
        return Question(kind="certificate", certificate=f"X{len(times)}" if absent else number)


def _alter(obj: dict[str, Any], data: st.DataObject) -> tuple[str, dict[str, Any]] | None:
    """Return one random alteration of the bundle *obj*, with the answer rewritten to match."""
    registry = [e for e in obj["entries"] if e["role"] == "registry"]
    choices = ["answer", "index_value", "drop_proof"]
    if registry:
        choices += ["remove", "reorder", "rewrite_index", "hide_everywhere"]
    kind = data.draw(st.sampled_from(choices))
    out = json.loads(json.dumps(obj))
    if kind == "answer":
        original = out["claim"].get("answer")
        out["claim"]["answer"] = data.draw(
            st.sampled_from([None, [], {"holds": [], "licensed": [], "pledged": []}, "00" * 32])
        )
        if out["claim"]["answer"] == original:
            return None
        return kind, out
    if kind == "index_value":
        item = data.draw(st.sampled_from(out["index"]))
        if item.get("value") is None:
            item["value"] = {"events": [0]}
        else:
            item.pop("value")
    elif kind == "drop_proof":
        out["index"].remove(data.draw(st.sampled_from(out["index"])))
    elif kind == "reorder":
        entries = out["claim"]["entries"]
        if len(entries) < 2:
            return None
        i = data.draw(st.integers(0, len(entries) - 2))
        entries[i], entries[i + 1] = entries[i + 1], entries[i]
        return kind, out
    else:
        gone = data.draw(st.sampled_from(registry))["index"]
        if kind == "rewrite_index":
            # The entry moved to another index: its proof no longer holds, nor the index's list.
            moved = max(e["index"] for e in out["entries"]) + data.draw(st.integers(1, 1000))
            for entry in out["entries"]:
                if entry["index"] == gone:
                    entry["index"] = moved
            out["entries"].sort(key=lambda e: e["index"])
            out["claim"]["entries"] = sorted(
                {moved if i == gone else i for i in out["claim"]["entries"]}
            )
            out["claim"]["answer"] = _recomputed(out)
            return kind, out
        out["entries"] = [e for e in out["entries"] if e["index"] != gone]
        out["claim"]["entries"] = [i for i in out["claim"]["entries"] if i != gone]
        if kind == "hide_everywhere":
            for item in out["index"]:
                events = (item.get("value") or {}).get("events")
                if isinstance(events, list) and gone in events:
                    events.remove(gone)
    out["claim"]["answer"] = _recomputed(out)
    return kind, out


@contextmanager
def _new_world(directory: Path) -> Iterator[World]:
    """A registry world on a log of its own, for one example (examples share no state)."""
    directory.mkdir(parents=True)
    store = Store.open(f"sqlite:///{directory / 'log.db'}")
    clock = Clock()
    log = Log(
        store, Signer.generate("test.example/log"), batch_size=32, batch_wait=0.001, now=clock
    )
    try:
        yield World(log.start(), clock)
    finally:
        log.stop()
        store.close()


_EXAMPLES = itertools.count()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_altered_answer_bundle_is_refused_and_every_genuine_one_verifies(
    tmp_path: Path, data: st.DataObject
) -> None:
    with _new_world(tmp_path / f"example-{next(_EXAMPLES)}") as world:
        _every_altered_bundle_is_refused(world, data)


def _every_altered_bundle_is_refused(world: World, data: st.DataObject) -> None:
    story = _Story(world)
    for _ in range(data.draw(st.integers(4, 14))):
        story.step(data)
    for _ in range(3):
        question = story.question(data)
        bundle = _ask(world, question)
        _genuine(world, bundle)
        altered = _alter(json.loads(bundle), data)
        if altered is None:
            continue
        kind, obj = altered
        report = _verify(world, json.dumps(obj))
        failed = _reasons(report)
        assert not report.ok and failed, (kind, question)
        if kind in ("remove", "reorder", "rewrite_index", "hide_everywhere", "drop_proof"):
            assert failed & (COMPLETENESS_FAILURES | SETTINGS_FAILURES), (kind, question, failed)
        if kind == "index_value":
            assert "completeness.index_proof" in failed, (kind, question, failed)
