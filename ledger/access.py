"""Signed requests: how a party proves who it is when it reads confidential particulars.

A request carries ``Authorization: Cunzheng key=<base64 public key>,
time=<RFC 3339 UTC>, sig=<base64 Ed25519 signature>``. The signature covers
``cunzheng/request/v1\\n<METHOD>\\n<path and query>\\n<time>\\n<hex SHA-256 of
the body>``, so it cannot be replayed for another request, and the server
refuses times further than ``max_skew`` from its clock. Whose key it is, and
whether that party may read, is the registry's answer, not this module's.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from cunzheng.ledger.clock import format_time, parse_time
from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import InvalidSignature, MalformedInput

CONTEXT = b"cunzheng/request/v1\n"
SCHEME = "Cunzheng"


def request_message(method: str, target: str, time: str, body: bytes) -> bytes:
    """Return the bytes a request signature covers."""
    digest = hashlib.sha256(body).hexdigest()
    return CONTEXT + f"{method.upper()}\n{target}\n{time}\n{digest}".encode()


def authorization(key: SigningKey, method: str, target: str, body: bytes, *, now: datetime) -> str:
    """Return the Authorization header value that signs a request with *key*."""
    time = format_time(now)
    sig = key.sign(request_message(method, target, time, body)).signature
    pub = encode_base64(bytes(key.verify_key))
    return f"{SCHEME} key={pub}, time={time}, sig={encode_base64(sig)}"


def check_authorization(
    header: str,
    method: str,
    target: str,
    body: bytes,
    *,
    now: datetime,
    max_skew: timedelta = timedelta(minutes=5),
) -> bytes:
    """Return the public key that signed the request, or raise InvalidSignature/MalformedInput saying why not."""
    scheme, _, params = header.partition(" ")
    if scheme != SCHEME:
        raise MalformedInput(f"the Authorization header must use the {SCHEME} scheme")
    fields = dict(part.strip().partition("=")[::2] for part in params.split(","))
    if set(fields) != {"key", "time", "sig"}:
        raise MalformedInput("the Authorization header needs key=, time= and sig=")
    moment = parse_time(fields["time"], what="request time")
    if abs(now - moment) > max_skew:
        raise InvalidSignature(
            f"the request was signed at {fields['time']}, too far from the server's clock"
        )
    try:
        key = decode_base64(fields["key"], what="its key=", size=32)
        sig = decode_base64(fields["sig"], what="its sig=", size=64)
    except MalformedInput as e:
        raise InvalidSignature(f"the request signature does not verify: {e}") from None
    try:
        VerifyKey(key).verify(request_message(method, target, fields["time"], body), sig)
    except (ValueError, BadSignatureError):
        raise InvalidSignature("the request signature does not verify") from None
    return key
