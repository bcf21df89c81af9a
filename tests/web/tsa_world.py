"""The pieces tests/web/tsa_vectors.py builds its time-stamp cases from.

A fixed clock and digest, certificates made to order (``certificate``), and
``case``: a token with what to check it against and what ledger.tsa says of
it, in the JSON form tests/web/tsa.test.js compares the browser verifier with.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cunzheng.ledger.clock import format_time
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.tsa import TokenInfo, read_token, verify_token

POLICY = "2.25.263737314945060897510708092574744900752.1"
NOW = dt.datetime(2026, 11, 25, 8, 0, 0, 123456, tzinfo=dt.UTC)
ISSUED = NOW - dt.timedelta(days=30)
DIGEST = hashlib.sha256(b"evidence of a data asset").digest()
Cert = x509.Certificate


def der(cert: Cert) -> bytes:
    """Return *cert* in DER."""
    return cert.public_bytes(Encoding.DER)


def b64(data: bytes) -> str:
    """Return *data* in base64."""
    return base64.b64encode(data).decode()


def info_json(info: TokenInfo) -> dict[str, object]:
    """Return *info* as the JSON the JavaScript TokenInfo is compared with."""
    return {
        "genTime": format_time(info.gen_time),
        "accuracyMicros": None
        if info.accuracy is None
        else info.accuracy // dt.timedelta(microseconds=1),
        "latest": format_time(info.latest),
        "serial": str(info.serial),
        "policy": info.policy,
        "hashName": info.hash_name,
        "imprint": info.imprint.hex(),
        "nonce": None if info.nonce is None else str(info.nonce),
        "tsaSubject": info.tsa_subject,
        "tsaCertificate": None if info.tsa_certificate is None else b64(info.tsa_certificate),
    }


def outcome(call: Callable[[], TokenInfo]) -> dict[str, object]:
    """Return what *call* gives: a TokenInfo, a LedgerError, or any other exception as a crash."""
    try:
        return {"info": info_json(call())}
    except LedgerError as e:
        return {"error": type(e).__name__, "message": e.message}
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # rfc3161-client panics on certificates OpenSSL cannot read
        return {"crash": f"{type(e).__name__}: {e}"}


def case(
    name: str,
    token: bytes,
    roots: Sequence[Cert | bytes],
    *,
    digest: bytes = DIGEST,
    nonce: int | None = None,
    certificates: Sequence[Cert] = (),
    read: bool = True,
) -> dict[str, object]:
    """Return the case of *token* checked against *roots*, with what read_token says if *read*."""

    def check() -> TokenInfo:
        return verify_token(
            token, digest=digest, trust_roots=list(roots), nonce=nonce, certificates=certificates
        )

    return {
        "name": name,
        "token": b64(token),
        "digest": digest.hex(),
        "roots": [b64(c if isinstance(c, bytes) else der(c)) for c in roots],
        "certificates": [b64(der(c)) for c in certificates],
        "nonce": None if nonce is None else str(nonce),
        "expected": outcome(check),
        "read": outcome(lambda: read_token(token)) if read else None,
    }


def flip(data: bytes, position: int) -> bytes:
    """Return *data* with one bit of byte *position* inverted, a different bit from byte to byte."""
    changed = bytearray(data)
    changed[position] ^= 1 << (position * 5 % 8)
    return bytes(changed)


Key = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
TIME_STAMPING = (ExtendedKeyUsageOID.TIME_STAMPING,)
CA_USAGE = x509.KeyUsage(False, False, False, False, False, True, True, False, False)


def certificate(
    name: str,
    key: Key,
    issuer_key: Key,
    issuer: Cert | None = None,
    *,
    start: dt.datetime = ISSUED,
    days: int = 3650,
    ca: bool = False,
    path_length: int | None = None,
    key_usage: x509.KeyUsage | None = CA_USAGE,
    purposes: Sequence[x509.ObjectIdentifier] | None = TIME_STAMPING,
    eku_critical: bool = True,
    ca_purposes: Sequence[x509.ObjectIdentifier] | None = None,
    pss: bool = False,
    extra: Sequence[x509.ExtensionType] = (),
) -> Cert:
    """Return a certificate for *key* signed by *issuer_key*: a CA if *ca*, else a TSA.

    A CA gets basicConstraints (critical), *key_usage* unless None and a
    non-critical extendedKeyUsage of *ca_purposes* if given; a TSA gets the
    extendedKeyUsage *purposes* unless None. *issuer* None makes it
    self-issued; *pss* signs with RSA-PSS (SHA-256, salt 32); *extra* adds
    critical extensions.
    """
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(True, path_length), critical=True)
        if key_usage is not None:
            builder = builder.add_extension(key_usage, critical=True)
        if ca_purposes is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(ca_purposes)), False)
    elif purposes is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(purposes)), eku_critical)
    for extension in extra:
        builder = builder.add_extension(extension, critical=True)
    if pss:
        scheme = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        return builder.sign(issuer_key, hashes.SHA256(), rsa_padding=scheme)
    return builder.sign(issuer_key, hashes.SHA256())
