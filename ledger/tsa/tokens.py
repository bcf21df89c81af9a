"""RFC 3161 messages: time-stamp requests, responses and what a token claims (pure, no I/O).

A request (TimeStampReq) carries a message imprint, the hash of the data, and
optionally a nonce; the answer (TimeStampResp) carries a status and, when
granted, the token: a CMS SignedData over a TSTInfo that says which imprint
the TSA saw at which time (genTime, within accuracy). ``read_token`` parses a
token without checking it; ``ledger.tsa.verify.verify_token`` checks it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from cunzheng.ledger.errors import LedgerError, MalformedInput

# The imprint hashes a TSA accepts, by asn1crypto name: (OID, digest size, hash function).
HASHES: dict[str, tuple[str, int, Callable[[bytes], hashlib._Hash]]] = {
    "sha256": ("2.16.840.1.101.3.4.2.1", 32, hashlib.sha256),
    "sha384": ("2.16.840.1.101.3.4.2.2", 48, hashlib.sha384),
    "sha512": ("2.16.840.1.101.3.4.2.3", 64, hashlib.sha512),
}
QUERY_MEDIA_TYPE = "application/timestamp-query"
REPLY_MEDIA_TYPE = "application/timestamp-reply"
ID_CT_TST_INFO = "1.2.840.113549.1.9.16.1.4"

T = TypeVar("T", bound=core.Asn1Value)
P = ParamSpec("P")
R = TypeVar("R")
# What asn1crypto and cryptography raise for bytes that do not parse (UnicodeDecodeError is a ValueError).
PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError)
CERTIFICATE_ERRORS = (
    *PARSE_ERRORS,
    UnsupportedAlgorithm,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
)


class TimeStampResp(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    """RFC 3161 TimeStampResp, whose token is absent when the request was refused."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


class Rejected(LedgerError):
    """A time-stamp request the TSA refused; ``fail_info`` is the RFC 3161 PKIFailureInfo bit name."""

    def __init__(self, fail_info: str, detail: str) -> None:
        super().__init__(f"time-stamp request rejected ({fail_info}): {detail}")
        self.fail_info = fail_info
        self.detail = detail


@dataclass(frozen=True)
class TokenInfo:
    """What a time-stamp token states: the TSA saw *imprint* at *gen_time* (within *accuracy*)."""

    gen_time: datetime
    accuracy: timedelta | None
    serial: int
    policy: str
    hash_name: str
    imprint: bytes
    nonce: int | None
    tsa_subject: str
    tsa_certificate: bytes | None = field(default=None, repr=False)

    @property
    def latest(self) -> datetime:
        """Return the latest time the token allows: genTime plus its accuracy."""
        return self.gen_time + (self.accuracy or timedelta(0))


def load_strict(cls: type[T], data: bytes, what: str) -> T:
    """Return *data* parsed as the ASN.1 type *cls*, with no trailing bytes."""
    try:
        value: T = cls.load(data, strict=True)
        return value
    except PARSE_ERRORS as e:
        raise MalformedInput(f"not a DER {what}: {e}") from None


def parses(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Return a decorator that reports asn1crypto's parse errors as MalformedInput about *what*.

    asn1crypto parses lazily, so damaged bytes deep inside a value surface only
    when a field is read, as one of several built-in exception types.
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return function(*args, **kwargs)
            except PARSE_ERRORS as e:
                raise MalformedInput(f"{what} does not parse: {e}") from None

        return wrapper

    return decorate


def hash_name_for(digest: bytes) -> str:
    """Return the name of the SHA-2 hash whose digests are as long as *digest*."""
    for name, (_, size, _) in HASHES.items():
        if len(digest) == size:
            return name
    raise MalformedInput(f"a {len(digest)}-byte digest is not a SHA-256, SHA-384 or SHA-512 digest")


def request_for(
    digest: bytes,
    *,
    nonce: int | None = None,
    cert_req: bool = True,
    policy: str | None = None,
) -> bytes:
    """Return the DER TimeStampReq asking for a token over *digest* (SHA-256, -384 or -512)."""
    request: dict[str, object] = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": {"algorithm": hash_name_for(digest)},
            "hashed_message": digest,
        },
        "cert_req": cert_req,
    }
    if nonce is not None:
        request["nonce"] = nonce
    if policy is not None:
        request["req_policy"] = policy
    return bytes(tsp.TimeStampReq(request).dump())


@parses("the TimeStampResp")
def token_from_response(response: bytes) -> bytes:
    """Return the token in the DER TimeStampResp *response*, or raise ``Rejected`` with the TSA's reason."""
    resp = load_strict(TimeStampResp, response, "TimeStampResp")
    status = resp["status"]
    if status["status"].native not in ("granted", "granted_with_mods"):
        fail = status["fail_info"]
        reasons = sorted(fail.native) if fail.native else ["unspecified"]
        text = "; ".join(status["status_string"].native or []) or status["status"].native
        raise Rejected(",".join(reasons), text)
    token = resp["time_stamp_token"]
    if not isinstance(token, cms.ContentInfo):
        raise MalformedInput("the TSA granted the request but sent no time-stamp token")
    return bytes(token.dump())


@parses("the time-stamp token")
def read_token(token: bytes) -> TokenInfo:
    """Return what *token* claims, WITHOUT checking its signature or its TSA: use verify_token for that."""
    signed_data = signed_data_of(token)
    tst = tst_info_of(signed_data)
    certs = certificates_of(signed_data)
    signer = find_signer(signed_data["signer_infos"][0], certs) if certs else None
    return token_info(tst, signer)


