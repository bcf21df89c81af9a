"""The registry settings of a log: where pilots differ, it is a setting, not a constant.

The settings travel with the log: the operator signs a ``log.settings``
statement right after its own registration, and each later change is a new
statement that applies from its entry on. The rules read the ``Policy`` in
force from the registry's state, so a rebuild, a monitor or a verifier that
replays the log applies the log's own settings, never its local defaults.
A log without any ``log.settings`` entry (one that predates them) runs
under ``DEFAULT_POLICY``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Any

from cunzheng.ledger.bodies import LogSettings, PlatformFacts, SystemFormat

DEFAULT_SYSTEM = "shanghai-data-ip"
# CNIPA's unified certificate (2024): 17 digits, year, month, registrar code and serial.
CNIPA_CERTIFICATE = r"(19|20)\d{2}(0[1-9]|1[0-2])\d{11}"
# CNIPA's registration number: 16 characters, the last a check character (format only:
# the check algorithm is not published in the pilots' rules we follow).
CNIPA_REGISTRATION_NUMBER = r"[0-9A-Z]{15}[0-9A-Z]"
UNCHECKED = r"(?s:.*)"


def default_systems(name: str = DEFAULT_SYSTEM) -> tuple[SystemFormat, ...]:
    """Return the one registration system *name* with CNIPA's number formats."""
    return (SystemFormat(name, CNIPA_CERTIFICATE, CNIPA_REGISTRATION_NUMBER),)


@dataclass(frozen=True)
class Policy:
    """Publicity period (公示期), longest registration term, the registration systems accepted, and the platform's declared facts.

    The rules read only the first three; ``platform`` travels in the same
    statement so that the facts a report shows about the platform are signed
    and proved complete like the rest of the log's settings.
    """

    publicity: timedelta = timedelta(days=15)  # Shanghai's 2024 interim measures
    term: timedelta = timedelta(days=3 * 365 + 1)  # a common 3-year certificate
    systems: tuple[SystemFormat, ...] = field(default_factory=default_systems)
    platform: PlatformFacts | None = None

    def system(self, name: str) -> SystemFormat | None:
        """Return the registration system *name*, if the log accepts it.

        A policy that names no system (the verifier's replay before it meets a
        ``log.settings`` entry; no statement can say so) accepts any, unchecked.
        """
        if not self.systems:
            return SystemFormat(name, UNCHECKED)
        return next((s for s in self.systems if s.name == name), None)

    def body(self) -> dict[str, Any]:
        """Return the ``log.settings`` body that states this policy."""
        systems: dict[str, Any] = {}
        for s in self.systems:
            formats = {"certificate": s.certificate}
            if s.registration_number is not None:
                formats["registration_number"] = s.registration_number
            systems[s.name] = formats
        body: dict[str, Any] = {
            "publicity_days": self.publicity.days,
            "term_days": self.term.days,
            "systems": systems,
        }
        if self.platform is not None:
            body["platform"] = self.platform.body()
        return body

    @classmethod
    def from_body(cls, body: LogSettings) -> Policy:
        """Return the policy a ``log.settings`` body states."""
        return cls(
            publicity=timedelta(days=body.publicity_days),
            term=timedelta(days=body.term_days),
            systems=tuple(sorted(body.systems, key=lambda s: s.name)),
            platform=body.platform,
        )


DEFAULT_POLICY = Policy()


def matches(regex: str, value: str) -> bool:
    """Return whether *value* matches *regex* in full."""
    return _compiled(regex).fullmatch(value) is not None


@lru_cache(maxsize=64)
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)
