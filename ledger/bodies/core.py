"""What every statement body shares: the parsed-body base class and the member checks.

Shapes only: whether a well-formed statement is allowed, given the log
before it, is decided by ``ledger.registry``. Each statement type's body is a
frozen subclass of ``StatementBody`` that owns its parsing (``parse``), so
rules, replay and reports read attributes, never the JSON object.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self

from cunzheng.ledger.clock import parse_time
from cunzheng.ledger.encoding import decode_base64
from cunzheng.ledger.errors import MalformedInput

HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# financial_institution: a lender that takes pledges (质押权人), registered by the operator.
PARTY_KINDS = ("exchange", "rights_holder", "court", "witness", "operator", "financial_institution")
MAX_NAME = 200

Body = Mapping[str, Any]
# A member's check: takes the JSON value and the member's name for messages, returns the value parsed.
Convert = Callable[[Any, str], Any]


def require_keys(
    obj: Body, *, required: AbstractSet[str], optional: AbstractSet[str], what: str
) -> None:
    """Return None if *obj* has every required member and no unknown one."""
    missing = required - obj.keys()
    if missing:
        raise MalformedInput(f"{what} lacks {', '.join(sorted(missing))}")
    extra = obj.keys() - required - optional
    if extra:
        raise MalformedInput(f"{what} has unknown members: {', '.join(sorted(map(str, extra)))}")


def hex_digest(value: Any, what: str) -> bytes:
    """Return the 32 bytes written as 64 lowercase hex digits in *value*."""
    if not isinstance(value, str) or not HEX_SHA256.match(value):
        raise MalformedInput(f"{what} must be 64 lowercase hex digits")
    return bytes.fromhex(value)


def public_key(value: Any, what: str) -> bytes:
    """Return the 32-byte Ed25519 public key written in canonical base64 in *value*."""
    return decode_base64(value, what=what, size=32)


def optional_text(body: Body, key: str, what: str, limit: int) -> str | None:
    """Return the text at *key* in *body*, or None where it is absent (a null is refused)."""
    if key not in body:
        return None
    value = body[key]
    if value is None:
        raise MalformedInput(f"{what}: {key} is null; leave the member out if there is none")
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise MalformedInput(
            f"{what}: {key} must be a non-empty string of at most {limit} characters"
        )
    return value


def identifier(value: Any, what: str) -> bytes:
    """Return the 32-byte id (or digest) written as 64 lowercase hex digits in *value*."""
    return hex_digest(value, what)


def moment(value: Any, what: str) -> datetime:
    """Return the UTC time written in RFC 3339 in *value*."""
    return parse_time(value, what=what)


def text(limit: int) -> Convert:
    """Return a converter that accepts a non-empty string of at most *limit* characters."""

    def convert(value: Any, what: str) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise MalformedInput(f"{what} must be a non-empty string of at most {limit} characters")
        return value

    return convert


def count(value: Any, what: str) -> int:
    """Return *value* if it is a non-negative integer."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MalformedInput(f"{what} must be a non-negative integer")
    return value


def flag(value: Any, what: str) -> bool:
    """Return *value* if it is true or false."""
    if not isinstance(value, bool):
        raise MalformedInput(f"{what} must be true or false")
    return value


def codes(value: Any, what: str) -> tuple[str, ...]:
    """Return the 1 to 32 distinct short strings listed in *value*."""
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= 32
        or any(not isinstance(v, str) or not v or len(v) > 64 for v in value)
        or len(set(value)) != len(value)
    ):
        raise MalformedInput(f"{what} must be a list of 1 to 32 distinct short strings")
    return tuple(value)


def one_of(*allowed: str) -> Convert:
    """Return a converter that accepts one of the strings *allowed*."""

    def convert(value: Any, what: str) -> str:
        if value not in allowed:
            raise MalformedInput(f"{what} must be one of {', '.join(allowed)}")
        return str(value)

    return convert


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementBody:
    """A statement's body, parsed and checked: one subclass per statement type.

    A subclass names its members in ``REQUIRED`` and ``OPTIONAL``, each with the
    converter from its JSON value to the attribute of the same name, or overrides
    ``parse``; ``parse`` checks the members in the order the body lists them, so
    the first bad member is the one reported.
    """

    TYPE: ClassVar[str] = ""
    REQUIRED: ClassVar[Mapping[str, Convert]] = {}
    OPTIONAL: ClassVar[Mapping[str, Convert]] = {}

    @classmethod
    def parse(cls, body: Body) -> Self:
        """Return the body of a statement of this type, or raise MalformedInput saying what is wrong."""
        return cls(**parse_members(cls, body))

    @property
    def named_parties(self) -> tuple[bytes, ...]:
        """Return the ids of the parties the body names as taking part (holder, licensee, ...)."""
        return ()


def parse_members(model: type[StatementBody], body: Body) -> dict[str, Any]:
    """Return *model*'s attributes from *body*'s members, each checked by its converter."""
    what = f"{model.TYPE} body"
    required, optional = model.REQUIRED, model.OPTIONAL
    require_keys(body, required=required.keys(), optional=optional.keys(), what=what)
    values = {}
    for key, item in body.items():
        convert = required.get(key) or optional[key]
        values[key] = convert(item, f"{what}: {key}")
    return values
