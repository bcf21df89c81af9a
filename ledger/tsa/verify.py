"""Checking an RFC 3161 time-stamp token offline (pure, no I/O).

``verify_token`` accepts a token only if all of these hold, in this order,
and otherwise raises an error that says which did not:

1. it parses as a CMS SignedData over a TSTInfo, with one signer;
2. its signed attributes name id-ct-TSTInfo and hold the TSTInfo's digest,
   and the TSA certificate's key verifies the signature over them;
3. the ESS signing-certificate-v2 attribute (RFC 5816) names that very
   certificate by its hash (and issuer and serial, when given);
4. the certificate's extendedKeyUsage is timeStamping only, marked critical
   (RFC 3161 section 2.3);
5. the certificate chains to one of the trust roots, valid at genTime, through
   intermediates found in the token or given (built by cryptography's path
   validator, then checked again by Trail of Bits' rfc3161-client, which
   also repeats 4);
6. the token is over the expected digest, and carries the expected nonce.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import rfc3161_client
from asn1crypto import cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from cunzheng.ledger.errors import InvalidProof, InvalidSignature, MalformedInput
from cunzheng.ledger.tsa.tokens import (
    HASHES,
    ID_CT_TST_INFO,
    TokenInfo,
    certificates_of,
    find_signer,
    gen_time_of,
    parses,
    signed_data_of,
    token_info,
    tst_info_of,
)

CertificateInput = bytes | x509.Certificate

_CRYPTO_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


@parses("the time-stamp token")
def verify_token(
    token: bytes,
    *,
    digest: bytes,
    trust_roots: Sequence[CertificateInput],
    nonce: int | None = None,
    certificates: Sequence[CertificateInput] = (),
) -> TokenInfo:
    """Return what *token* states after checking it is a valid TSA token over *digest* under *trust_roots*.

    *trust_roots* and *certificates* (the TSA certificate when the token lacks
    it, and intermediate CAs) are DER or PEM certificates or loaded ones.
    """
    roots = load_certificates(trust_roots)
    if not roots:
        raise MalformedInput("no trust roots given: pass the TSA's CA certificate")
    extra = load_certificates(certificates)
    signed_data = signed_data_of(token)
    tst = tst_info_of(signed_data)
    signer_info = signed_data["signer_infos"][0]
    embedded = certificates_of(signed_data)
    # The signature covers the attributes encoded as a SET OF (tag 0x31), not as the [0] field;
    # taken before any field is read, since asn1crypto may re-encode what it has read.
    signed_attrs = b"\x31" + signer_info["signed_attrs"].dump()[1:]
    signer = find_signer(signer_info, embedded + extra)
    _check_attributes(signed_data, signer_info)
    _check_signature(signer_info, signed_attrs, signer)
    _check_ess(signer_info, signer)
    _check_eku(signer)
    candidates = [c for c in embedded + extra if c != signer]
    path = _check_path(signer, roots, candidates, gen_time_of(tst))
    _check_chain(token, signed_data, tst, signer, roots, path[1:-1], embedded=embedded)
    info = token_info(tst, signer)
    if info.imprint != digest:
        raise InvalidProof(
            f"the token is over another digest: it time-stamps {info.hash_name} "
            f"{info.imprint.hex()}, not {digest.hex()}"
        )
    if nonce is not None and info.nonce != nonce:
        raise InvalidProof(
            f"nonce mismatch: the token carries {info.nonce}, the request sent {nonce}"
        )
    return info


def load_certificates(items: Sequence[CertificateInput]) -> list[x509.Certificate]:
    """Return the certificates in *items*, each a loaded certificate, DER bytes or PEM bytes."""
    certs: list[x509.Certificate] = []
    for item in items:
        if isinstance(item, x509.Certificate):
            certs.append(item)
            continue
        try:
            if item.lstrip().startswith(b"-----BEGIN"):
                certs.extend(x509.load_pem_x509_certificates(item))
            else:
                certs.append(x509.load_der_x509_certificate(item))
        except (ValueError, x509.InvalidVersion) as e:
            raise MalformedInput(f"not an X.509 certificate in DER or PEM: {e}") from None
    return certs


def _check_attributes(signed_data: cms.SignedData, signer_info: cms.SignerInfo) -> None:
    attrs = signer_info["signed_attrs"]
    if isinstance(attrs, core.Void) or len(attrs) == 0:
        raise InvalidSignature("the token has no signed attributes, so nothing binds its TSTInfo")
    hash_name = signer_info["digest_algorithm"]["algorithm"].native
    if hash_name not in HASHES:
        raise InvalidSignature(f"the token's digest algorithm {hash_name} is not SHA-2")
    content_type = _attribute(attrs, "content_type")
    if content_type is None or content_type.dotted != ID_CT_TST_INFO:
        raise InvalidSignature("the token's signed content-type attribute is not id-ct-TSTInfo")
    message_digest = _attribute(attrs, "message_digest")
    content = signed_data["encap_content_info"]["content"].contents
    if message_digest is None or not hmac.compare_digest(
        message_digest.native, HASHES[hash_name][2](content).digest()
    ):
        raise InvalidSignature("the token's signed message-digest does not match its TSTInfo")


def _check_signature(
    signer_info: cms.SignerInfo, signed_attrs: bytes, signer: x509.Certificate
) -> None:
    algorithm = signer_info["signature_algorithm"]
    try:
        kind = algorithm.signature_algo
    except ValueError:
        kind = ""
    try:
        sig_hash = algorithm.hash_algo
    except ValueError:
        # rsaEncryption names no hash: the signature is then made with the SignerInfo's digest
        # algorithm (RFC 3370 section 3.2), as OpenSSL's TSA and many others sign.
        sig_hash = signer_info["digest_algorithm"]["algorithm"].native
    key = signer.public_key()
    if sig_hash not in _CRYPTO_HASHES or not (
        (kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey))
        or (kind == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey))
    ):
        raise InvalidSignature(
            f"the token's signature algorithm {algorithm['algorithm'].dotted} is not ECDSA or "
            "RSA with SHA-2 fitting the TSA certificate's key"
        )
    chosen = _CRYPTO_HASHES[sig_hash]()
    signature = signer_info["signature"].native
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed_attrs, ec.ECDSA(chosen))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed_attrs, padding.PKCS1v15(), chosen)
    except CryptoInvalidSignature:
        raise InvalidSignature(
            "the token's signature does not verify with the TSA certificate's key: "
            "the token was altered or signed by another key"
        ) from None


def _check_ess(signer_info: cms.SignerInfo, signer: x509.Certificate) -> None:
    value = _attribute(signer_info["signed_attrs"], "signing_certificate_v2")
    if not isinstance(value, tsp.SigningCertificateV2) or len(value["certs"]) == 0:
        raise InvalidSignature(
            "the token lacks the ESS signing-certificate-v2 attribute (RFC 5816) that binds "
            "its signature to the TSA certificate"
        )
    cert_id = value["certs"][0]
    hash_name = cert_id["hash_algorithm"]["algorithm"].native
    if hash_name not in HASHES:
        raise InvalidSignature(f"the ESS certificate hash uses {hash_name}, not SHA-2")
    cert_der = signer.public_bytes(serialization.Encoding.DER)
    if not hmac.compare_digest(
        cert_id["cert_hash"].native, HASHES[hash_name][2](cert_der).digest()
    ):
        raise InvalidSignature(
            "the ESS signing-certificate-v2 hash does not match the TSA certificate: "
            "the token names another certificate"
        )
    issuer_serial = cert_id["issuer_serial"]
    if not isinstance(issuer_serial, core.Void):
        issuer = signer.issuer.public_bytes()
        names = [
            n.chosen.untag().dump() for n in issuer_serial["issuer"] if n.name == "directory_name"
        ]
        if issuer_serial["serial_number"].native != signer.serial_number or issuer not in names:
            raise InvalidSignature(
                "the ESS signing-certificate-v2 issuer and serial do not match the TSA certificate"
            )


def _check_eku(signer: x509.Certificate) -> None:
    try:
        eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        eku = None
    if eku is None or not eku.critical or list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise InvalidSignature(
            f"the TSA certificate ({signer.subject.rfc4514_string()}) lacks a critical "
            "timeStamping extendedKeyUsage (RFC 3161 section 2.3): it may not time-stamp"
        )


def _check_path(
    signer: x509.Certificate,
    roots: list[x509.Certificate],
    candidates: list[x509.Certificate],
    at: datetime,
) -> list[x509.Certificate]:
    # cryptography's path builder treats *candidates* as untrusted intermediates; the TSA
    # certificate's own profile (EKU) is checked by _check_eku, not by the WebPKI defaults.
    verifier = (
        PolicyBuilder()
        .store(Store(roots))
        .time(at)
        .extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()
        )
        .build_client_verifier()
    )
    try:
        return list(verifier.verify(signer, candidates).chain)
    except VerificationError as e:
        raise InvalidSignature(
            f"the token's chain does not lead to a trusted root at its genTime ({e}); check "
            "that the trust root is the CA that issued the TSA certificate"
        ) from None


def _check_chain(
    token: bytes,
    signed_data: cms.SignedData,
    tst: tsp.TSTInfo,
    signer: x509.Certificate,
    roots: list[x509.Certificate],
    intermediates: list[x509.Certificate],
    *,
    embedded: list[x509.Certificate],
) -> None:
    # rfc3161-client trusts every certificate it is given, so it only gets the intermediates of
    # a path already built to a root. It looks for the signer among the token's certificates
    # alone and wants them in DER order, which OpenSSL's TSA does not keep; they are outside
    # the signature, so it is handed the token with the TSA certificate as its only one.
    if embedded != [signer]:
        signed = signed_data.copy()
        signed["certificates"] = [
            asn1_x509.Certificate.load(signer.public_bytes(serialization.Encoding.DER))
        ]
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()
    # TimeStampResp ::= SEQUENCE { status SEQUENCE { INTEGER 0 (granted) }, timeStampToken }
    response = _der_sequence(_der_sequence(b"\x02\x01\x00") + token)
    builder = rfc3161_client.VerifierBuilder(roots=list(roots), intermediates=list(intermediates))
    try:
        parsed = rfc3161_client.decode_timestamp_response(response)
        builder.build().verify(parsed, tst["message_imprint"]["hashed_message"].native)
    except ValueError as e:
        raise MalformedInput(f"rfc3161-client cannot parse the token: {e}") from None
    except rfc3161_client.VerificationError as e:
        raise InvalidSignature(
            f"the token's chain does not lead to a trusted root ({e}); check that the trust "
            "root is the CA that issued the TSA certificate"
        ) from None
    except BaseException as e:
        # rfc3161-client's Rust code panics (pyo3's PanicException, a BaseException) on some
        # certificates OpenSSL cannot read; that is bad input, never a crash of ours.
        if type(e).__name__ != "PanicException":
            raise
        raise MalformedInput(f"rfc3161-client cannot read the token's certificates: {e}") from None


def _der_sequence(contents: bytes) -> bytes:
    n = len(contents)
    if n < 0x80:
        return bytes([0x30, n]) + contents
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x30, 0x80 | len(size)]) + size + contents


def _attribute(attrs: cms.CMSAttributes, name: str) -> Any:
    found = [a for a in attrs if a["type"].native == name]
    if len(found) > 1 or (found and len(found[0]["values"]) != 1):
        raise InvalidSignature(
            f"the token's signed attribute {name} must appear once, with one value"
        )
    return found[0]["values"][0] if found else None
