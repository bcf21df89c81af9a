"""The registry guards its integrity, and the log's settings travel with the log.

Each rule has its reason code: a fingerprint binds one live asset
(``asset.fingerprint_taken``), a certificate number is issued once
(``asset.certificate_taken``) in its system's format
(``asset.certificate_format``), a registration system is one the log's
settings name (``asset.unknown_system``), a pledgee is a financial
institution (``asset.pledgee_not_financial_institution``), and the
settings are the operator's (``settings.not_operator``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.monitor import audit
from cunzheng.ledger.rebuild import rebuild
from cunzheng.ledger.registry.memory import MemoryRegistry
from cunzheng.ledger.registry.policy import DEFAULT_POLICY, Policy
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.verify.replay import ReplayEntry, replay
from tests.conftest import server_settings
from tests.ledger.registry_world import (
    T0,
    Actor,
    World,
    application,
    certificate,
    event,
    sign,
    when,
)
from tests.ledger.test_monitor import fetch_from


def _settings(w: World, signer: Actor | None = None, **config: object) -> Statement:
    policy = Settings(**config).policy()  # type: ignore[arg-type]
    return sign(signer or w.operator, "log.settings", policy.body())


def _publicized(w: World, apply: Statement, days: int = 15) -> Statement:
    until = when(w.clock.now + timedelta(days=days))
    return w.ok(event(w.exchange, "asset.publicize", apply.hash, apply.hash, until=until))


def _register(w: World, asset: bytes, prev: bytes, number: str, **extra: str) -> Statement:
    expires = when(w.clock.now + timedelta(days=365))
    return event(
        w.exchange, "asset.register", asset, prev, certificate=number, expires=expires, **extra
    )


# The log's settings ----------------------------------------------------------


def test_settings_are_the_operators_and_apply_from_their_entry_on(world: World) -> None:
    w = world
    w.refused(_settings(w, w.exchange, publicity_days=0), "settings.not_operator")
    apply = w.ok(application(w.holder, w.exchange))
    until = when(w.clock.now)
    w.refused(
        event(w.exchange, "asset.publicize", apply.hash, apply.hash, until=until),
        "asset.publicity_too_short",
    )
    w.ok(_settings(w, publicity_days=0))
    assert w.log.store.log_settings() == Settings(publicity_days=0).policy()
    pub = w.ok(event(w.exchange, "asset.publicize", apply.hash, apply.hash, until=until))
    w.ok(_register(w, apply.hash, pub.hash, certificate()))
    assert w.asset(apply.hash).status == "registered"


def test_an_honest_log_with_no_publicity_raises_no_alarm_on_replay(world: World) -> None:
    """CUNZHENG_PUBLICITY_DAYS=0: the monitor and rebuild read the log's own settings."""
    w = world
    w.ok(_settings(w, publicity_days=0))
    apply = w.ok(application(w.holder, w.exchange))
    pub = w.ok(
        event(w.exchange, "asset.publicize", apply.hash, apply.hash, until=when(w.clock.now))
    )
    w.ok(_register(w, apply.hash, pub.hash, certificate()))
    log = w.log
    result = audit(fetch_from(log), log_key=log.signer.verifier(), state=None)
    assert result.statement_types["asset.register"] == 1
    assert result.state.registry.policy().publicity == timedelta(0)
    live = log.store.registry_snapshot()
    assert rebuild(log.store) == log.store.head().size
    assert log.store.registry_snapshot() == live
    # Restored from the monitor's state file, the settings stay those of the log.
    restored = type(result.state).from_json(
        result.state.to_json(log.signer.verifier()), log.signer.verifier()
    )
    assert restored.registry.policy() == result.state.registry.policy()


def test_the_verifier_replay_applies_the_settings_a_bundle_carries() -> None:
    operator = Actor("Operator", "operator")
    entries = [operator.registration()]
    strict = Policy(publicity=timedelta(days=30))
    entries.append(sign(operator, "log.settings", strict.body()))
    checks = replay([ReplayEntry(i, s, _at(i), True) for i, s in enumerate(entries)])
    assert all(c.reason == "rules.allowed" for c in checks.values())
    state = MemoryRegistry()
    for i, s in enumerate(entries):
        state.add(s, index=i, logged_at=_at(i))
    assert state.policy() == strict


def _at(i: int) -> datetime:
    return T0 + timedelta(minutes=i)


def test_settings_bodies_are_checked() -> None:
    good = DEFAULT_POLICY.body()
    for bad, what in [
        ({**good, "publicity_days": -1}, "publicity_days"),
        ({**good, "term_days": 0}, "term_days"),
        ({**good, "systems": {}}, "systems"),
        ({**good, "systems": {"x": {"certificate": "("}}}, "not a regular expression"),
        ({**good, "systems": {"x": {}}}, "certificate"),
    ]:
        with pytest.raises(MalformedInput, match=what):
            sign(Actor("Operator", "operator"), "log.settings", bad)


