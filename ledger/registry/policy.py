"""The settings of a registration system: where pilots differ, it is a setting, not a constant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Policy:
    """Publicity period (公示期) and registration term of the registration system in use."""

    publicity: timedelta = timedelta(days=15)  # Shanghai's 2024 interim measures
    term: timedelta = timedelta(days=3 * 365 + 1)  # a common 3-year certificate
    system: str = "shanghai-data-ip"
