"""Typed bodies: each statement type's body is parsed once into a frozen model that rules read."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.bodies import (
    BODY_TYPES,
    PARTICULARS,
    AccessRead,
    AssetApply,
    AssetChange,
    AssetPledge,
    AssetTransfer,
    EvidenceDataset,
    EvidenceTimestamp,
    LicenceAccept,
    LicenceGrant,
    ObjectionDecide,
    OnAsset,
    OnLicence,
    PartyAttest,
    PartyRegister,
    PartyRevokeKey,
    PartyRotateKey,
    StatementBody,
    body_as,
    parse_body,
)
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.statements import make_leaf, parse_leaf, parse_statement, sign_statement

T = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _key(seed: int) -> str:
    return base64.b64encode(bytes(SigningKey(bytes([seed]) * 32).verify_key)).decode()


GRANT: dict[str, Any] = {
    "asset": _hex("asset"),
    "prev": _hex("prev"),
    "licensee": _hex("licensee"),
    "kind": "exclusive",
    "scope": ["research", "training"],
    "territory": ["CN"],
    "start": "2026-01-01T00:00:00Z",
    "end": "2027-01-01T00:00:00.5Z",
    "sublicensing": False,
    "fee_terms_sha256": _hex("fees"),
}


def test_every_statement_type_has_a_model_named_after_it() -> None:
    assert len(BODY_TYPES) == 24
    for kind, model in BODY_TYPES.items():
        assert kind == model.TYPE
        assert issubclass(model, StatementBody)


def test_a_licence_grant_is_read_as_typed_attributes() -> None:
    grant = parse_body("licence.grant", GRANT)
    assert isinstance(grant, LicenceGrant)
    assert grant.asset == bytes.fromhex(GRANT["asset"])
    assert grant.licensee == bytes.fromhex(GRANT["licensee"])
    assert grant.scope == ("research", "training")
    assert grant.start == datetime(2026, 1, 1, tzinfo=UTC)
    assert grant.end == datetime(2027, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)
    assert grant.sublicensing is False
    assert grant.named_parties == (grant.licensee,)


def test_a_parsed_body_is_frozen() -> None:
    grant = parse_body("licence.grant", GRANT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        grant.kind = "sole"  # type: ignore[misc]


def test_the_first_bad_member_in_body_order_is_the_one_reported() -> None:
    body = {**GRANT, "kind": "shared", "scope": []}
    with pytest.raises(MalformedInput, match="licence.grant body: kind must be one of"):
        parse_body("licence.grant", body)
    reordered = {"scope": [], **{k: v for k, v in body.items() if k != "scope"}}
    with pytest.raises(MalformedInput, match="licence.grant body: scope must be a list"):
        parse_body("licence.grant", reordered)


def test_unknown_types_and_non_objects_are_refused() -> None:
    with pytest.raises(MalformedInput, match="statement type 'asset.steal' is not known"):
        parse_body("asset.steal", {})
    with pytest.raises(MalformedInput, match="statement type 7 is not known"):
        parse_body(7, {})
    with pytest.raises(MalformedInput, match="statement body must be a JSON object"):
        parse_body("asset.cancel", [])


def test_a_statement_carries_its_typed_body_beside_the_signed_json() -> None:
    key = SigningKey(b"\x01" * 32)
    statement = sign_statement(type="licence.grant", body=GRANT, key=key, signed_at=T)
    assert statement.body == GRANT
    assert body_as(statement.content, LicenceGrant).territory == ("CN",)
    # The log's leaf is the signed canonical JSON, and reading it back parses the body again.
    again, _ = parse_leaf(make_leaf(statement, T))
    assert again == statement
    assert again.content == statement.content
    assert parse_statement(statement.canonical).content == statement.content


def test_body_as_refuses_another_model() -> None:
    stamp = parse_body("evidence.timestamp", {"sha256": _hex("file")})
    assert body_as(stamp, EvidenceTimestamp).media_type is None
    with pytest.raises(TypeError, match="evidence.timestamp body is not a LicenceGrant"):
        body_as(stamp, LicenceGrant)


def test_evidence_and_party_bodies() -> None:
    dataset = parse_body(
        "evidence.dataset", {"root": _hex("r"), "scheme": "records", "count": 3, "format": "csv"}
    )
    assert dataset == EvidenceDataset(
        root=bytes.fromhex(_hex("r")), scheme="records", count=3, format="csv"
    )
    party = parse_body("party.register", {"kind": "court", "name": "Court", "key": _key(1)})
    assert isinstance(party, PartyRegister)
    assert party.key == base64.b64decode(_key(1)) and party.registry_id is None
    rotate = parse_body(
        "party.rotate_key", {"party": _hex("p"), "old_key": _key(1), "new_key": _key(2)}
    )
    assert isinstance(rotate, PartyRotateKey) and rotate.named_parties == (rotate.party,)
    revoke = parse_body(
        "party.revoke_key", {"party": _hex("p"), "key": _key(1), "from": "2026-02-01T00:00:00Z"}
    )
    assert isinstance(revoke, PartyRevokeKey)
    assert revoke.revoked_from == datetime(2026, 2, 1, tzinfo=UTC)


def test_an_application_holds_particulars_and_commitments() -> None:
    particulars: dict[str, Any] = {p: f"{p} text" for p in PARTICULARS if p != "processing_rules"}
    particulars["scale"] = {"records": 10, "bytes": 2048}
    body = {
        "registrar": _hex("registrar"),
        "system": "shanghai-data-ip",
        "particulars": particulars,
        "confidential": {"processing_rules": _hex("salted rules")},
        "fingerprint": _hex("data"),
    }
    apply = body_as(parse_body("asset.apply", body), AssetApply)
    assert apply.particulars.name == "name text"
    assert apply.particulars.scale is not None and apply.particulars.scale.byte_count == 2048
    assert dict(apply.confidential) == {"processing_rules": bytes.fromhex(_hex("salted rules"))}
    assert apply.named_parties == (apply.registrar,)
    change = parse_body(
        "asset.change",
        {"asset": _hex("a"), "prev": _hex("p"), "particulars": {"industry": "transport"}},
    )
    assert isinstance(change, AssetChange) and dict(change.confidential) == {}


def test_events_name_their_asset_licence_and_parties() -> None:
    event = {"asset": _hex("a"), "prev": _hex("p")}
    transfer = parse_body("asset.transfer", {**event, "to": _hex("to")})
    pledge = parse_body(
        "asset.pledge", {**event, "pledgee": _hex("bank"), "terms_sha256": _hex("t")}
    )
    read = parse_body(
        "access.read", {"reader": _hex("court"), "asset": _hex("a"), "fields": ["none"]}
    )
    decide = parse_body("objection.decide", {**event, "objection": _hex("o"), "outcome": "upheld"})
    accept = parse_body("licence.accept", {"licence": _hex("l")})
    assert isinstance(transfer, AssetTransfer) and transfer.named_parties == (transfer.to,)
    assert isinstance(pledge, AssetPledge) and pledge.named_parties == (pledge.pledgee,)
    assert isinstance(read, AccessRead) and isinstance(read, OnAsset) and read.named_parties == ()
    assert isinstance(decide, ObjectionDecide) and decide.effect is None
    assert isinstance(accept, LicenceAccept) and isinstance(accept, OnLicence)
    assert not isinstance(accept, OnAsset)


VALID_USCC = "91310000MA1FL1234Q"


@pytest.mark.parametrize("member", ["name", "registry_id"])
def test_a_null_member_of_a_party_registration_is_refused_when_parsed(member: str) -> None:
    body = {"kind": "rights_holder", "name": "Holder", "key": _key(1), member: None}
    with pytest.raises(MalformedInput, match=f"{member} is null; leave the member out"):
        parse_body("party.register", body)


def test_a_null_media_type_is_refused_when_parsed() -> None:
    with pytest.raises(MalformedInput, match="media_type is null"):
        parse_body("evidence.timestamp", {"sha256": _hex("f"), "media_type": None})


@pytest.mark.parametrize(
    ("id_type", "registry_id"),
    [
        ("uscc", VALID_USCC),
        ("resident_id", "11010519491231002X"),
        ("foreign_company", "Companies House 01234567"),
    ],
)
def test_typed_registry_ids_that_pass_their_check(id_type: str, registry_id: str) -> None:
    body = {"kind": "rights_holder", "name": "H", "key": _key(1)}
    party = parse_body(
        "party.register", body | {"registry_id": registry_id, "registry_id_type": id_type}
    )
    assert isinstance(party, PartyRegister)
    assert (party.registry_id_type, party.registry_id) == (id_type, registry_id)


@pytest.mark.parametrize(
    ("id_type", "registry_id", "message"),
    [
        ("uscc", "hello world", "is not a 统一社会信用代码"),
        ("uscc", "91310000MA1FL1234X", "check character of 统一社会信用代码"),
        ("uscc", "91310000MA1FL1234I", "is not a 统一社会信用代码"),
        ("resident_id", "110105194912310021", "check character of the resident ID"),
        ("resident_id", "11010519491231002", "17 digits and a check character"),
        ("passport", "E12345678", "registry_id_type must be one of"),
    ],
    ids=[
        "uscc-free-text",
        "uscc-wrong-check",
        "uscc-letter-i",
        "id-wrong-check",
        "id-short",
        "unknown-type",
    ],
)
def test_typed_registry_ids_that_fail_their_check(
    id_type: str, registry_id: str, message: str
) -> None:
    body = {"kind": "rights_holder", "name": "H", "key": _key(1)}
    with pytest.raises(MalformedInput, match=message):
        parse_body(
            "party.register", body | {"registry_id": registry_id, "registry_id_type": id_type}
        )


def test_an_untyped_registry_id_is_a_declared_text_as_before() -> None:
    body = {
        "kind": "rights_holder",
        "name": "H",
        "key": _key(1),
        "registry_id": "91310000MA1FL1234X",
    }
    party = parse_body("party.register", body)
    assert isinstance(party, PartyRegister) and party.registry_id_type is None
    with pytest.raises(MalformedInput, match="registry_id_type needs a registry_id"):
        untyped = {k: v for k, v in body.items() if k != "registry_id"}
        parse_body("party.register", untyped | {"registry_id_type": "uscc"})


def test_an_attestation_names_a_party_and_its_checked_registry_id() -> None:
    body = {"party": _hex("p"), "name": "H", "registry_id_type": "uscc", "registry_id": VALID_USCC}
    attest = parse_body("party.attest", body)
    assert isinstance(attest, PartyAttest) and attest.named_parties == (attest.party,)
    with pytest.raises(MalformedInput, match="check character"):
        parse_body("party.attest", body | {"registry_id": "91310000MA1FL1234X"})
