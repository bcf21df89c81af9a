"""The time-stamp authority: answers RFC 3161 requests with tokens signed by its key.

Each token's TSTInfo holds the configured policy OID, the request's message
imprint, a random 128-bit serial number (unique across restarts and across
processes sharing one key, with no state to keep), genTime in UTC with
microseconds, the configured accuracy, ordering false, the request's nonce
and the TSA's name. ``respond`` never raises on bad input: a request it cannot
serve (including one with a negative nonce, whose token verifiers cannot parse)
gets a TimeStampResp with status rejection and the RFC 3161 failure bit.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

from cunzheng.ledger.clock import Clock, utc_now
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.tsa.certs import TsaIdentity, identity_from_files, local_identity
from cunzheng.ledger.tsa.cms import sign_token, signed_attributes
from cunzheng.ledger.tsa.tokens import HASHES, PARSE_ERRORS, Rejected, TimeStampResp, hash_name_for

if TYPE_CHECKING:
    from cunzheng.ledger.settings import Settings

# Largest TimeStampReq accepted: a SHA-512 imprint, a nonce, a policy and some extensions fit well.
MAX_REQUEST_BYTES = 8192


def random_serial() -> int:
    """Return a random serial number between 1 and 2**128 - 1."""
    return 1 + secrets.randbelow(2**128 - 1)


class TimeStampAuthority:
    """An RFC 3161 TSA signing with *identity* under the policy OID *policy*."""

    def __init__(
        self,
        identity: TsaIdentity,
        *,
        policy: str,
        accuracy_ms: int = 1000,
        now: Clock = utc_now,
        serial: Callable[[], int] = random_serial,
    ) -> None:
        self.identity = identity
        self.policy = policy
        self.accuracy_ms = accuracy_ms
        self._now = now
        self._serial = serial
        cert_der = identity.certificate.public_bytes(serialization.Encoding.DER)
        self._tsa_name = asn1_x509.GeneralName(
            name="directory_name", value=asn1_x509.Certificate.load(cert_der).subject
        )

    def chain_pem(self) -> bytes:
        """Return the TSA certificate and the CA certificates above it, in PEM."""
        return self.identity.chain_pem()

    def issue_for_digest(
        self,
        digest: bytes,
        *,
        nonce: int | None = None,
        include_certificate: bool = True,
    ) -> bytes:
        """Return a DER time-stamp token over *digest* (a SHA-256, SHA-384 or SHA-512 digest)."""
        imprint = tsp.MessageImprint(
            {"hash_algorithm": {"algorithm": hash_name_for(digest)}, "hashed_message": digest}
        )
        return self._issue(imprint, nonce=nonce, include_certificate=include_certificate)

    def respond(self, request: bytes) -> bytes:
        """Return the DER TimeStampResp answering the DER TimeStampReq *request*: a token or a rejection."""
        try:
            req = self._check(read_request(request))
        except Rejected as e:
            return rejection(e.fail_info, e.detail)
        token = self._issue(req.imprint, nonce=req.nonce, include_certificate=req.cert_req)
        return bytes(
            TimeStampResp(
                {"status": {"status": "granted"}, "time_stamp_token": cms.ContentInfo.load(token)}
            ).dump()
        )

    def _check(self, req: TimeStampRequest) -> TimeStampRequest:
        if req.version != 1:
            raise Rejected("bad_data_format", "only version 1 requests exist (RFC 3161)")
        if req.hash_name not in HASHES or req.hash_parameters:
            raise Rejected(
                "bad_alg",
                f"the imprint's hash algorithm {req.hash_oid} is not accepted; "
                "use SHA-256, SHA-384 or SHA-512",
            )
        size = HASHES[req.hash_name][1]
        if len(req.digest) != size:
            raise Rejected("bad_data_format", f"a {req.hash_name} imprint is {size} bytes long")
        if req.policy is not None and req.policy != self.policy:
            raise Rejected(
                "unaccepted_policy", f"this TSA issues tokens under policy {self.policy} only"
            )
        if req.has_extensions:
            raise Rejected("unaccepted_extensions", "this TSA supports no request extensions")
        # A negative nonce is valid ASN.1, but rfc3161-client (and so verify_token) cannot parse
        # a token carrying one: granting it would hand out a token nobody can check.
        if req.nonce is not None and req.nonce < 0:
            raise Rejected(
                "bad_request", "the nonce must not be negative: send a random positive integer"
            )
        return req

    def _issue(
        self, imprint: tsp.MessageImprint, *, nonce: int | None, include_certificate: bool
    ) -> bytes:
        gen_time = self._now()
        tst: dict[str, object] = {
            "version": "v1",
            "policy": self.policy,
            "message_imprint": imprint.copy(),
            "serial_number": self._serial(),
            "gen_time": gen_time,
            "accuracy": accuracy(self.accuracy_ms),
            "tsa": self._tsa_name,
        }
        if nonce is not None:
            tst["nonce"] = nonce
        tst_der = tsp.TSTInfo(tst).dump()
        attrs = signed_attributes(tst_der, self.identity.certificate, signing_time=gen_time)
        return sign_token(
            tst_der, self.identity, attributes=attrs, include_certificate=include_certificate
        )


@dataclass(frozen=True)
class TimeStampRequest:
    """The fields of a TimeStampReq a TSA acts on."""

    version: int
    imprint: tsp.MessageImprint
    hash_oid: str
    hash_name: str
    hash_parameters: bool
    digest: bytes
    policy: str | None
    nonce: int | None
    cert_req: bool
    has_extensions: bool


def read_request(request: bytes) -> TimeStampRequest:
    """Return the fields of the DER TimeStampReq *request*, or raise Rejected if it does not parse."""
    if len(request) > MAX_REQUEST_BYTES:
        raise Rejected("bad_data_format", f"the request exceeds {MAX_REQUEST_BYTES} bytes")
    try:
        req = tsp.TimeStampReq.load(request, strict=True)
        imprint = req["message_imprint"]
        algorithm = imprint["hash_algorithm"]
        return TimeStampRequest(
            version=int(req["version"]),
            imprint=imprint,
            hash_oid=algorithm["algorithm"].dotted,
            hash_name=str(algorithm["algorithm"].native),
            hash_parameters=algorithm["parameters"].native is not None,
            digest=imprint["hashed_message"].native,
            policy=req["req_policy"].dotted if req["req_policy"].native is not None else None,
            nonce=req["nonce"].native,
            cert_req=bool(req["cert_req"].native),
            has_extensions=bool(req["extensions"].native),
        )
    except PARSE_ERRORS as e:
        raise Rejected(
            "bad_data_format", f"the body is not a DER TimeStampReq (RFC 3161 section 2.4.1): {e}"
        ) from None


def accuracy(milliseconds: int) -> tsp.Accuracy:
    """Return the TSTInfo accuracy of *milliseconds*, in whole seconds and the remaining millis."""
    seconds, millis = divmod(milliseconds, 1000)
    value: dict[str, int] = {}
    if seconds:
        value["seconds"] = seconds
    if millis:
        value["millis"] = millis
    return tsp.Accuracy(value)


def rejection(fail_info: str, detail: str) -> bytes:
    """Return a DER TimeStampResp refusing a request with the PKIFailureInfo bit *fail_info*."""
    return bytes(
        TimeStampResp(
            {
                "status": {
                    "status": "rejection",
                    "status_string": [detail],
                    "fail_info": tsp.PKIFailureInfo({fail_info}),
                }
            }
        ).dump()
    )


def open_authority(settings: Settings) -> TimeStampAuthority:
    """Return the TSA that *settings* configure: a production key and chain, or the local test TSA."""
    if (settings.tsa_key is None) != (settings.tsa_chain is None):
        raise LedgerError("set both CUNZHENG_TSA_KEY and CUNZHENG_TSA_CHAIN, or neither")
    if settings.tsa_key is not None and settings.tsa_chain is not None:
        identity = identity_from_files(settings.tsa_key, settings.tsa_chain)
    else:
        identity = local_identity(settings.data_dir)
    return TimeStampAuthority(
        identity, policy=settings.tsa_policy_oid, accuracy_ms=settings.tsa_accuracy_ms
    )
