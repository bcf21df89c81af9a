"""Bodies of the data-IP registry's statements: assets, licences, pledges and objections.

Every event on an asset names the asset (the id of its ``asset.apply``) and
``prev``, the id of the asset's last event, so an asset's history is one
chain. Ids are the hex SHA-256 of statements; times are RFC 3339 UTC.
Confidential particulars appear only as salted SHA-256 commitments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cunzheng.ledger.bodies.core import Body, hex_digest, require_keys
from cunzheng.ledger.clock import parse_time
from cunzheng.ledger.errors import MalformedInput

Check = Callable[[Any, str], None]

# The particulars of a registration application (登记申请) in the pilots' terms.
PARTICULARS = (
    "name",  # 数据名称
    "industry",  # 所属行业
    "scenario",  # 应用场景
    "source",  # 数据来源
    "legality",  # 合法性声明
    "scale",  # 数据规模
    "update_frequency",  # 更新频率
    "structure",  # 数据结构
    "processing_rules",  # 算法规则 / 处理规则说明
)
LICENCE_KINDS = ("exclusive", "sole", "non_exclusive")
OUTCOMES = ("upheld", "dismissed")
EFFECTS = ("suspend", "cancel")


def _id(value: Any, what: str) -> None:
    hex_digest(value, what)


def _time(value: Any, what: str) -> None:
    parse_time(value, what=what)


def _text(limit: int) -> Check:
    def check(value: Any, what: str) -> None:
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise MalformedInput(f"{what} must be a non-empty string of at most {limit} characters")

    return check


def _bool(value: Any, what: str) -> None:
    if not isinstance(value, bool):
        raise MalformedInput(f"{what} must be true or false")


def _codes(value: Any, what: str) -> None:
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= 32
        or any(not isinstance(v, str) or not v or len(v) > 64 for v in value)
        or len(set(value)) != len(value)
    ):
        raise MalformedInput(f"{what} must be a list of 1 to 32 distinct short strings")


def _one_of(*allowed: str) -> Check:
    def check(value: Any, what: str) -> None:
        if value not in allowed:
            raise MalformedInput(f"{what} must be one of {', '.join(allowed)}")

    return check


def _particulars(value: Any, what: str) -> None:
    if not isinstance(value, Mapping):
        raise MalformedInput(f"{what} must be an object")
    unknown = set(value) - set(PARTICULARS) - {"sample_sha256"}
    if unknown:
        raise MalformedInput(f"{what} has unknown particulars: {', '.join(sorted(unknown))}")
    for key, item in value.items():
        if key == "sample_sha256":
            hex_digest(item, f"{what}: sample_sha256")
        elif key == "scale":
            _scale(item, f"{what}: scale")
        else:
            _text(4000)(item, f"{what}: {key}")


def _scale(value: Any, what: str) -> None:
    if not isinstance(value, Mapping) or not value or set(value) - {"records", "bytes"}:
        raise MalformedInput(f"{what} must be an object with records and/or bytes")
    for key, item in value.items():
        if not isinstance(item, int) or isinstance(item, bool) or item < 0:
            raise MalformedInput(f"{what}: {key} must be a non-negative integer")


def _commitments(value: Any, what: str) -> None:
    if not isinstance(value, Mapping):
        raise MalformedInput(f"{what} must be an object of commitments")
    for key, item in value.items():
        if key not in PARTICULARS and key != "sample_sha256":
            raise MalformedInput(f"{what}: {key} is not a particular")
        hex_digest(item, f"{what}: {key}")


def _shape(
    required: dict[str, Check], optional: dict[str, Check] | None = None
) -> Callable[[str], Callable[[Body], None]]:
    optional = optional or {}

    def for_type(kind: str) -> Callable[[Body], None]:
        def check(body: Body) -> None:
            what = f"{kind} body"
            require_keys(body, required=set(required), optional=set(optional), what=what)
            for key, item in body.items():
                (required.get(key) or optional[key])(item, f"{what}: {key}")

        return check

    return for_type


def _application(body: Body) -> None:
    _shape(
        {"registrar": _id, "system": _text(64), "particulars": _particulars, "fingerprint": _id},
        {"confidential": _commitments},
    )("asset.apply")(body)
    named = set(body["particulars"]) | set(body.get("confidential", {}))
    missing = [p for p in PARTICULARS if p not in named]
    if missing:
        raise MalformedInput(f"asset.apply body lacks particulars: {', '.join(missing)}")
    if set(body["particulars"]) & set(body.get("confidential", {})):
        raise MalformedInput(
            "asset.apply body: a particular is either public or confidential, not both"
        )


def _change(body: Body) -> None:
    _shape(
        {"asset": _id, "prev": _id, "particulars": _particulars}, {"confidential": _commitments}
    )("asset.change")(body)


EVENT: dict[str, Check] = {"asset": _id, "prev": _id}
ASSET_CHECKS: dict[str, Callable[[Body], None]] = {
    "asset.apply": _application,
    "asset.publicize": _shape({**EVENT, "until": _time})("asset.publicize"),
    "asset.register": _shape({**EVENT, "certificate": _text(64), "expires": _time})(
        "asset.register"
    ),
    "asset.version": _shape({**EVENT, "fingerprint": _id})("asset.version"),
    "asset.change": _change,
    "asset.renew": _shape({**EVENT, "expires": _time})("asset.renew"),
    "asset.cancel": _shape(EVENT)("asset.cancel"),
    "asset.revoke": _shape(EVENT, {"objection": _id})("asset.revoke"),
    "asset.transfer": _shape({**EVENT, "to": _id})("asset.transfer"),
    "asset.pledge": _shape({**EVENT, "pledgee": _id, "terms_sha256": _id})("asset.pledge"),
    "asset.release": _shape(EVENT)("asset.release"),
    "licence.grant": _shape(
        {
            **EVENT,
            "licensee": _id,
            "kind": _one_of(*LICENCE_KINDS),
            "scope": _codes,
            "territory": _codes,
            "start": _time,
            "end": _time,
            "sublicensing": _bool,
            "fee_terms_sha256": _id,
        }
    )("licence.grant"),
    "licence.accept": _shape({"licence": _id})("licence.accept"),
    "licence.terminate": _shape({"licence": _id})("licence.terminate"),
    "access.read": _shape({"reader": _id, "asset": _id, "fields": _codes})("access.read"),
    "objection.file": _shape({"asset": _id, "evidence_sha256": _id, "grounds": _text(2000)})(
        "objection.file"
    ),
    "objection.decide": _shape(
        {**EVENT, "objection": _id, "outcome": _one_of(*OUTCOMES)}, {"effect": _one_of(*EFFECTS)}
    )("objection.decide"),
}
