"""Signed requests: how a party proves who it is when it reads confidential particulars.

A request carries ``Authorization: Cunzheng key=<base64 public key>,
time=<RFC 3339 UTC>, sig=<base64 Ed25519 signature>``. The signature covers
``cunzheng/request/v1\\n<METHOD>\\n<path and query>\\n<time>\\n<hex SHA-256 of
the body>``, so it cannot be used for another request. The server refuses
times further than a window (``DEFAULT_WINDOW``, 60 s) from its clock, and
``SignedRequests`` accepts each signed request once: the format has no nonce,
so the signed message itself (its SHA-256 with the key, ``SignedRequest.token``)
is the once-only token, remembered in the database, where every process
serving the log sees it, until the request could no longer be accepted. A
client signs every request anew; the time, to the microsecond, makes two
requests differ. Whose key it is, and whether that party may read, is the
registry's answer, not this module's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from cunzheng.ledger.clock import Clock, format_time, parse_time
from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import (
    InvalidSignature,
    MalformedInput,
    RequestOutsideWindow,
    RequestReplayed,
)

CONTEXT = b"cunzheng/request/v1\n"
SCHEME = "Cunzheng"
# How far a request's time may be from the server's clock, either way.
DEFAULT_WINDOW = timedelta(seconds=60)


@dataclass(frozen=True)
class SignedRequest:
    """A request whose signature verified: who signed it, when, and its once-only token."""

    key: bytes
    time: datetime
    token: bytes


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
    max_skew: timedelta = DEFAULT_WINDOW,
) -> bytes:
    """Return the public key that signed the request, or raise InvalidSignature/MalformedInput saying why not."""
    return verify_request(header, method, target, body, now=now, max_skew=max_skew).key


def verify_request(
    header: str,
    method: str,
    target: str,
    body: bytes,
    *,
    now: datetime,
    max_skew: timedelta = DEFAULT_WINDOW,
) -> SignedRequest:
    """Return the signed request *header* authorises, or raise InvalidSignature/MalformedInput saying why not.

    A request signed more than *max_skew* before or after *now* raises
    RequestOutsideWindow. Whether it was used before is ``SignedRequests``' question.
    """
    scheme, _, params = header.partition(" ")
    if scheme != SCHEME:
        raise MalformedInput(f"the Authorization header must use the {SCHEME} scheme")
    fields = dict(part.strip().partition("=")[::2] for part in params.split(","))
    if set(fields) != {"key", "time", "sig"}:
        raise MalformedInput("the Authorization header needs key=, time= and sig=")
    moment = parse_time(fields["time"], what="request time")
    _check_window(moment, now=now, max_skew=max_skew)
    try:
        key = decode_base64(fields["key"], what="its key=", size=32)
        sig = decode_base64(fields["sig"], what="its sig=", size=64)
    except MalformedInput as e:
        raise InvalidSignature(f"the request signature does not verify: {e}") from None
    message = request_message(method, target, fields["time"], body)
    try:
        VerifyKey(key).verify(message, sig)
    except (ValueError, BadSignatureError):
        raise InvalidSignature("the request signature does not verify") from None
    return SignedRequest(key, moment, hashlib.sha256(key + message).digest())


def _check_window(moment: datetime, *, now: datetime, max_skew: timedelta) -> None:
    offset = (moment - now).total_seconds()
    if abs(offset) <= max_skew.total_seconds():
        return
    side = "ahead of" if offset > 0 else "behind"
    raise RequestOutsideWindow(
        f"the request was signed at {format_time(moment)}, {abs(offset):.0f} s {side} the "
        f"server's clock ({format_time(now)}); a signed request is accepted within "
        f"{max_skew.total_seconds():g} s of it: check the client's clock and sign each "
        "request just before sending it"
    )


class UsedRequests(Protocol):
    """Where the tokens of used requests are remembered (``Store`` is one)."""

    def claim_request(self, token: bytes, *, expires: datetime, now: datetime) -> bool:
        """Remember *token* until *expires* and return True, or return False if it is remembered already."""
        ...


class SignedRequests:
    """The door of signed requests: each is accepted once, and only near the server's time."""

    def __init__(
        self, used: UsedRequests, *, now: Clock, window: timedelta = DEFAULT_WINDOW
    ) -> None:
        self._used = used
        self._now = now
        self.window = window

    def accept(self, header: str, method: str, target: str, body: bytes) -> bytes:
        """Return the public key that signed the request, unless it is outside the window or used before."""
        now = self._now()
        request = verify_request(header, method, target, body, now=now, max_skew=self.window)
        # Kept a window longer than the request can be accepted here, for processes
        # sharing the database whose clocks run a little behind this one's.
        expires = request.time + 2 * self.window
        if not self._used.claim_request(request.token, expires=expires, now=now):
            raise RequestReplayed(
                f"this signed request (signed at {format_time(request.time)}) was already "
                "used: a signature is good for one request; sign each request anew"
            )
        return request.key
