"""CMS SignedData around a TSTInfo: the signed attributes and the TSA's signature.

A time-stamp token is a CMS SignedData (RFC 5652) whose encapsulated content
is the DER TSTInfo (RFC 3161 section 2.4.2). The signature covers four signed
attributes: content-type (id-ct-TSTInfo), signing-time, message-digest (the
SHA-256 of the TSTInfo) and ESS signing-certificate-v2 (RFC 5816), which names
the TSA certificate by its SHA-256 so nobody can swap in another certificate
for the same key. OpenSSL refuses tokens without an ESS attribute.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from cunzheng.ledger.tsa.certs import TsaIdentity

T = TypeVar("T", bound=core.Asn1Value)


def frozen(value: T) -> T:
    """Return *value* re-read from its DER encoding, which asn1crypto embeds as is.

    asn1crypto re-encodes a value built from Python objects each time a
    structure containing it is encoded, which makes nested building slow.
    """
    reloaded: T = type(value).load(value.dump())
    return reloaded


def signed_attributes(
    tst_info: bytes, certificate: x509.Certificate, *, signing_time: datetime
) -> list[cms.CMSAttribute]:
    """Return the content-type, signing-time, message-digest and ESS signing-certificate-v2 attributes."""
    ess = tsp.SigningCertificateV2.load(
        _ess_signing_certificate(certificate.public_bytes(serialization.Encoding.DER))
    )
    # UTCTime has no fractions of a second; TSTInfo's genTime keeps them.
    moment = signing_time.astimezone(UTC).replace(microsecond=0)
    return [
        frozen(cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]})),
        frozen(
            cms.CMSAttribute(
                {
                    "type": "signing_time",
                    "values": [frozen(cms.Time(name="utc_time", value=moment))],
                }
            )
        ),
        frozen(
            cms.CMSAttribute(
                {"type": "message_digest", "values": [hashlib.sha256(tst_info).digest()]}
            )
        ),
        frozen(cms.CMSAttribute({"type": "signing_certificate_v2", "values": [ess]})),
    ]


@functools.lru_cache(maxsize=8)
def _ess_signing_certificate(cert_der: bytes) -> bytes:
    cert = asn1_x509.Certificate.load(cert_der)
    issuer = asn1_x509.GeneralName(name="directory_name", value=cert.issuer)
    cert_id = {
        "cert_hash": hashlib.sha256(cert_der).digest(),
        "issuer_serial": {"issuer": [issuer], "serial_number": cert.serial_number},
    }
    return bytes(tsp.SigningCertificateV2({"certs": [cert_id]}).dump())


def sign_token(
    tst_info: bytes,
    identity: TsaIdentity,
    *,
    attributes: Sequence[cms.CMSAttribute],
    include_certificate: bool = True,
) -> bytes:
    """Return the DER time-stamp token (ContentInfo) signing the DER *tst_info* with *attributes*."""
    cert = asn1_x509.Certificate.load(identity.certificate.public_bytes(serialization.Encoding.DER))
    signed_attrs = frozen(cms.CMSAttributes(list(attributes)))
    # The signature covers the attributes encoded as a SET OF (tag 0x31), not as the [0] field.
    signature, algorithm = _sign(identity, signed_attrs.dump())
    signer_info = frozen(
        cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    name="issuer_and_serial_number",
                    value={"issuer": cert.issuer, "serial_number": cert.serial_number},
                ),
                "digest_algorithm": {"algorithm": "sha256"},
                "signed_attrs": signed_attrs,
                "signature_algorithm": algorithm,
                "signature": signature,
            }
        )
    )
    signed_data: dict[str, object] = {
        "version": "v3",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {
            "content_type": "tst_info",
            "content": core.ParsableOctetString(tst_info),
        },
        "signer_infos": frozen(cms.SignerInfos([signer_info])),
    }
    if include_certificate:
        signed_data["certificates"] = [cert]
    return bytes(
        cms.ContentInfo(
            {"content_type": "signed_data", "content": cms.SignedData(signed_data)}
        ).dump()
    )


def _sign(identity: TsaIdentity, data: bytes) -> tuple[bytes, algos.SignedDigestAlgorithm]:
    key = identity.key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256())), algos.SignedDigestAlgorithm(
            {"algorithm": "sha256_ecdsa"}
        )
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256()), algos.SignedDigestAlgorithm(
        {"algorithm": "sha256_rsa", "parameters": core.Null()}
    )
