"""Times as a judge reads them: Beijing time (UTC+8, 北京时间) first, UTC beside it.

The ledger keeps every time in UTC (RFC 3339 with ``Z``); a court in China
reads Beijing time. ``dual_time`` writes one time both ways (the reports'
every time, and the narrative's ``shown``),
``2026-11-30 10:00:00 (北京时间) / 2026-11-30 02:00:00 UTC``, keeping the
fraction of a second as written when it is not zero, so that an upper bound
is never shown earlier than it is. Pure.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

_RFC3339_UTC = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$")
_BEIJING = timedelta(hours=8)


def dual_time(value: str, lang: str = "zh") -> str:
    """Return an RFC 3339 UTC time as "2026-11-30 10:00:00 (北京时间) / 2026-11-30 02:00:00 UTC".

    In English (*lang* ``en``) the zone reads "(Beijing time)"; a text that is
    not such a time comes back as it is.
    """
    match = _RFC3339_UTC.match(value)
    if match is None:
        return value
    day, clock, fraction = match.groups()
    fraction = (fraction or "").rstrip("0")
    tail = "." + fraction if fraction else ""
    utc = datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=UTC)
    beijing = (utc + _BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    zone = "Beijing time" if lang == "en" else "北京时间"
    return f"{beijing}{tail} ({zone}) / {day} {clock}{tail} UTC"


def time_json(value: Any) -> dict[str, str] | None:
    """Return a time for the narrative: ``{"utc": RFC 3339, "shown": dual_time}``, or None for none."""
    if not isinstance(value, str) or not value:
        return None
    return {"utc": value, "shown": dual_time(value)}
