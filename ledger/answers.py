"""A court question's answer as JSON: the one form the API returns and bundles claim.

The registry answers questions with its own values (``ledger.questions``):
assets and licences as dataclasses, ids as bytes, lists and dicts of those.
The API writes that answer into a ``RegistryAnswer`` and its bundle's claim,
and the offline verifier recomputes it from proved entries and compares; both
go through ``answer_json`` so that they write the answer the same way. Pure.
"""

from __future__ import annotations

from typing import Any

from cunzheng.ledger.registry.state import to_doc

__all__ = ["answer_json"]


def answer_json(value: Any) -> Any:
    """Return the registry answer *value* as JSON values: bytes as hex, registry objects as documents."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list):
        return [answer_json(v) for v in value]
    if isinstance(value, dict):
        return {k: answer_json(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return to_doc(value)
    return value
