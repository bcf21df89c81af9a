"""The parameter rules the OpenAPI document declares agree with the parsers the routes use."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from cunzheng.api.params import (
    CERTIFICATE_NUMBER,
    HEX_DIGEST,
    HEX_DIGEST_ANY_CASE,
    LEAF_HASH,
    RFC3339_UTC,
    TILE_PATH,
)
from cunzheng.api.routers.log import _decode_hash
from cunzheng.api.routers.registry import _certificate
from cunzheng.ledger.bodies import hex_digest
from cunzheng.ledger.clock import format_time, parse_time
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.tiles import encode_index, parse_tile_path

ID = "ab" * 32


@settings(max_examples=200, deadline=None)
@given(st.from_regex(TILE_PATH, fullmatch=True))
def test_every_declared_tile_path_parses(path: str) -> None:
    parse_tile_path(path)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(RFC3339_UTC, fullmatch=True))
def test_every_declared_time_parses_and_writes_back_in_four_digits(text: str) -> None:
    assert format_time(parse_time(text))[:4] == text[:4]


@settings(max_examples=100, deadline=None)
@given(
    st.from_regex(HEX_DIGEST, fullmatch=True),
    st.from_regex(HEX_DIGEST_ANY_CASE, fullmatch=True),
    st.from_regex(LEAF_HASH, fullmatch=True),
    st.from_regex(CERTIFICATE_NUMBER, fullmatch=True),
)
def test_every_declared_digest_hash_and_number_parses(
    digest: str, any_case: str, leaf_hash: str, number: str
) -> None:
    hex_digest(digest, "id")
    hex_digest(any_case.lower(), "sha256")
    assert len(_decode_hash(leaf_hash)) == 32
    assert _certificate(number) == number


@pytest.mark.parametrize(
    ("pattern", "refused", "parse"),
    [
        (TILE_PATH, "0/x000/123", parse_tile_path),
        (TILE_PATH, "64/000", parse_tile_path),
        (TILE_PATH, "0/000.p/256", parse_tile_path),
        (RFC3339_UTC, "2023-02-29T00:00:00Z", parse_time),
        (RFC3339_UTC, "2024-01-01T24:00:00Z", parse_time),
        (CERTIFICATE_NUMBER, "a b", _certificate),
        (LEAF_HASH, "A" * 42 + "F=", _decode_hash),
    ],
)
def test_values_the_patterns_refuse_the_parsers_refuse(
    pattern: str, refused: str, parse: Any
) -> None:
    assert not re.search(pattern, refused)
    with pytest.raises(MalformedInput):
        parse(refused)


def test_the_certificate_number_pattern_refuses_exactly_white_space() -> None:
    space = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    refused = {
        chr(c) for c in range(sys.maxunicode + 1) if not re.search(CERTIFICATE_NUMBER, chr(c))
    }
    assert refused == space


def test_canonical_tile_indexes_match_the_pattern() -> None:
    for index in (0, 999, 1000, 1_000_000, (1 << 63) - 1):
        assert re.search(TILE_PATH, f"0/{encode_index(index)}")


def test_a_question_before_the_year_1000_is_refused_not_failed(client: TestClient) -> None:
    r = client.get(f"/v1/parties/{ID}/portfolio", params={"at": "0999-01-01T00:00:00Z"})
    assert r.status_code == 400 and "years 1000 to 9999" in r.json()["detail"]


def test_an_undeclared_method_is_answered_405_with_every_allowed_method(client: TestClient) -> None:
    r = client.request("OPTIONS", f"/v1/assets/{ID}/confidential")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, PUT"
    assert client.request("TRACE", "/healthz").headers["Allow"] == "GET"
