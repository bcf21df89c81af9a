"""Statement cases for tests/web/statements.test.js, with the Python verdict on each.

Prints JSON: for each case its statement text, and what cunzheng.ledger.statements
makes of it: the error parse_statement or check_signature raises (class and
message), or the statement's hash, signed message and leaves. Keys are fixed
seeds, so the output is the same on every run.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from nacl.bindings import crypto_scalarmult_ed25519_base_noclamp
from nacl.signing import SigningKey

from cunzheng.ledger.canonical import canonical_json
from cunzheng.ledger.clock import parse_time
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.statements import (
    CONTEXT,
    MAX_STATEMENT_SIZE,
    check_signature,
    cosign,
    json_leaf,
    make_leaf,
    parse_leaf,
    parse_statement,
    sign_statement,
)

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
LOGGED_AT = "2026-11-25T08:00:01.250000Z"
L = (1 << 252) + 27742317777372353535851937790883648493
ONE = (1).to_bytes(32, "little")
KEYS = [SigningKey(bytes([n]) * 32) for n in range(1, 12)]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def signed(key: SigningKey = KEYS[0], **body: Any) -> dict[str, Any]:
    body = body or {"sha256": "ab" * 32}
    return sign_statement(type="evidence.timestamp", body=body, key=key, signed_at=T0).to_json()


def cosigned(*cosigners: SigningKey) -> dict[str, Any]:
    statement = parse_statement(signed())
    for key in cosigners:
        statement = cosign(statement, key)
    return statement.to_json()


def sign_raw(obj: dict[str, Any], key: SigningKey, *, unsigned: tuple[str, ...]) -> dict[str, Any]:
    """Return *obj* signed over its canonical form without the members *unsigned*."""
    unsigned_obj = {k: v for k, v in obj.items() if k not in unsigned}
    return {**obj, "signature": b64(key.sign(CONTEXT + canonical_json(unsigned_obj)).signature)}


def with_(obj: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = {**obj, **changes}
    return {k: v for k, v in out.items() if v is not ...}


def forged_with_key(key: bytes, signature: bytes) -> dict[str, Any]:
    return with_(signed(), signer=b64(key), signature=b64(signature))


def cases() -> dict[str, Any]:
    good = signed()
    sig = base64.b64decode(good["signature"])
    s_plus_l = sig[:32] + (int.from_bytes(sig[32:], "little") + L).to_bytes(32, "little")
    flipped = bytearray(sig)
    flipped[5] ^= 0x01
    identity = bytes([1]) + bytes(31)
    order8 = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
    two = cosigned(KEYS[1], KEYS[2])
    bad_cosig = json.loads(json.dumps(two))
    bad_cosig["cosignatures"][1]["signature"] = two["cosignatures"][0]["signature"]
    keys_sorted = sorted((k.verify_key for k in KEYS[1:4]), key=bytes)
    # A null cosignatures member means none, and the signature covers it as written.
    nulled = sign_raw(with_(good, cosignatures=None), KEYS[0], unsigned=("signature",))
    nulled_unsigned = sign_raw(
        with_(good, cosignatures=None), KEYS[0], unsigned=("signature", "cosignatures")
    )
    texts: dict[str, Any] = {
        "valid": good,
        "valid-other-body": signed(KEYS[3], sha256="cd" * 32, media_type="text/plain"),
        "valid-cosigned": two,
        "valid-cosignatures-null": nulled,
        "cosignatures-null-not-covered": nulled_unsigned,
        "valid-unicode-body": signed(
            KEYS[4], sha256="ef" * 32, media_type='张三 \u2028 "q" \U0001f600'
        ),
        "signature-bit-flipped": with_(good, signature=b64(bytes(flipped))),
        "body-altered": with_(good, body={"sha256": "ac" * 32}),
        "signed-at-altered": with_(good, signed_at="2026-11-25T08:00:00.000001Z"),
        "signature-s-plus-l": with_(good, signature=b64(s_plus_l)),
        "identity-key-zero-signature": forged_with_key(identity, identity + bytes(32)),
        # R = the base point and S = 1 satisfy the cofactorless equation for the
        # identity key whatever the message: only the check of the key refuses it.
        "identity-key-base-point-r": forged_with_key(
            identity, crypto_scalarmult_ed25519_base_noclamp(ONE) + ONE
        ),
        "small-order-key": forged_with_key(order8, identity + bytes(32)),
        "small-order-key-sign-bit": forged_with_key(
            order8[:31] + bytes([order8[31] | 0x80]), identity + bytes(32)
        ),
        "non-canonical-key": forged_with_key(
            bytes([0xEE]) + b"\xff" * 30 + b"\x7f", identity + bytes(32)
        ),
        "small-order-r": with_(good, signature=b64(order8 + sig[32:])),
        "cosignature-wrong": bad_cosig,
        "cosigners-unsorted": with_(
            good,
            cosignatures=[
                {"signer": b64(bytes(k)), "signature": good["signature"]}
                for k in reversed(keys_sorted)
            ],
        ),
        "cosigner-is-signer": with_(
            good, cosignatures=[{"signer": good["signer"], "signature": good["signature"]}]
        ),
        "cosignatures-empty": with_(good, cosignatures=[]),
        "cosignatures-nine": with_(
            good, cosignatures=[{"signer": good["signer"], "signature": good["signature"]}] * 9
        ),
        "cosignature-not-object": with_(good, cosignatures=["x"]),
        "cosignature-extra-member": with_(
            good,
            cosignatures=[{"signer": good["signer"], "signature": good["signature"], "x": 1}],
        ),
        "missing-signer": with_(good, signer=...),
        "missing-two": with_(good, signer=..., body=...),
        "unknown-member": with_(good, note="hello", extra=1),
        "signer-not-base64": with_(good, signer="not base64!"),
        "signer-non-canonical-base64": with_(good, signer=good["signer"][:-2] + "x="),
        "signer-short": with_(good, signer=b64(bytes(31))),
        "signature-long": with_(good, signature=b64(bytes(65))),
        "signed-at-feb-30": with_(good, signed_at="2026-02-30T08:00:00Z"),
        "signed-at-no-zone": with_(good, signed_at="2026-11-25T08:00:00"),
        "signed-at-not-string": with_(good, signed_at=20261125),
        "type-unknown": with_(good, type="evidence.other"),
        "body-not-object": with_(good, body=["sha256"]),
        "body-digest-upper-case": with_(good, body={"sha256": "AB" * 32}),
        "body-unknown-member": with_(good, body={"sha256": "ab" * 32, "size": 3}),
        "body-before-signer": with_(good, body={}, signer="x"),
        "valid-dataset": sign_statement(
            type="evidence.dataset",
            body={"root": "01" * 32, "scheme": "records", "count": 6, "format": "jsonl"},
            key=KEYS[5],
            signed_at=T0,
        ).to_json(),
        "too-large": with_(
            good, body={"sha256": "ab" * 32, "media_type": "x" * MAX_STATEMENT_SIZE}
        ),
        "not-an-object": [good],
    }
    out: dict[str, Any] = {
        "logged_at": LOGGED_AT,
        "max_statement_size": MAX_STATEMENT_SIZE,
        "cases": [],
    }
    for name, obj in texts.items():
        text = json.dumps(obj, ensure_ascii=False, indent=1)
        out["cases"].append({"name": name, "text": text, **verdict(text)})
    out["times"] = time_cases()
    out["duplicate_key_text"] = '{"type":"a","type":"b"}'
    out["leaf_not_canonical"] = '{"statement": 1, "logged_at": "x"}'
    return out


TIMES = [
    "2026-11-25T08:00:00Z",
    "2024-02-29T23:59:59.999999999Z",
    "2023-02-29T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "0000-12-31T00:00:00Z",
    "1969-12-31T23:59:59.5Z",
    "9999-12-31T23:59:59.000001Z",
    "2026-11-25T24:00:00Z",
    "2026-11-25T08:60:00Z",
    "2026-11-25T08:00:60Z",
    "2026-00-10T08:00:00Z",
    "2026-11-25T08:00:00.Z",
    "2026-11-25T08:00:00+00:00",
    "2026-11-25 08:00:00Z",
]


def time_cases() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for text in TIMES:
        try:
            moment = parse_time(text, what="t")
        except LedgerError as e:
            out.append({"text": text, "error": type(e).__name__, "message": e.message})
        else:
            micros = (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
            out.append({"text": text, "error": None, "micros": micros})
    return out


def verdict(text: str) -> dict[str, Any]:
    try:
        statement = parse_statement(text)
    except LedgerError as e:
        return {"stage": "parse", "error": type(e).__name__, "message": e.message}
    result = {
        "hash": statement.hash.hex(),
        "canonical": statement.canonical.decode(),
        "signed_message": b64(statement.signed_message()),
        "leaf": b64(make_leaf(statement, LOGGED_AT)),
        "json_leaf": b64(json_leaf(json.loads(text), LOGGED_AT)),
        "signed_at_micros": round(statement.signed_at.timestamp() * 1_000_000),
    }
    parse_leaf(make_leaf(statement, LOGGED_AT))
    try:
        check_signature(statement)
    except LedgerError as e:
        return {"stage": "signature", "error": type(e).__name__, "message": e.message, **result}
    return {"stage": "ok", **result}


if __name__ == "__main__":
    print(json.dumps(cases(), ensure_ascii=False))
