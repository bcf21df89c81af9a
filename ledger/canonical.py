"""RFC 8785 (JCS) canonical JSON for the values statements may hold.

Statements carry objects, arrays, strings, integers, booleans and null, never
floating-point numbers, so JCS reduces to: keys sorted by UTF-16 code units,
no insignificant whitespace, strings escaped as ECMAScript's JSON.stringify
does, and integers within I-JSON's exact range. For that subset orjson's
sorted output is byte-for-byte JCS once keys are ASCII (sorting by bytes and
by UTF-16 units then agree); the test suite checks this against the
``rfc8785`` reference implementation.

Parsing is I-JSON (RFC 7493) as well: an object may not name a key twice, since
parsers disagree on which value counts, and a signed statement must mean the
same to every verifier.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from cunzheng.ledger.errors import MalformedInput

# I-JSON (RFC 7493) integers: exactly representable as IEEE 754 doubles.
MAX_SAFE_INTEGER = (1 << 53) - 1
MAX_DEPTH = 16


def canonical_json(value: Any) -> bytes:
    """Return the RFC 8785 canonical encoding of *value* (JSON without floats)."""
    _check(value, 0)
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def loads(data: bytes | str, *, what: str = "JSON") -> Any:
    """Return the JSON value in *data*, or raise MalformedInput saying where it is broken.

    Duplicate keys in an object are refused (I-JSON, RFC 7493 section 2.3).
    """
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise MalformedInput(f"{what} is not valid JSON: {e}") from None
    if isinstance(value, dict | list) and not _is_own_encoding(value, data):
        _refuse_duplicate_keys(data, what)
    return value


def _is_own_encoding(value: Any, data: bytes | str) -> bool:
    """Return whether *data* is exactly orjson's sorted encoding of *value*.

    Such a text names no key twice in an object, since an encoding of a parsed
    value cannot; canonical statements, most of what is submitted, then skip
    the slower duplicate-key pass.
    """
    if not isinstance(data, bytes):
        return False
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS) == data
    except orjson.JSONEncodeError:
        return False


def loads_canonical(data: bytes, *, what: str = "JSON") -> Any:
    """Return the JSON value in *data*, which must be its own RFC 8785 canonical encoding.

    A canonical text cannot name a key twice (re-encoding keeps one of them), so
    the duplicate-key pass of ``loads`` is not needed: leaves read back from the
    log take this path.
    """
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise MalformedInput(f"{what} is not valid JSON: {e}") from None
    if canonical_json(value) != data:
        raise MalformedInput(f"{what} is not in RFC 8785 canonical form")
    return value


def _refuse_duplicate_keys(data: bytes | str, what: str) -> None:
    # orjson keeps the last of two equal keys without saying so; the standard library's
    # parser hands each object's pairs to a hook. orjson has accepted the text already, so
    # this second pass meets only well-formed JSON within orjson's depth limit.
    try:
        json.loads(data, object_pairs_hook=_unique_keys)
    except _DuplicateKey as e:
        raise MalformedInput(
            f"{what} names the key {e.key!r} twice in one object; I-JSON (RFC 7493) "
            "forbids duplicate keys, since parsers disagree on which value counts"
        ) from None
    except (ValueError, RecursionError) as e:
        raise MalformedInput(f"{what} is not valid JSON: {e}") from None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> None:
    if len(pairs) > 1:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)


def _check(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise MalformedInput(f"JSON nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise MalformedInput(f"object key {key!r} must be an ASCII string")
            # Most values in a statement are strings: skip the call for them.
            if type(item) is not str:
                _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            if type(item) is not str:
                _check(item, depth + 1)
    elif isinstance(value, str | bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise MalformedInput(f"integer {value} is outside I-JSON's exact range (±2^53-1)")
    elif isinstance(value, float):
        raise MalformedInput("numbers in statements must be integers, not floating point")
    else:
        raise MalformedInput(f"value of type {type(value).__name__} cannot be written as JSON")
