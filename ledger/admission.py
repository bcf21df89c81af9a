"""Admission: parse and check submitted statements before they are queued.

Signature checks dominate the cost of a statement; PyNaCl releases the GIL
while it verifies, so a large batch is checked on a small thread pool.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.statements import Statement, check_signature, parse_statement

_CHUNK = 256
_pool = ThreadPoolExecutor(
    max_workers=min(8, os.cpu_count() or 2), thread_name_prefix="cunzheng-admission"
)


def admit(data: bytes | str | dict[str, Any]) -> Statement:
    """Return the statement in *data* once its shape, size and signature are checked."""
    statement = parse_statement(data)
    check_signature(statement)
    return statement


def admit_all(items: Sequence[bytes | str | dict[str, Any]]) -> list[Statement]:
    """Return every statement in *items*, checked; the first failure names its position."""
    if len(items) <= _CHUNK:
        return _admit_chunk(items, 0)
    chunks = [(items[i : i + _CHUNK], i) for i in range(0, len(items), _CHUNK)]
    out: list[Statement] = []
    for part in _pool.map(lambda c: _admit_chunk(*c), chunks):
        out.extend(part)
    return out


def _admit_chunk(items: Sequence[bytes | str | dict[str, Any]], offset: int) -> list[Statement]:
    out = []
    for i, item in enumerate(items):
        try:
            out.append(admit(item))
        except LedgerError as e:
            e.message = f"statement {offset + i}: {e.message}"
            raise
    return out
