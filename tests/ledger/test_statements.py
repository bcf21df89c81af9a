"""Signed statements: shape, signature, size and the leaves that log them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey

from cunzheng.ledger.canonical import canonical_json
from cunzheng.ledger.clock import format_time, parse_time
from cunzheng.ledger.errors import InvalidSignature, MalformedInput
from cunzheng.ledger.statements import (
    CONTEXT,
    MAX_STATEMENT_SIZE,
    check_signature,
    cosign,
    make_leaf,
    parse_leaf,
    parse_statement,
    sign_statement,
)
from cunzheng.ledger.tiles import MAX_ENTRY_SIZE
from tests.ledger.registry_world import Actor, application

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
def key() -> SigningKey:
    return SigningKey(bytes(range(32)))


def _statement(key: SigningKey, **body: Any) -> dict[str, Any]:
    return sign_statement(
        type="evidence.timestamp", body={"sha256": "ab" * 32, **body}, key=key, signed_at=T0
    ).to_json()


def test_signed_statements_check(key: SigningKey) -> None:
    obj = _statement(key)
    statement = parse_statement(orjson.dumps(obj))
    check_signature(statement)
    assert statement.type == "evidence.timestamp"
    assert statement.signer == bytes(key.verify_key)
    assert statement.canonical == canonical_json(obj)
    key.verify_key.verify(statement.signed_message(), statement.signature)
    assert statement.signed_message().startswith(CONTEXT)


def test_signature_covers_the_text_of_signed_at(key: SigningKey) -> None:
    unsigned = {
        "type": "evidence.timestamp",
        "signer": base64.b64encode(bytes(key.verify_key)).decode(),
        "signed_at": "2026-11-25T08:00:00Z",
        "body": {"sha256": "cd" * 32},
    }
    signature = key.sign(CONTEXT + canonical_json(unsigned)).signature
    statement = parse_statement({**unsigned, "signature": base64.b64encode(signature).decode()})
    check_signature(statement)
    assert statement.to_json()["signed_at"] == "2026-11-25T08:00:00Z"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "evidence.timestamp"),  # unchanged: control
        ("signed_at", "2026-11-25T08:00:01.000000Z"),
        ("body", {"sha256": "ac" * 32}),
        ("signer", base64.b64encode(bytes(SigningKey(b"\x07" * 32).verify_key)).decode()),
    ],
)
def test_any_change_breaks_the_signature(key: SigningKey, field: str, value: Any) -> None:
    obj = _statement(key)
    changed = obj[field] != value
    obj[field] = value
    statement = parse_statement(obj)
    if not changed:
        check_signature(statement)
        return
    with pytest.raises(InvalidSignature, match="does not verify"):
        check_signature(statement)


def test_flipped_signature_bits_are_refused(key: SigningKey) -> None:
    obj = _statement(key)
    raw = bytearray(base64.b64decode(obj["signature"]))
    for bit in range(0, 512, 37):
        mutated = bytearray(raw)
        mutated[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(InvalidSignature):
            check_signature(
                parse_statement({**obj, "signature": base64.b64encode(bytes(mutated)).decode()})
            )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda o: o.pop("signature"), "lacks signature"),
        (lambda o: o.update(extra=1), "unknown members: extra"),
        (lambda o: o.update(type="evidence.other"), "is not known"),
        (lambda o: o.update(signature="!!"), "not valid base64"),
        (lambda o: o.update(signature=base64.b64encode(b"x" * 63).decode()), "64 bytes"),
        (lambda o: o.update(signer=123), "base64 string"),
        (lambda o: o.update(signed_at="2026-11-25 08:00:00"), "RFC 3339"),
        (lambda o: o.update(signed_at="2026-02-30T08:00:00Z"), "not a valid date"),
        (lambda o: o.update(body=[]), "body must be a JSON object"),
        (lambda o: o["body"].update(sha256="AB" * 32), "lowercase hex"),
        (lambda o: o["body"].update(size=1.5), "not floating point"),
        (lambda o: o["body"].update(size=1), "unknown members: size"),
        (lambda o: o["body"].pop("sha256"), "lacks sha256"),
    ],
)
def test_malformed_statements_say_what_is_wrong(key: SigningKey, mutate: Any, message: str) -> None:
    obj = _statement(key)
    mutate(obj)
    with pytest.raises(MalformedInput, match=message):
        parse_statement(obj)


@pytest.mark.parametrize("data", [b"", b"[]", b"null", b"{", b"\xff\xfe", b'{"type": 1.5}'])
def test_garbage_is_malformed_input(data: bytes) -> None:
    with pytest.raises(MalformedInput):
        parse_statement(data)


@pytest.mark.parametrize("padding", [65_535, 70_000, MAX_STATEMENT_SIZE])
def test_oversized_statements_are_refused(key: SigningKey, padding: int) -> None:
    obj = _statement(key)
    obj["body"]["media_type"] = "x" * padding
    with pytest.raises(
        MalformedInput, match=f"bytes as canonical JSON; the limit is {MAX_STATEMENT_SIZE}"
    ):
        parse_statement(orjson.dumps(obj))


def test_media_type_is_bounded(key: SigningKey) -> None:
    obj = _statement(key)
    obj["body"]["media_type"] = "x" * 256
    with pytest.raises(MalformedInput, match="at most 255"):
        parse_statement(obj)


def test_largest_statement_fits_an_entry(key: SigningKey) -> None:
    statement = parse_statement(_statement(key))
    leaf = make_leaf(statement, T0)
    assert len(leaf) - len(statement.canonical) + MAX_STATEMENT_SIZE == MAX_ENTRY_SIZE


def test_leaves_round_trip(key: SigningKey) -> None:
    statement = parse_statement(_statement(key))
    leaf = make_leaf(statement, T0)
    assert leaf.startswith(b'{"logged_at":"2026-11-25T08:00:00.000000Z","statement":{')
    cosigned = cosign(statement, SigningKey.generate())
    for s in (statement, cosigned):
        expected = canonical_json(
            {"logged_at": "2026-11-25T08:00:00.000000Z", "statement": s.to_json()}
        )
        assert make_leaf(s, T0) == make_leaf(s, "2026-11-25T08:00:00.000000Z") == expected
    again, logged_at = parse_leaf(leaf)
    assert again == statement and logged_at == T0
    with pytest.raises(MalformedInput, match="canonical"):
        parse_leaf(leaf.replace(b'{"logged_at"', b'{ "logged_at"'))


def test_cosignatures_cover_the_same_message(key: SigningKey) -> None:
    registrar, pledgee = SigningKey.generate(), SigningKey.generate()
    statement = parse_statement(_statement(key))
    both = cosign(cosign(statement, pledgee), registrar)
    check_signature(both)
    assert both.signers[0] == bytes(key.verify_key)
    assert set(both.signers[1:]) == {bytes(registrar.verify_key), bytes(pledgee.verify_key)}
    assert list(both.cosigners) == sorted(both.cosigners)
    assert both.signed_message() == statement.signed_message()
    assert both.hash != statement.hash


def test_a_bad_cosignature_is_named(key: SigningKey) -> None:
    other = SigningKey.generate()
    obj = cosign(parse_statement(_statement(key)), other).to_json()
    sig = bytearray(base64.b64decode(obj["cosignatures"][0]["signature"]))
    sig[5] ^= 4
    obj["cosignatures"][0]["signature"] = base64.b64encode(bytes(sig)).decode()
    with pytest.raises(InvalidSignature, match="cosigner key"):
        check_signature(parse_statement(obj))


@pytest.mark.parametrize(
    ("cosignatures", "message"),
    [
        ([], "1 to 8"),
        ("x", "1 to 8"),
        ([1], "must be an object"),
        ([{"signer": "AA=="}], "lacks signature"),
    ],
)
def test_malformed_cosignatures(key: SigningKey, cosignatures: Any, message: str) -> None:
    obj = _statement(key)
    obj["cosignatures"] = cosignatures
    with pytest.raises(MalformedInput, match=message):
        parse_statement(obj)


def test_cosigners_must_be_distinct_and_sorted(key: SigningKey) -> None:
    a, b = SigningKey.generate(), SigningKey.generate()
    obj = cosign(cosign(parse_statement(_statement(key)), a), b).to_json()
    obj["cosignatures"].reverse()
    with pytest.raises(MalformedInput, match="sorted"):
        parse_statement(obj)
    self_cosigned = _statement(key)
    self_cosigned["cosignatures"] = [
        {"signer": self_cosigned["signer"], "signature": self_cosigned["signature"]}
    ]
    with pytest.raises(MalformedInput, match="differ from the signer"):
        parse_statement(self_cosigned)


@given(st.text(min_size=1, max_size=60))
def test_signed_message_fast_path_equals_the_slow_one(text: str) -> None:
    holder, registrar = Actor("H", "rights_holder"), Actor("R", "exchange")
    registrar.id = b"\x01" * 32
    statement = parse_statement(
        application(holder, registrar, name=',"signature":"' + text).to_json()
    )
    slow = CONTEXT + canonical_json(
        {k: v for k, v in statement.fields.items() if k not in ("signature", "cosignatures")}
    )
    plain = parse_statement({k: v for k, v in statement.fields.items() if k != "cosignatures"})
    assert plain.signed_message() == slow == statement.signed_message()


@given(st.datetimes(timezones=st.just(UTC)))
def test_every_time_is_written_in_rfc_3339_and_read_back(moment: datetime) -> None:
    """Years before 1000 too: four digits, as RFC 3339 requires."""
    text = format_time(moment)
    assert len(text) == 27 and text[4] == "-"
    assert parse_time(text) == moment
