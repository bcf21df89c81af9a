"""Assembling bundles from the log: the entries asked for, the party entries they rest on, proofs."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger import merkle
from cunzheng.ledger.bundles import build_bundle
from cunzheng.ledger.clock import format_time, utc_now
from cunzheng.ledger.errors import Conflict, InvalidSignature, MalformedInput, NotFound
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Checkpoint, Signer, sign_checkpoint
from cunzheng.ledger.statements import Statement, cosign, sign_statement
from cunzheng.ledger.verify import bundle_json, render_text, report_json, verify_bundle
from cunzheng.schemas.bundles import MAX_REQUESTED, Bundle, BundleRequest, bundle_json_schema_text
from tests.conftest import SIGNED_AT, evidence, registration

SCHEMA_FILE = Path(__file__).parents[2] / "schemas" / "bundle.schema.json"


def _b64(key: SigningKey) -> str:
    return base64.b64encode(bytes(key.verify_key)).decode()


def _sign(signer: SigningKey, kind: str, **body: object) -> Statement:
    return sign_statement(type=kind, body=body, key=signer, signed_at=SIGNED_AT)


def _add(log: Log, statement: Statement) -> int:
    return log.add(statement).result().index


def _verified(log: Log, request: BundleRequest) -> Bundle:
    bundle = build_bundle(log, request)
    report = verify_bundle(bundle_json(bundle), log_key=log.signer.verifier())
    assert report.ok, [(c.subject, c.reason, c.detail) for c in report.failed()]
    return bundle


def _indexes(bundle: Bundle) -> list[tuple[int, str]]:
    return [(e.index, e.role) for e in bundle.entries]


def test_an_evidence_entry_comes_with_its_signers_registration(
    log: Log, holder: SigningKey
) -> None:
    index = _add(log, evidence(holder, 1))
    _add(log, evidence(holder, 2))
    bundle = _verified(log, BundleRequest(indexes=[index]))
    assert _indexes(bundle) == [(0, "party"), (index, "evidence")]
    assert bundle.log.verifier_key == log.signer.verifier().to_string()
    assert bundle.checkpoint == log.checkpoint()
    assert bundle.earlier_checkpoints == [] and bundle.timestamps == [] == bundle.cosignatures


def test_rotations_and_revocations_of_the_signers_party_come_along(
    log: Log, holder: SigningKey
) -> None:
    party = registration(holder).hash.hex()
    new, spare = SigningKey.generate(), SigningKey.generate()
    rotation = _add(
        log, _sign(holder, "party.rotate_key", party=party, old_key=_b64(holder), new_key=_b64(new))
    )
    stamped = _add(log, evidence(new, 1))
    second = _add(
        log, _sign(new, "party.rotate_key", party=party, old_key=_b64(new), new_key=_b64(spare))
    )
    later = format_time(utc_now() + timedelta(days=30))
    revocation = _add(
        log, _sign(spare, "party.revoke_key", party=party, key=_b64(spare), **{"from": later})
    )
    bundle = _verified(log, BundleRequest(indexes=[stamped]))
    assert _indexes(bundle) == [
        (0, "party"),
        (rotation, "party"),
        (stamped, "evidence"),
        (second, "party"),
        (revocation, "party"),
    ]


def test_a_chain_of_registrars_is_followed_to_the_operator(log: Log) -> None:
    operator, exchange, client = (SigningKey.generate() for _ in range(3))
    genesis = _add(log, registration(operator, kind="operator", name="Operator"))
    registrar = _add(log, registration(exchange, kind="exchange", name="SDE", signer=operator))
    registered = _add(log, registration(client, name="Client", signer=exchange))
    stamped = _add(log, evidence(client, 9))
    bundle = _verified(log, BundleRequest(indexes=[stamped]))
    assert [i for i, _ in _indexes(bundle)] == [genesis, registrar, registered, stamped]


def test_cosigners_keys_are_established_too(log: Log, holder: SigningKey) -> None:
    witness = SigningKey.generate()
    registered = _add(log, registration(witness, kind="witness", name="Witness"))
    stamped = _add(log, cosign(evidence(holder, 5), witness))
    bundle = _verified(log, BundleRequest(indexes=[stamped]))
    assert [i for i, _ in _indexes(bundle)] == [0, registered, stamped]


def test_receipts_and_leaf_hashes_name_entries(log: Log, holder: SigningKey) -> None:
    first = log.add(evidence(holder, 1)).result()
    receipt = log.receipt(first)
    second = log.add(evidence(holder, 2)).result()
    _add(log, evidence(holder, 3))
    bundle = _verified(
        log,
        BundleRequest(receipts=[receipt], leaf_hashes=[merkle.leaf_hash(second.leaf)]),
    )
    assert _indexes(bundle) == [(0, "party"), (first.index, "evidence"), (second.index, "evidence")]
    (earlier,) = bundle.earlier_checkpoints
    assert earlier.checkpoint == receipt.checkpoint


def test_a_receipt_for_the_latest_checkpoint_adds_no_earlier_checkpoint(
    log: Log, holder: SigningKey
) -> None:
    receipt = log.receipt(log.add(evidence(holder, 1)).result())
    assert _verified(log, BundleRequest(receipts=[receipt])).earlier_checkpoints == []


def test_unknown_entries_are_not_found(log: Log, holder: SigningKey) -> None:
    with pytest.raises(NotFound, match="no entry 5"):
        build_bundle(log, BundleRequest(indexes=[5]))
    with pytest.raises(NotFound, match="leaf hash"):
        build_bundle(log, BundleRequest(leaf_hashes=[bytes(32)]))
    receipt = log.receipt(log.add(evidence(holder, 1)).result())
    stranger = receipt.model_copy(update={"logged_at": "2020-01-01T00:00:00.000000Z"})
    with pytest.raises(NotFound, match="receipt 0"):
        build_bundle(log, BundleRequest(receipts=[stranger]))


def test_requests_that_name_nothing_or_too_much_are_malformed(log: Log) -> None:
    with pytest.raises(MalformedInput, match="at least one"):
        build_bundle(log, BundleRequest())
    with pytest.raises(MalformedInput, match="at most"):
        build_bundle(log, BundleRequest(indexes=[0] * (MAX_REQUESTED + 1)))


def test_a_receipt_with_a_wrong_index_or_a_forged_checkpoint_conflicts(
    log: Log, holder: SigningKey
) -> None:
    logged = log.add(evidence(holder, 1)).result()
    _add(log, evidence(holder, 2))
    receipt = log.receipt(logged)
    with pytest.raises(Conflict, match="not 0"):
        build_bundle(log, BundleRequest(receipts=[receipt.model_copy(update={"index": 0})]))
    forged_note = sign_checkpoint(Checkpoint(log.origin, receipt.tree_size, bytes(32)), log.signer)
    forged = receipt.model_copy(update={"checkpoint": forged_note})
    with pytest.raises(Conflict, match="forked"):
        build_bundle(log, BundleRequest(receipts=[forged]))
    alien = sign_checkpoint(
        Checkpoint(log.origin, receipt.tree_size, bytes(32)), Signer.generate(log.origin)
    )
    with pytest.raises(InvalidSignature):
        build_bundle(
            log, BundleRequest(receipts=[receipt.model_copy(update={"checkpoint": alien})])
        )


def test_only_evidence_and_party_entries_are_bundled(log: Log) -> None:
    bundle = _verified(log, BundleRequest(indexes=[0]))
    assert _indexes(bundle) == [(0, "party")]


def test_the_json_schema_file_is_current() -> None:
    expected = bundle_json_schema_text()
    assert SCHEMA_FILE.read_text() == expected, (
        "schemas/bundle.schema.json is stale; regenerate it with "
        "`python -m schemas.bundles > schemas/bundle.schema.json`"
    )
    assert json.loads(expected)["properties"]["format"]["const"] == "cunzheng.bundle/v1"


def test_reports_say_whether_the_signers_identity_was_verified_and_by_whom(
    log: Log, holder: SigningKey
) -> None:
    operator, exchange = SigningKey.generate(), SigningKey.generate()
    _add(log, registration(operator, kind="operator", name="The operator"))
    _add(log, registration(exchange, kind="exchange", name="Data Exchange", signer=operator))
    own = _add(log, evidence(holder, 1))
    vouched = _add(log, evidence(exchange, 2))
    for index, en, zh in [
        (own, "identity self-declared, not verified", "身份为自行申报"),
        (vouched, "identity verified by The operator at entry", "身份经 The operator 于条目"),
    ]:
        bundle = _verified(log, BundleRequest(indexes=[index]))
        report = verify_bundle(bundle_json(bundle), log_key=log.signer.verifier())
        assert en in render_text(report, lang="en")
        assert zh in render_text(report, lang="zh")
        (finding,) = report_json(report)["findings"]
        assert finding["facts"]["verified"] is (index == vouched)


def test_an_attested_signers_attestation_and_its_attester_come_along(log: Log) -> None:
    operator, exchange, alice = SigningKey.generate(), SigningKey.generate(), SigningKey.generate()
    _add(log, registration(operator, kind="operator", name="The operator"))
    _add(log, registration(exchange, kind="exchange", name="Data Exchange", signer=operator))
    code = "91440300708461136T"
    body = {
        "kind": "rights_holder",
        "name": "Alice Data Ltd",
        "key": _b64(alice),
        "registry_id_type": "uscc",
        "registry_id": code,
    }
    alice_party = sign_statement(type="party.register", body=body, key=alice, signed_at=SIGNED_AT)
    _add(log, alice_party)
    attest = _add(
        log,
        _sign(
            exchange,
            "party.attest",
            party=alice_party.hash.hex(),
            name="Alice Data Ltd",
            registry_id_type="uscc",
            registry_id=code,
        ),
    )
    index = _add(log, evidence(alice, 1))
    bundle = _verified(log, BundleRequest(indexes=[index]))
    assert (attest, "party") in _indexes(bundle)
    report = verify_bundle(bundle_json(bundle), log_key=log.signer.verifier())
    assert "identity verified by Data Exchange at entry" in render_text(report, lang="en")
    (finding,) = report_json(report)["findings"]
    assert finding["facts"]["verified"] is True
