"""The body of ``log.settings``: the registry settings the log applies from that entry on.

``{"publicity_days": int, "term_days": int, "systems": {"<system>":
{"certificate": regex, "registration_number"?: regex}, ...}, "platform"?:
{...}}``: the publicity period (公示期), the longest registration term, each
registration system the log accepts with the format its certificate
numbers (and, if a registration carries one, its registration numbers)
must match in full, and the platform's own facts as the operator declares
them (``ledger.bodies.platform``). Signed by the operator; see
``ledger.registry.policy``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from cunzheng.ledger.bodies.core import Body, StatementBody, count, require_keys, text
from cunzheng.ledger.bodies.platform import PlatformFacts
from cunzheng.ledger.errors import MalformedInput

MAX_SYSTEMS = 16
MAX_PATTERN = 200
_SYSTEM_NAME = text(64)


@dataclass(frozen=True, slots=True)
class SystemFormat:
    """A registration system the log accepts, with the formats of its numbers (regular expressions)."""

    name: str
    certificate: str
    registration_number: str | None = None


def pattern(value: Any, what: str) -> str:
    """Return *value* if it is a regular expression of at most MAX_PATTERN characters."""
    if not isinstance(value, str) or not value or len(value) > MAX_PATTERN:
        raise MalformedInput(
            f"{what} must be a regular expression of 1 to {MAX_PATTERN} characters"
        )
    try:
        re.compile(value)
    except re.error as e:
        raise MalformedInput(f"{what} is not a regular expression: {e}") from None
    return value


def _system(name: str, value: Any, what: str) -> SystemFormat:
    if not isinstance(value, Mapping):
        raise MalformedInput(f"{what} must be an object with certificate and registration_number")
    require_keys(value, required={"certificate"}, optional={"registration_number"}, what=what)
    number = value.get("registration_number")
    return SystemFormat(
        name,
        pattern(value["certificate"], f"{what}: certificate"),
        None if number is None else pattern(number, f"{what}: registration_number"),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class LogSettings(StatementBody):
    """The log's registry settings, in force from this statement's entry until the next one."""

    TYPE: ClassVar[str] = "log.settings"

    publicity_days: int
    term_days: int
    systems: tuple[SystemFormat, ...]
    platform: PlatformFacts | None = None

    @classmethod
    def parse(cls, body: Body) -> Self:
        """Return the body of a ``log.settings``, or raise MalformedInput."""
        what = "log.settings body"
        require_keys(
            body,
            required={"publicity_days", "term_days", "systems"},
            optional={"platform"},
            what=what,
        )
        publicity = count(body["publicity_days"], f"{what}: publicity_days")
        term = count(body["term_days"], f"{what}: term_days")
        if term < 1:
            raise MalformedInput(f"{what}: term_days must be at least 1")
        systems = body["systems"]
        if not isinstance(systems, Mapping) or not 1 <= len(systems) <= MAX_SYSTEMS:
            raise MalformedInput(
                f"{what}: systems must be an object naming 1 to {MAX_SYSTEMS} registration systems"
            )
        parsed = tuple(
            _system(_SYSTEM_NAME(name, f"{what}: system name"), value, f"{what}: systems: {name}")
            for name, value in sorted(systems.items())
        )
        platform = (
            PlatformFacts.parse(body["platform"], f"{what}: platform")
            if "platform" in body
            else None
        )
        return cls(publicity_days=publicity, term_days=term, systems=parsed, platform=platform)
