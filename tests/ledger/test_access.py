"""Signed requests: bound to method, target, time and body."""

from __future__ import annotations

from datetime import timedelta

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.access import authorization, check_authorization
from cunzheng.ledger.errors import InvalidSignature, MalformedInput
from tests.ledger.registry_world import T0


def test_a_signed_request_names_its_key() -> None:
    key = SigningKey.generate()
    header = authorization(key, "get", "/v1/x?y=1", b"body", now=T0)
    assert check_authorization(header, "GET", "/v1/x?y=1", b"body", now=T0) == bytes(key.verify_key)


@pytest.mark.parametrize(
    ("method", "target", "body", "shift"),
    [
        ("PUT", "/v1/x?y=1", b"body", 0),
        ("GET", "/v1/x?y=2", b"body", 0),
        ("GET", "/v1/x?y=1", b"bodY", 0),
        ("GET", "/v1/x?y=1", b"body", 600),
    ],
)
def test_any_other_request_or_a_late_one_is_refused(
    method: str, target: str, body: bytes, shift: int
) -> None:
    header = authorization(SigningKey.generate(), "GET", "/v1/x?y=1", b"body", now=T0)
    with pytest.raises(InvalidSignature):
        check_authorization(header, method, target, body, now=T0 + timedelta(seconds=shift))


@pytest.mark.parametrize(
    "header",
    ["Bearer abc", "Cunzheng key=AA==", "Cunzheng key=!!, time=2026-01-05T09:00:00Z, sig=AA=="],
)
def test_malformed_headers(header: str) -> None:
    with pytest.raises((MalformedInput, InvalidSignature)):
        check_authorization(header, "GET", "/", b"", now=T0)