def signed_data_of(token: bytes) -> cms.SignedData:
    """Return the SignedData of the DER token *token*, checking the parts no signature covers."""
    info = load_strict(cms.ContentInfo, token, "time-stamp token (CMS ContentInfo)")
    if info["content_type"].native != "signed_data":
        raise MalformedInput("a time-stamp token is a CMS SignedData; this is something else")
    sd = info["content"]
    # Fields outside the signature: a token with anything unexpected here is not ours to trust.
    if sd["version"].native != "v3":
        raise MalformedInput("a time-stamp token's SignedData must be version 3 (RFC 5652)")
    if len(sd["signer_infos"]) != 1:
        raise MalformedInput("a time-stamp token must have exactly one signer (RFC 3161)")
    signer = sd["signer_infos"][0]
    sid_kind = (
        "issuer_and_serial_number" if signer["version"].native == "v1" else "subject_key_identifier"
    )
    if signer["version"].native not in ("v1", "v3") or signer["sid"].name != sid_kind:
        raise MalformedInput("the token's SignerInfo version does not fit its signer identifier")
    algorithms = [a["algorithm"].native for a in sd["digest_algorithms"]]
    if algorithms != [signer["digest_algorithm"]["algorithm"].native]:
        raise MalformedInput("the token's digestAlgorithms do not match its signer's")
    if sd["crls"].native is not None:
        raise MalformedInput("a time-stamp token carries no revocation lists")
    if sd["encap_content_info"]["content_type"].dotted != ID_CT_TST_INFO:
        raise MalformedInput("the token does not encapsulate a TSTInfo (id-ct-TSTInfo)")
    return sd


def tst_info_of(signed_data: cms.SignedData) -> tsp.TSTInfo:
    """Return the TSTInfo encapsulated in *signed_data*."""
    content = signed_data["encap_content_info"]["content"]
    if isinstance(content, core.Void):
        raise MalformedInput("the token's TSTInfo is missing")
    tst = load_strict(tsp.TSTInfo, content.contents, "TSTInfo")
    if tst["version"].native != "v1":
        raise MalformedInput("a TSTInfo must be version 1 (RFC 3161)")
    if tst["message_imprint"]["hash_algorithm"]["algorithm"].native not in HASHES:
        raise MalformedInput("the token's imprint is not a SHA-256, SHA-384 or SHA-512 digest")
    return tst


def certificates_of(signed_data: cms.SignedData) -> list[x509.Certificate]:
    """Return the certificates a token carries."""
    certs = []
    for choice in signed_data["certificates"] or []:
        if choice.name != "certificate":
            raise MalformedInput("a time-stamp token may carry only X.509 certificates")
        try:
            cert = x509.load_der_x509_certificate(choice.chosen.dump())
            # cryptography parses a certificate's key and extensions lazily: parse them now.
            cert.public_key()
            cert.extensions  # noqa: B018
        except CERTIFICATE_ERRORS as e:
            raise MalformedInput(f"the token carries a damaged certificate: {e}") from None
        certs.append(cert)
    return certs


def find_signer(signer_info: cms.SignerInfo, certs: list[x509.Certificate]) -> x509.Certificate:
    """Return the certificate among *certs* that *signer_info* names, or raise MalformedInput."""
    sid = signer_info["sid"]
    for cert in certs:
        if sid.name == "issuer_and_serial_number":
            if (
                sid.chosen["serial_number"].native == cert.serial_number
                and sid.chosen["issuer"].dump() == cert.issuer.public_bytes()
            ):
                return cert
        else:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            except x509.ExtensionNotFound:
                continue
            if ski.value.digest == sid.chosen.native:
                return cert
    raise MalformedInput(
        "the TSA certificate is neither in the token nor among the certificates given; "
        "pass the TSA certificate (GET /tsa/certs) along with the trust roots"
    )


def gen_time_of(tst: tsp.TSTInfo) -> datetime:
    """Return the token's genTime, which RFC 3161 requires in UTC (ending in "Z")."""
    gen_time: datetime = tst["gen_time"].native
    if gen_time.tzinfo is None:
        raise MalformedInput('the token\'s genTime names no time zone: RFC 3161 requires UTC ("Z")')
    return gen_time


def token_info(tst: tsp.TSTInfo, signer: x509.Certificate | None) -> TokenInfo:
    """Return the TokenInfo of the parsed TSTInfo *tst* signed by *signer*."""
    accuracy = None
    if tst["accuracy"].native is not None:
        acc = tst["accuracy"]
        accuracy = timedelta(
            seconds=acc["seconds"].native or 0,
            milliseconds=acc["millis"].native or 0,
            microseconds=acc["micros"].native or 0,
        )
    return TokenInfo(
        gen_time=gen_time_of(tst),
        accuracy=accuracy,
        serial=tst["serial_number"].native,
        policy=tst["policy"].dotted,
        hash_name=tst["message_imprint"]["hash_algorithm"]["algorithm"].native,
        imprint=tst["message_imprint"]["hashed_message"].native,
        nonce=tst["nonce"].native,
        tsa_subject=signer.subject.rfc4514_string() if signer else "",
        tsa_certificate=signer.public_bytes(serialization.Encoding.DER) if signer else None,
    )
