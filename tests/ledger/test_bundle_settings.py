"""Bundles judged by the log's own settings, proved complete by the index's ``settings:log``.

A bundle with registry or party entries carries every ``log.settings`` entry
of the log and the proof of ``settings:log`` at its checkpoint; the verifier
then replays its entries from ``DEFAULT_POLICY`` under each settings entry in
turn, as the log did. An honest log on settings of its own (no publicity
period) is never flagged; a publicity period shorter than a default log's,
slipped into a bundle by an operator who re-signs a tree of its own making,
is refused with the rule's reason code; leaving out a settings entry or the
proof is named; a bundle without settings verifies as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cunzheng.ledger.answers import answer_json
from cunzheng.ledger.bundles import build_answer_bundle, build_bundle
from cunzheng.ledger.cosignature import CosignatureSigner, checkpoint_body, cosign
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.questions import history
from cunzheng.ledger.registry.policy import Policy
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.store import Store, registry_state
from cunzheng.ledger.verify import Outcome, Report, bundle_json, render_text, verify_bundle
from cunzheng.schemas.bundles import BundleRequest
from cunzheng.schemas.questions import Question
from tests.ledger.registry_world import (
    Clock,
    World,
    application,
    certificate,
    event,
    sign,
    when,
)

NO_PUBLICITY = Policy(publicity=timedelta(0))


@pytest.fixture
def make_world(tmp_path: Path) -> Iterator[Any]:
    """Make registry worlds on logs of their own, all signed by one log key (an operator's)."""
    signer = Signer.generate("test.example/log")
    opened: list[tuple[Log, Store]] = []

    def make(name: str) -> World:
        store = Store.open(f"sqlite:///{tmp_path / name}.db")
        clock = Clock()
        log = Log(store, signer, batch_size=32, batch_wait=0.001, now=clock).start()
        opened.append((log, store))
        return World(log, clock)

    yield make
    for log, store in opened:
        log.stop()
        store.close()


def _register(w: World, *, days: int) -> tuple[bytes, list[int]]:
    """Apply for an asset, publicise it for *days* and register it then; return its id and events."""
    apply = w.ok(application(w.holder, w.exchange, "Settings story"))
    until = when(w.clock.now + timedelta(days=days))
    pub = w.ok(event(w.exchange, "asset.publicize", apply.hash, apply.hash, until=until))
    w.clock.advance(days=days)
    expires = when(w.clock.now + timedelta(days=365))
    number = certificate(w.clock.now)
    reg = event(
        w.exchange, "asset.register", apply.hash, pub.hash, certificate=number, expires=expires
    )
    w.ok(reg)
    return apply.hash, [_index_of(w, s) for s in (apply, pub, reg)]


def _index_of(w: World, statement: Statement) -> int:
    row = w.log.store.find_statements([statement.hash])[statement.hash]
    return row.index


def _history(w: World, asset: bytes) -> bytes:
    answer = history(w.log.store, asset)
    question = Question(kind="history", asset=asset.hex())
    bundle = build_answer_bundle(w.log, question, answer_json(answer.value), answer.indexes)
    assert bundle is not None
    return bundle_json(bundle)


def _plain(w: World, index: int) -> bytes:
    return bundle_json(build_bundle(w.log, BundleRequest(indexes=[index])))


def _verify(w: World, data: bytes | str) -> Report:
    return verify_bundle(data, log_key=w.log.signer.verifier())


def _failed(report: Report) -> set[str]:
    return {c.reason for c in report.failed()}


def _settings_check(report: Report) -> Any:
    (check,) = [c for c in report.checks if c.check == "settings"]
    return check


def _edit(data: bytes, change: Any) -> str:
    obj = json.loads(data)
    change(obj)
    return json.dumps(obj)


def test_an_honest_log_with_no_publicity_verifies_under_its_own_settings(make_world: Any) -> None:
    w = make_world("honest")
    stated = w.ok(sign(w.operator, "log.settings", NO_PUBLICITY.body()))
    asset, events = _register(w, days=0)
    for data in (_history(w, asset), _plain(w, events[-1])):
        report = _verify(w, data)
        assert report.ok, [(c.reason, c.detail) for c in report.failed()]
        check = _settings_check(report)
        assert (check.reason, check.facts["listed"]) == ("settings.proved", 1)
        entries = json.loads(data)["entries"]
        (settings,) = [e for e in entries if e["role"] == "settings"]
        assert settings["index"] == _index_of(w, stated)
        # The operator's registration, which makes the settings its own, is in the bundle too.
        assert entries[0]["statement"]["type"] == "party.register"
        assert any(i["key"] == "settings:log" for i in json.loads(data)["index"])
        assert all(f"entry:{i}" in {c.subject for c in report.checks} for i in events)
    assert "log settings" in render_text(report) and "日志设置" in render_text(report, lang="zh")


def test_a_default_log_proves_it_has_no_settings(make_world: Any) -> None:
    w = make_world("default")
    asset, _ = _register(w, days=15)
    data = _history(w, asset)
    report = _verify(w, data)
    assert report.ok and _settings_check(report).facts["listed"] == 0
    (proof,) = [i for i in json.loads(data)["index"] if i["key"] == "settings:log"]
    assert "value" not in proof  # proved absent


def test_a_short_publicity_re_signed_by_the_operator_is_refused(
    make_world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator runs a sequencer of its own with no publicity period, states nothing, and signs its tree."""
    real = make_world("real")
    _register(real, days=15)
    monkeypatch.setattr(registry_state, "DEFAULT_POLICY", NO_PUBLICITY)
    forged = make_world("forged")  # the same log key, a tree of the operator's making
    asset, (_, publicize, register) = _register(forged, days=1)
    for data in (_history(forged, asset), _plain(forged, register)):
        report = _verify(real, data)  # the log's genuine key signed it
        assert not report.ok
        assert _settings_check(report).reason == "settings.proved"
        refused = {c.subject: c.facts.get("rule") for c in report.failed()}
        assert refused[f"entry:{publicize}"] == "asset.publicity_too_short"
        assert f"entry:{register}" in refused
        assert "asset.publicity_too_short" in render_text(report)
    # Without the settings proof, a court's answer is not proved; a plain bundle says so.
    answer = _edit(_history(forged, asset), lambda o: o.update(index=o["index"][:-1]))
    assert _failed(_verify(real, answer)) == {"settings.not_proved"}
    plain = _edit(_plain(forged, register), lambda o: o.update(index=[]))
    report = _verify(real, plain)
    check = _settings_check(report)
    assert (check.outcome, check.required) == (Outcome.NOT_CHECKED, False)
    assert report.ok and "not prove" in render_text(report)


def test_leaving_out_a_settings_entry_or_its_proof_is_named(make_world: Any) -> None:
    w = make_world("omitted")
    w.ok(sign(w.operator, "log.settings", NO_PUBLICITY.body()))
    asset, events = _register(w, days=0)
    for data in (_history(w, asset), _plain(w, events[-1])):

        def drop(o: dict[str, Any]) -> None:
            o["entries"] = [e for e in o["entries"] if e["role"] != "settings"]

        assert "settings.missing_entry" in _failed(_verify(w, _edit(data, drop)))

        def alter(o: dict[str, Any]) -> None:
            (item,) = [i for i in o["index"] if i["key"] == "settings:log"]
            item["value"]["events"] = []

        assert "settings.index_proof" in _failed(_verify(w, _edit(data, alter)))
    # Dropping the proof from an answer leaves the settings not proved, and the bundle not passed.
    no_proof = _edit(_history(w, asset), lambda o: o.update(index=o["index"][:-1]))
    assert _failed(_verify(w, no_proof)) == {"settings.not_proved"}


def test_a_settings_entry_the_index_does_not_list_is_extra(make_world: Any) -> None:
    w = make_world("extra")
    asset, events = _register(w, days=15)
    early = _plain(w, events[-1])
    w.ok(sign(w.operator, "log.settings", NO_PUBLICITY.body()))
    (later,) = [e for e in json.loads(_history(w, asset))["entries"] if e["role"] == "settings"]
    added = _edit(early, lambda o: o["entries"].append(later))
    assert "settings.extra_entry" in _failed(_verify(w, added))


def test_a_bundle_at_an_earlier_checkpoint_carries_the_settings_unproved(make_world: Any) -> None:
    w = make_world("earlier")
    stated = w.ok(sign(w.operator, "log.settings", NO_PUBLICITY.body()))
    _, events = _register(w, days=0)
    # A witness cosigned this checkpoint: bundles are made at it while it covers their entries.
    size, note = w.log.store.latest_checkpoint_row()  # type: ignore[misc]
    witness = CosignatureSigner.generate("witness.example/w1")
    cosigned = note + cosign(checkpoint_body(note), witness, at=w.clock.now)
    w.log.store.put_checkpoint_evidence(size, tokens=[], cosigned=cosigned)
    w.ok(sign(w.holder, "evidence.timestamp", {"sha256": "ab" * 32}))
    data = _plain(w, events[-1])
    obj = json.loads(data)
    assert obj["checkpoint"] == note and obj["index"] == []
    assert [e["index"] for e in obj["entries"] if e["role"] == "settings"] == [_index_of(w, stated)]
    report = _verify(w, data)
    check = _settings_check(report)
    assert (check.reason, check.outcome, check.required) == (
        "settings.not_proved",
        Outcome.NOT_CHECKED,
        False,
    )
    assert report.ok
    assert "未能证明" in render_text(report, lang="zh")


def test_an_old_bundle_without_settings_verifies_as_before(make_world: Any) -> None:
    w = make_world("old")
    _, events = _register(w, days=15)

    def old(o: dict[str, Any]) -> None:
        o["entries"] = [e for e in o["entries"] if e["role"] != "settings"]
        o["index"] = []

    data = _edit(_plain(w, events[-1]), old)
    report = _verify(w, data)
    assert report.ok and _settings_check(report).reason == "settings.not_proved"
    assert not _settings_check(report).required
