"""Asking a remote RFC 3161 TSA for a token over HTTP (RFC 3161 section 3.4)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import httpx

from cunzheng.ledger.errors import InvalidProof, LedgerError
from cunzheng.ledger.tsa.tokens import (
    QUERY_MEDIA_TYPE,
    read_token,
    request_for,
    token_from_response,
)
from cunzheng.ledger.tsa.verify import CertificateInput, verify_token


def fetch_token(
    url: str,
    digest: bytes,
    *,
    trust_roots: Sequence[CertificateInput] = (),
    timeout: float = 10.0,
    client: httpx.Client | None = None,
) -> bytes:
    """Return a DER token over *digest* from the TSA at *url*, checked against *trust_roots* if given.

    Without trust roots only the digest and the nonce of the answer are checked.
    """
    nonce = secrets.randbits(64)
    body = request_for(digest, nonce=nonce, cert_req=True)
    headers = {"Content-Type": QUERY_MEDIA_TYPE}
    try:
        if client is None:
            response = httpx.post(url, content=body, headers=headers, timeout=timeout)
        else:
            response = client.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as e:
        raise LedgerError(f"cannot reach the TSA at {url}: {e}") from None
    if response.status_code != 200:
        raise LedgerError(f"the TSA at {url} answered HTTP {response.status_code}")
    token = token_from_response(response.content)
    if trust_roots:
        verify_token(token, digest=digest, trust_roots=trust_roots, nonce=nonce)
        return token
    info = read_token(token)
    if info.imprint != digest or info.nonce != nonce:
        raise InvalidProof(f"the TSA at {url} answered with a token for another request")
    return token
