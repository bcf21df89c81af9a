"""Who may sign: party registration, key rotation and revocation, enforced in log order."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.clock import format_time, utc_now
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.log import Log
from cunzheng.ledger.statements import Statement, cosign, sign_statement
from tests.conftest import SIGNED_AT, evidence, registration
from tests.ledger.registry_world import Actor, World
from tests.ledger.registry_world import sign as registry_sign


def _b64(key: SigningKey) -> str:
    return base64.b64encode(bytes(key.verify_key)).decode()


def _sign(signer: SigningKey, kind: str, **body: object) -> Statement:
    return sign_statement(type=kind, body=body, key=signer, signed_at=SIGNED_AT)


def _refused(log: Log, statement: Statement, code: str) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        log.add(statement).result()
    assert info.value.reason_code == code, info.value.message
    return info.value


@pytest.fixture
def operator(log: Log) -> SigningKey:
    key = SigningKey.generate()
    log.add(registration(key, kind="operator", name="Operator")).result()
    return key


def test_an_unregistered_key_cannot_sign(log: Log) -> None:
    error = _refused(log, evidence(SigningKey.generate(), 1), "key.unknown")
    assert "register the key first" in error.message


def test_a_rights_holder_registers_itself_once(log: Log, holder: SigningKey) -> None:
    assert log.add(evidence(holder, 1)).result().index == 1
    stranger = SigningKey.generate()
    _refused(log, registration(holder, name="Again", signer=stranger), "key.already_registered")


@pytest.mark.parametrize("kind", ["court", "exchange"])
def test_courts_and_exchanges_are_registered_by_the_operator(
    log: Log, holder: SigningKey, operator: SigningKey, kind: str
) -> None:
    party = SigningKey.generate()
    _refused(log, registration(party, kind=kind), "party.registration_not_authorised")
    _refused(
        log, registration(party, kind=kind, signer=holder), "party.registration_not_authorised"
    )
    log.add(registration(party, kind=kind, signer=operator)).result()
    log.add(evidence(party, 5)).result()


def test_only_one_genesis_operator(log: Log, operator: SigningKey) -> None:
    _refused(
        log,
        registration(SigningKey.generate(), kind="operator"),
        "party.registration_not_authorised",
    )


def test_an_exchange_registers_a_holder_on_its_behalf(log: Log, operator: SigningKey) -> None:
    exchange, client = SigningKey.generate(), SigningKey.generate()
    log.add(registration(exchange, kind="exchange", signer=operator)).result()
    log.add(registration(client, signer=exchange)).result()
    log.add(evidence(client, 9)).result()


def test_rotation_retires_the_old_key(log: Log, holder: SigningKey) -> None:
    party = registration(holder).hash.hex()
    new = SigningKey.generate()
    log.add(
        _sign(holder, "party.rotate_key", party=party, old_key=_b64(holder), new_key=_b64(new))
    ).result()
    _refused(log, evidence(holder, 1), "key.revoked")
    log.add(evidence(new, 1)).result()
    stranger = SigningKey.generate()
    log.add(registration(stranger)).result()
    _refused(
        log,
        _sign(
            stranger,
            "party.rotate_key",
            party=party,
            old_key=_b64(new),
            new_key=_b64(SigningKey.generate()),
        ),
        "party.not_authorised",
    )


def test_revocation_from_a_past_time_stops_the_key(log: Log, holder: SigningKey) -> None:
    party = registration(holder).hash.hex()
    backup = SigningKey.generate()
    log.add(
        _sign(holder, "party.rotate_key", party=party, old_key=_b64(holder), new_key=_b64(backup))
    ).result()
    since = format_time(utc_now() - timedelta(days=1))
    log.add(
        _sign(backup, "party.revoke_key", party=party, key=_b64(backup), **{"from": since})
    ).result()
    record = log.store.key_record(bytes(backup.verify_key))
    assert (
        record is not None and record.revoked_from is not None and record.revoked_index is not None
    )
    _refused(log, evidence(backup, 2), "key.revoked")


def test_a_revocation_in_the_future_leaves_the_key_valid_until_then(
    log: Log, holder: SigningKey
) -> None:
    party = registration(holder).hash.hex()
    later = format_time(utc_now() + timedelta(days=30))
    log.add(
        _sign(holder, "party.revoke_key", party=party, key=_b64(holder), **{"from": later})
    ).result()
    log.add(evidence(holder, 3)).result()


def test_keys_of_another_party_cannot_be_touched(log: Log, holder: SigningKey) -> None:
    other = SigningKey.generate()
    log.add(registration(other)).result()
    party = registration(holder).hash.hex()
    _refused(
        log,
        _sign(
            holder,
            "party.revoke_key",
            party=party,
            key=_b64(other),
            **{"from": format_time(utc_now())},
        ),
        "key.not_of_party",
    )
    _refused(
        log,
        _sign(
            holder,
            "party.revoke_key",
            party="00" * 32,
            key=_b64(holder),
            **{"from": format_time(utc_now())},
        ),
        "party.unknown",
    )


def test_a_refused_statement_does_not_disturb_its_batch(log: Log, holder: SigningKey) -> None:
    stranger = SigningKey.generate()
    futures = [
        log.add(evidence(holder, 10)),
        log.add(evidence(stranger, 11)),
        log.add(evidence(holder, 12)),
    ]
    assert futures[0].result().index + 1 == futures[2].result().index
    with pytest.raises(RuleViolation):
        futures[1].result()
    assert log.size() == 3


def test_evidence_is_indexed_by_digest(log: Log, holder: SigningKey) -> None:
    logged = log.add(evidence(holder, 77)).result()
    assert log.store.indexes_for_digest(bytes.fromhex(f"{77:064x}")) == [logged.index]
    assert log.store.indexes_for_digest(b"\x00" * 32) == []


def test_cosigners_must_hold_current_keys(
    log: Log, holder: SigningKey, operator: SigningKey
) -> None:
    stranger = SigningKey.generate()
    _refused(log, cosign(evidence(holder, 20), stranger), "key.unknown")
    log.add(cosign(evidence(holder, 21), operator)).result()


# Identity (实名核验): verified by an exchange or the operator ----------------------

USCC = "91310000MA1FL1234Q"
OTHER_USCC = "91310000MA1FL8M29M"


def _with_id(actor: Actor, registry_id: str = USCC, signer: Actor | None = None) -> Statement:
    body = {
        "kind": actor.kind,
        "name": actor.name,
        "key": _b64(actor.key),
        "registry_id": registry_id,
        "registry_id_type": "uscc",
    }
    statement = registry_sign(signer or actor, "party.register", body)
    actor.id = statement.hash
    return statement


def _attest(signer: Actor, party: Actor, registry_id: str = USCC, name: str = "") -> Statement:
    body = {
        "party": party.hex,
        "name": name or party.name,
        "registry_id_type": "uscc",
        "registry_id": registry_id,
    }
    return registry_sign(signer, "party.attest", body)


def test_a_self_registered_party_is_unverified_until_attested(world: World) -> None:
    w = world
    alice = Actor("Alice Data Ltd", "rights_holder")
    w.ok(_with_id(alice))
    party = w.log.store.party(alice.id)
    assert party is not None and not party.verified and party.registry_id_type == "uscc"
    w.refused(_attest(w.buyer, alice), "party.attest_not_authorised")
    w.refused(_attest(w.exchange, alice, name="Someone Else Ltd"), "party.attest_mismatch")
    w.refused(_attest(w.exchange, alice, registry_id=OTHER_USCC), "party.attest_mismatch")
    attestation = w.ok(_attest(w.exchange, alice))
    party = w.log.store.party(alice.id)
    assert party is not None and party.verified
    assert (party.verified_by, party.verified_index) == (
        w.exchange.id,
        w.log.store.find_statements([attestation.hash])[attestation.hash].index,
    )
    w.refused(_attest(w.operator, alice), "party.already_verified")


def test_parties_the_operator_or_an_exchange_registers_are_verified_by_it(world: World) -> None:
    w = world
    for actor in (w.exchange, w.bank, w.operator):
        party = w.log.store.party(actor.id)
        assert party is not None and party.verified
    assert w.log.store.party(w.bank.id).verified_by == w.operator.id  # type: ignore[union-attr]
    assert w.log.store.party(w.operator.id).verified_by == w.operator.id  # type: ignore[union-attr]
    assert not w.log.store.party(w.holder.id).verified  # type: ignore[union-attr]
    carol = Actor("Carol Data Ltd", "rights_holder")
    w.ok(_with_id(carol, signer=w.exchange))
    assert w.log.store.party(carol.id).verified_by == w.exchange.id  # type: ignore[union-attr]


def test_two_verified_parties_cannot_share_a_registry_id(world: World) -> None:
    w = world
    alice, mallory = (
        Actor("Alice Data Ltd", "rights_holder"),
        Actor("Alice Data Ltd", "rights_holder"),
    )
    w.ok(_with_id(alice))
    w.ok(_with_id(mallory))  # a self-declared code proves nothing, so it is not refused
    w.ok(_attest(w.exchange, alice))
    w.refused(_attest(w.exchange, mallory), "party.registry_id_taken")
    w.refused(
        _with_id(Actor("Alice Again", "rights_holder"), signer=w.exchange),
        "party.registry_id_taken",
    )
    w.ok(_with_id(Actor("Other Ltd", "rights_holder"), OTHER_USCC, signer=w.exchange))


def test_a_legacy_untyped_registry_id_is_typed_by_its_attestation(world: World) -> None:
    w = world
    dave = Actor("Dave Ltd", "rights_holder")
    body = {"kind": dave.kind, "name": dave.name, "key": _b64(dave.key), "registry_id": USCC}
    dave.id = w.ok(registry_sign(dave, "party.register", body)).hash
    w.ok(_attest(w.exchange, dave))
    party = w.log.store.party(dave.id)
    assert party is not None and party.verified and party.registry_id_type == "uscc"