# Registration systems and certificate numbers ---------------------------------


def test_a_registration_system_must_be_one_the_settings_name(world: World) -> None:
    w = world
    body = application(w.holder, w.exchange).to_json()["body"] | {"system": "nda-data-property"}
    w.refused(sign(w.holder, "asset.apply", body, w.exchange), "asset.unknown_system")
    w.ok(_settings(w, registration_systems={"nda-data-property": r"NDA\d{10}"}))
    apply = w.ok(sign(w.holder, "asset.apply", body, w.exchange))
    pub = _publicized(w, apply)
    w.clock.advance(days=15)
    w.refused(_register(w, apply.hash, pub.hash, certificate()), "asset.certificate_format")
    w.ok(_register(w, apply.hash, pub.hash, "NDA0000000001"))


def test_certificate_numbers_follow_the_cnipa_format_and_are_issued_once(world: World) -> None:
    w = world
    first = w.registered_asset()
    assert first.certificate is not None
    apply = w.ok(application(w.holder, w.exchange, name="Second dataset"))
    pub = _publicized(w, apply)
    w.clock.advance(days=15)
    for wrong in ("C1", "2026010031000001", "20261300310000001", "2026010031000000X"):
        w.refused(_register(w, apply.hash, pub.hash, wrong), "asset.certificate_format")
    w.refused(_register(w, apply.hash, pub.hash, first.certificate), "asset.certificate_taken")
    w.refused(
        _register(w, apply.hash, pub.hash, certificate(), registration_number="short"),
        "asset.registration_number_format",
    )
    number = certificate()
    w.ok(_register(w, apply.hash, pub.hash, number, registration_number="D2024310000001A7"))
    asset = w.asset(apply.hash)
    assert (asset.certificate, asset.registration_number) == (number, "D2024310000001A7")


# Fingerprints --------------------------------------------------------------


def test_a_fingerprint_binds_one_live_asset(world: World) -> None:
    w = world
    first = w.ok(application(w.holder, w.exchange))
    # Another holder's claim to the same data goes through an objection, not a second application.
    w.refused(application(w.buyer, w.exchange), "asset.fingerprint_taken")
    # The same holder records a new version instead.
    body = application(w.holder, w.exchange).to_json()["body"]
    body["particulars"] = body["particulars"] | {"name": "The same data, applied for again"}
    w.refused(sign(w.holder, "asset.apply", body, w.exchange), "asset.fingerprint_taken")
    w.ok(event(w.holder, "asset.cancel", first.hash, first.hash, w.exchange))
    again = w.ok(application(w.buyer, w.exchange))
    assert w.asset(again.hash).holder == w.buyer.id


def test_a_new_version_cannot_take_another_assets_fingerprint(world: World) -> None:
    w = world
    mine = w.registered_asset()
    theirs = w.ok(application(w.buyer, w.exchange, name="Their dataset"))
    taken = w.asset(theirs.hash).fingerprint.hex()
    w.refused(
        event(w.holder, "asset.version", mine.id, mine.last_event, w.exchange, fingerprint=taken),
        "asset.fingerprint_taken",
    )


# Pledges -------------------------------------------------------------------


def test_a_pledgee_is_a_financial_institution(world: World) -> None:
    w = world
    asset = w.registered_asset()
    terms = "0" * 64
    w.refused(
        event(
            w.holder,
            "asset.pledge",
            asset.id,
            asset.last_event,
            w.buyer,
            pledgee=w.buyer.hex,
            terms_sha256=terms,
        ),
        "asset.pledgee_not_financial_institution",
    )
    w.ok(
        event(
            w.holder,
            "asset.pledge",
            asset.id,
            asset.last_event,
            w.bank,
            pledgee=w.bank.hex,
            terms_sha256=terms,
        )
    )
    assert w.asset(asset.id).pledgee == w.bank.id
    w.refused(
        Actor("Lender", "financial_institution").registration(), "party.registration_not_authorised"
    )


def test_the_service_states_its_settings_after_the_operator_and_shows_them(
    tmp_path: Path, database_url: str
) -> None:
    from fastapi.testclient import TestClient

    from cunzheng.api.app import create_app

    settings = server_settings(tmp_path / "data", database_url, publicity_days=0)
    with TestClient(create_app(settings)) as client:
        info = client.get("/log/info").json()
        assert info["settings"] == Settings(publicity_days=0).policy().body()
        assert info["settings"]["publicity_days"] == 0
        assert client.get("/log/entries/1").json()["statement"]["type"] == "log.settings"
    # Restarted on the same settings, the log states nothing new; on other settings, a change.
    with TestClient(create_app(settings)) as client:
        assert client.get("/log/info").json()["size"] == 2
    with TestClient(create_app(settings.model_copy(update={"publicity_days": 10}))) as client:
        info = client.get("/log/info").json()
        assert (info["size"], info["settings"]["publicity_days"]) == (3, 10)
