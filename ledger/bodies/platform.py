"""The platform's own facts, as the operator declares them in ``log.settings``.

A court weighs who runs an evidence platform before it weighs the evidence
(the Online Litigation Rules art. 16–19): the operator's legal name and
unified social credit code (统一社会信用代码), its blockchain information
service filing (区块链信息服务备案), its cybersecurity protection level
(网络安全等级保护), which time-stamp authority it uses and whether that
authority is a trusted one or a test one, and a statement of its
neutrality. The operator declares them in the optional ``platform`` member
of a ``log.settings`` body, so that they are signed, logged, indexed under
``settings:log`` and carried in every bundle like the rest of the log's
settings; every member is optional, and one left out is "not declared" in
reports, never guessed. Shapes only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Final, Self

from cunzheng.ledger.bodies.core import optional_text, require_keys
from cunzheng.ledger.bodies.identifiers import check_registry_id
from cunzheng.ledger.errors import MalformedInput

# Levels 1 to 5 of China's classified cybersecurity protection (GB/T 22239).
SECURITY_LEVELS: Final = range(1, 6)
TSA_STATUSES: Final = ("trusted", "test")
_TEXTS: Final = {
    "operator_name": 200,
    "blockchain_filing": 100,
    "security_filing": 100,
    "tsa_name": 200,
    "neutrality": 2000,
}
_MEMBERS: Final = {*_TEXTS, "credit_code", "security_level", "tsa_status"}


def credit_code(value: Any, what: str) -> str:
    """Return *value* if it is a unified social credit code whose check character is right."""
    if not isinstance(value, str):
        raise MalformedInput(f"{what} must be an 18-character unified social credit code")
    check_registry_id("uscc", value, what)
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class PlatformFacts:
    """What the operator declares about itself and its platform; None where it declares nothing."""

    operator_name: str | None = None
    credit_code: str | None = None
    blockchain_filing: str | None = None
    security_level: int | None = None
    security_filing: str | None = None
    tsa_name: str | None = None
    tsa_status: str | None = None
    neutrality: str | None = None

    @classmethod
    def parse(cls, value: Any, what: str) -> Self:
        """Return the facts in a ``platform`` object, or raise MalformedInput saying what is wrong."""
        if not isinstance(value, Mapping) or not value:
            raise MalformedInput(f"{what} must be an object declaring at least one fact")
        require_keys(value, required=set(), optional=_MEMBERS, what=what)
        texts = {key: optional_text(value, key, what, limit) for key, limit in _TEXTS.items()}
        # A member written null is refused like a wrong value: leave out a fact not declared.
        level = value.get("security_level")
        if "security_level" in value and (
            not isinstance(level, int) or isinstance(level, bool) or level not in SECURITY_LEVELS
        ):
            raise MalformedInput(f"{what}: security_level must be a level from 1 to 5")
        status = value.get("tsa_status")
        if "tsa_status" in value and status not in TSA_STATUSES:
            raise MalformedInput(f"{what}: tsa_status must be one of {', '.join(TSA_STATUSES)}")
        code = (
            credit_code(value["credit_code"], f"{what}: credit_code")
            if "credit_code" in value
            else None
        )
        return cls(
            **texts,
            credit_code=code,
            security_level=level,
            tsa_status=status,
        )

    def body(self) -> dict[str, Any]:
        """Return the ``platform`` object that declares these facts (the declared ones only)."""
        return {key: value for key, value in asdict(self).items() if value is not None}


# The facts, in the order reports list them.
PLATFORM_FACTS: Final = tuple(f.name for f in fields(PlatformFacts))
