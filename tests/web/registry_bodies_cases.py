"""Statement bodies for tests/web/registry_bodies.test.js, with the Python verdict on each.

Prints JSON: a list of cases, each a statement type and a body, and what
``cunzheng.ledger.bodies.parse_body`` makes of it: the error it raises (class
and message) or the parsed body as JSON (bytes in hex, times in RFC 3339).
The cases are valid bodies of every type and mutations of each: every member
left out, an unknown member, and each member replaced by values of the wrong
kind or at the edges of its limits.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cunzheng.ledger.bodies import parse_body
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.errors import LedgerError

H1, H2, H3 = "11" * 32, "22" * 32, "33" * 32
KEY1, KEY2 = (
    "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
    "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=",
)
T1, T2 = "2026-02-01T08:00:00Z", "2027-02-01T08:00:00.123456789Z"
PARTICULARS = {
    "name": "Traffic flows",
    "industry": "transport",
    "scenario": "planning",
    "source": "sensors",
    "legality": "collected lawfully",
    "scale": {"records": 10, "bytes": 2048},
    "update_frequency": "daily",
    "structure": "csv",
}

VALID: list[tuple[str, dict[str, Any]]] = [
    ("evidence.timestamp", {"sha256": H1, "media_type": "text/plain"}),
    ("evidence.dataset", {"root": H1, "scheme": "records", "count": 3, "format": "csv"}),
    ("evidence.dataset", {"root": H1, "scheme": "directory", "count": 0}),
    ("party.register", {"kind": "rights_holder", "name": "Holder Ltd", "key": KEY1}),
    (
        "party.register",
        {
            "kind": "exchange",
            "name": "Exchange",
            "key": KEY1,
            "registry_id": "91310000MA1FL0000N",
            "registry_id_type": "uscc",
        },
    ),
    (
        "party.register",
        {"kind": "court", "name": "Court", "key": KEY1, "registry_id": "free text id"},
    ),
    (
        "party.attest",
        {
            "party": H1,
            "name": "Person",
            "registry_id_type": "resident_id",
            "registry_id": "11010519491231002X",
        },
    ),
    (
        "party.attest",
        {"party": H1, "name": "Co", "registry_id_type": "foreign_company", "registry_id": "C-1"},
    ),
    ("party.rotate_key", {"party": H1, "old_key": KEY1, "new_key": KEY2}),
    ("party.revoke_key", {"party": H1, "key": KEY1, "from": T1}),
    (
        "log.settings",
        {
            "publicity_days": 15,
            "term_days": 1096,
            "systems": {
                "b-system": {"certificate": r"\d{17}", "registration_number": "[0-9A-Z]{16}"},
                "a-system": {"certificate": "(?s:.*)"},
            },
            "platform": {
                "operator_name": "Operator",
                "credit_code": "91310000MA1FL0000N",
                "security_level": 3,
                "tsa_status": "test",
            },
        },
    ),
    (
        "asset.apply",
        {
            "registrar": H1,
            "system": "shanghai-data-ip",
            "particulars": {**PARTICULARS, "sample_sha256": H3},
            "confidential": {"processing_rules": H2},
            "fingerprint": H2,
        },
    ),
    ("asset.publicize", {"asset": H1, "prev": H2, "until": T1}),
    (
        "asset.register",
        {"asset": H1, "prev": H2, "certificate": "20260100310000001", "expires": T2},
    ),
    (
        "asset.register",
        {
            "asset": H1,
            "prev": H2,
            "certificate": "C",
            "expires": T1,
            "registration_number": "R1",
        },
    ),
    ("asset.version", {"asset": H1, "prev": H2, "fingerprint": H3}),
    ("asset.change", {"asset": H1, "prev": H2, "particulars": {"name": "New"}}),
    (
        "asset.change",
        {"asset": H1, "prev": H2, "particulars": {}, "confidential": {"scale": H3}},
    ),
    ("asset.renew", {"asset": H1, "prev": H2, "expires": T2}),
    ("asset.cancel", {"asset": H1, "prev": H2}),
    ("asset.revoke", {"asset": H1, "prev": H2, "objection": H3}),
    ("asset.transfer", {"asset": H1, "prev": H2, "to": H3}),
    ("asset.pledge", {"asset": H1, "prev": H2, "pledgee": H3, "terms_sha256": H1}),
    ("asset.release", {"asset": H1, "prev": H2}),
    ("access.read", {"reader": H1, "asset": H2, "fields": ["processing_rules"]}),
    (
        "licence.grant",
        {
            "asset": H1,
            "prev": H2,
            "licensee": H3,
            "kind": "exclusive",
            "scope": ["analytics"],
            "territory": ["CN"],
            "start": T1,
            "end": T2,
            "sublicensing": False,
            "fee_terms_sha256": H1,
        },
    ),
    ("licence.accept", {"licence": H1}),
    ("licence.terminate", {"licence": H1}),
    ("objection.file", {"asset": H1, "evidence_sha256": H2, "grounds": "It is ours"}),
    (
        "objection.decide",
        {"asset": H1, "prev": H2, "objection": H3, "outcome": "upheld", "effect": "cancel"},
    ),
]

# Values of the wrong kind or at the edges of a member's limits.
WRONG: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    "",
    "   ",
    "\u3000",
    "\ufeff",
    "x",
    "x" * 65,
    "x" * 201,
    "\U0001f600" * 64,
    "AB" * 32,
    "ab" * 31,
    H3,
    KEY1[:-1] + "=",
    "AQEB",
    "2026-02-30T00:00:00Z",
    "2026-01-01T00:00:00+08:00",
    "2026-01-01T24:00:00Z",
    "0000-01-01T00:00:00Z",
    [],
    ["a", "a"],
    ["a"] * 33,
    [""],
    {},
    {"records": -1},
    {"records": 1, "rows": 2},
    {"bytes": True},
    {"name": 1},
    {"name": "n", "colour": "red"},
    {"certificate": "("},
    {"certificate": "a", "registration_number": "[z-a]"},
    {"certificate": "a", "extra": "b"},
    {"x": {"certificate": "a"}},
    {"sample_sha256": "zz"},
    {"name": H1},
    {"name": "bad"},
    {"operator_name": "O", "security_level": 6},
    {"credit_code": "91310000MA1FL0000A"},
    {"credit_code": "I1310000MA1FL0000Q"},
    {"tsa_status": "maybe"},
    {"tsa_name": None},
    "exclusive",
    "upheld",
    "suspend",
    "records",
    "jsonl",
    "uscc",
    "resident_id",
    "91310000MA1FL0000Q",
    "91310000MA1FL0000N",
    "11010519491231002X",
    "110105194912310021",
    "\u0661" * 17 + "X",
]


def mutations(type_: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Return *body* with each member left out, an unknown member, and each member spoiled."""
    out: list[dict[str, Any]] = [{**body, "zzz": 1}, {**body, "0": 1}]
    for key in body:
        out.append({k: v for k, v in body.items() if k != key})
        out.extend({**body, key: value} for value in WRONG)
        if isinstance(body[key], dict):
            for inner in body[key]:
                shorter = {k: v for k, v in body[key].items() if k != inner}
                out.append({**body, key: shorter})
                out.extend({**body, key: {**body[key], inner: value}} for value in WRONG)
    return out


def as_json(value: Any) -> Any:
    """Return a parsed body as JSON values: bytes in hex, times in RFC 3339, models as objects."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, tuple | list):
        return [as_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: as_json(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value):
        return {f.name: as_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def verdict(type_: str, body: Any) -> dict[str, Any]:
    try:
        parsed = parse_body(type_, body)
    except LedgerError as e:
        return {"error": type(e).__name__, "message": e.message}
    return {"parsed": as_json(parsed), "named_parties": [p.hex() for p in parsed.named_parties]}


def cases() -> list[dict[str, Any]]:
    out = [
        {"type": "no.such", "body": {}},
        {"type": 7, "body": {}},
        {"type": "asset.cancel", "body": []},
    ]
    for type_, body in VALID:
        out.append({"type": type_, "body": body})
        out.extend({"type": type_, "body": m} for m in mutations(type_, body))
    return [{**case, **verdict(case["type"], case["body"])} for case in out]


if __name__ == "__main__":
    print(json.dumps(cases(), ensure_ascii=False))
