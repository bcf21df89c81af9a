"""The log's refusals as the ledger's own errors, with the server's message.

The API answers every failure with ``{"error": code, "detail": message}``
(``docs/api.md``); this is the client's one place that turns such an answer
back into the ``ledger.errors`` class the server raised, so a caller catches
``RuleViolation`` and reads ``reason_code`` whether the rule ran here or there.
"""

from __future__ import annotations

from typing import Any

import orjson

from cunzheng.ledger.errors import (
    WIRE,
    Conflict,
    LedgerError,
    MalformedInput,
    NotFound,
    RuleViolation,
    Unavailable,
)

__all__ = ["refusal"]

# A rule's refusal carries its reason code instead, and is read apart below.
_BY_CODE: dict[str, type[LedgerError]] = {
    code: cls for cls, _, code in WIRE if cls is not RuleViolation
}
_BY_STATUS: dict[int, type[LedgerError]] = {
    400: MalformedInput,
    404: NotFound,
    409: Conflict,
    503: Unavailable,
}


def refusal(status: int, content: bytes, *, what: str) -> LedgerError:
    """Return the ledger error a failed answer (*status*, body *content*) to request *what* stands for."""
    code, detail = _parse(content)
    if detail is None:
        text = content.decode("utf-8", "replace").strip()[:500] or "no explanation"
        return _BY_STATUS.get(status, LedgerError)(f"{what}: the log answered {status}: {text}")
    if code in _BY_CODE:
        return _BY_CODE[code](detail)
    if status == 422 and code is not None:
        # A rule's refusal: its code names the rule, and its detail repeats the code first.
        prefix = f"{code}: "
        return RuleViolation(code, detail[len(prefix) :] if detail.startswith(prefix) else detail)
    return _BY_STATUS.get(status, LedgerError)(f"{what}: {detail} ({status} {code})")


def _parse(content: bytes) -> tuple[str | None, str | None]:
    try:
        doc: Any = orjson.loads(content)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(doc, dict) or not isinstance(doc.get("detail"), str):
        return None, None
    code = doc.get("error")
    return (code if isinstance(code, str) else None), doc["detail"]
