"""Time as the ledger speaks it: UTC, timezone-aware, RFC 3339 with ``Z``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from cunzheng.ledger.errors import MalformedInput

Clock = Callable[[], datetime]

_RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")


def utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    """Return *moment* as RFC 3339 in UTC with microseconds and ``Z``."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the ledger only handles timezone-aware UTC times")
    utc = moment.astimezone(UTC)
    # strftime's %Y writes a year before 1000 with fewer than four digits on some platforms.
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str, *, what: str = "time") -> datetime:
    """Return the UTC datetime written in *text* (RFC 3339 ending in ``Z``)."""
    if not isinstance(text, str) or not _RFC3339_UTC.match(text):
        raise MalformedInput(
            f"{what} {text!r} is not an RFC 3339 UTC time like 2026-01-31T08:00:00Z"
        )
    # The pattern admits only what RFC 3339 allows; fromisoformat then reads the
    # fields, truncating fractions finer than a microsecond, and gives UTC for "Z".
    try:
        return datetime.fromisoformat(text)
    except ValueError as e:
        raise MalformedInput(f"{what} {text!r} is not a valid date and time") from e
