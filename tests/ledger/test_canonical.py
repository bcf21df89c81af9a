"""Canonical JSON agrees byte for byte with the RFC 8785 reference implementation."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from cunzheng.ledger.canonical import MAX_SAFE_INTEGER, canonical_json, loads
from cunzheng.ledger.errors import MalformedInput

ascii_keys = st.text(alphabet=st.characters(max_codepoint=127), max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ascii_keys, inner, max_size=4),
    max_leaves=20,
)


@given(values)
def test_matches_rfc8785_reference(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


def test_rfc8785_key_order_and_escapes() -> None:
    value = {"b": 1, "a": '\u20ac\n\x1f"\\/', "A": [True, None, -0]}
    assert (
        canonical_json(value) == b'{"A":[true,null,0],"a":"\xe2\x82\xac\\n\\u001f\\"\\\\/","b":1}'
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (1.5, "floating point"),
        (2**53, "I-JSON"),
        ({"\u00e9": 1}, "ASCII"),
        ({1: 1}, "ASCII"),
        ([b"x"], "bytes"),
    ],
)
def test_values_outside_the_subset_are_refused(value: Any, reason: str) -> None:
    with pytest.raises(MalformedInput, match=reason):
        canonical_json(value)


def test_deep_nesting_is_refused() -> None:
    value: Any = "x"
    for _ in range(40):
        value = [value]
    with pytest.raises(MalformedInput, match="deeper"):
        canonical_json(value)


def test_invalid_json_says_so() -> None:
    with pytest.raises(MalformedInput, match="statement is not valid JSON"):
        loads(b"{", what="statement")


@pytest.mark.parametrize(
    "text",
    [
        b'{"a":1,"a":1}',  # sorted, equal values: what a canonical encoder would never write
        b'{"a":1,"a":2}',
        b'{"b":{"x":1,"x":1},"c":2}',
        b'[{"k":"v","k":"v"}]',
    ],
)
def test_duplicate_keys_are_refused_even_in_sorted_compact_text(text: bytes) -> None:
    with pytest.raises(MalformedInput, match="twice in one object"):
        loads(text)


@given(values)
def test_a_value_encoded_canonically_parses_back_to_itself(value: object) -> None:
    """The fast path (a text that is its own encoding) returns what the full check returns."""
    data = canonical_json(value)
    assert loads(data) == value
    if isinstance(value, dict) and value:
        key = next(iter(value))
        doubled = data[:-1] + b"," + orjson.dumps(key) + b":" + orjson.dumps(value[key]) + b"}"
        with pytest.raises(MalformedInput, match="twice in one object"):
            loads(doubled)
