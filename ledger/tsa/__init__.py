"""An RFC 3161 time-stamp authority and the offline check of its tokens.

A token is the TSA's signed statement that it saw a digest at a time
(genTime). Tokens are DER CMS SignedData signed with ECDSA P-256 and carry
the ESS signing-certificate-v2 attribute, so ``openssl ts -verify`` and
rfc3161-client accept them. ``TimeStampAuthority`` issues them (``authority``,
``cms``), ``certs`` makes or loads the TSA's key and certificates,
``tokens`` builds requests and reads responses, ``verify`` checks tokens
(both pure). The HTTP client, ``ledger.tsa.client``, is imported on its own
so the pure parts never pull in a network library.
"""

from cunzheng.ledger.tsa.authority import MAX_REQUEST_BYTES, TimeStampAuthority, open_authority
from cunzheng.ledger.tsa.certs import TsaIdentity, identity_from_files, local_identity
from cunzheng.ledger.tsa.tokens import (
    QUERY_MEDIA_TYPE,
    REPLY_MEDIA_TYPE,
    Rejected,
    TokenInfo,
    read_token,
    request_for,
    token_from_response,
)
from cunzheng.ledger.tsa.verify import verify_token

__all__ = [
    "MAX_REQUEST_BYTES",
    "QUERY_MEDIA_TYPE",
    "REPLY_MEDIA_TYPE",
    "Rejected",
    "TimeStampAuthority",
    "TokenInfo",
    "TsaIdentity",
    "identity_from_files",
    "local_identity",
    "open_authority",
    "read_token",
    "request_for",
    "token_from_response",
    "verify_token",
]
