"""The time-stamp authority's key and certificates: a local test CA by default, or a production chain.

On first start without a configured key, ``local_identity`` creates in
``<data dir>/tsa/`` a self-signed ECDSA P-256 CA (``ca.pem``) and a TSA
certificate it issues (``tsa.pem``, key ``tsa.key``, mode 0600). Both say
"NOT TRUSTED" in their common name: they make tokens that verify with
OpenSSL, but no court trusts that CA unless it was given it out of band. The
CA's key is discarded once it has signed the TSA certificate, so it can vouch
for nothing else. A production deployment points ``tsa_key`` and
``tsa_chain`` at a key and chain issued by a trusted CA (``identity_from_files``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.keyfiles import read_certificates, read_pem_key

TSA_DIR = "tsa"
CA_FILE = "ca.pem"
CERT_FILE = "tsa.pem"
KEY_FILE = "tsa.key"
LOCAL_CA_NAME = "Cunzheng local test CA - NOT TRUSTED"
LOCAL_TSA_NAME = "Cunzheng local test TSA - NOT TRUSTED"
CA_VALIDITY = dt.timedelta(days=20 * 365)
TSA_VALIDITY = dt.timedelta(days=10 * 365)

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class TsaIdentity:
    """The TSA's signing key, its certificate and the CA certificates above it (leaf first)."""

    key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    def chain_pem(self) -> bytes:
        """Return the TSA certificate followed by its CA certificates, in PEM."""
        certs = (self.certificate, *self.chain)
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def local_identity(data_dir: Path, *, now: dt.datetime | None = None) -> TsaIdentity:
    """Return the local test TSA of *data_dir*, creating its CA, certificate and key on first start."""
    home = data_dir / TSA_DIR
    if not home.exists():
        _create_local(data_dir, now or dt.datetime.now(dt.UTC))
    return identity_from_files(home / KEY_FILE, home / CERT_FILE, extra_chain=home / CA_FILE)


def identity_from_files(
    key_path: Path, chain_path: Path, *, extra_chain: Path | None = None
) -> TsaIdentity:
    """Return the TSA identity in *key_path* (PEM key) and *chain_path* (PEM, TSA certificate first)."""
    key = _read_key(key_path)
    certs = read_certificates(chain_path, what="TSA certificate")
    if extra_chain is not None:
        certs += read_certificates(extra_chain, what="TSA certificate")
    identity = TsaIdentity(key=key, certificate=certs[0], chain=tuple(certs[1:]))
    check_identity(identity, source=str(chain_path))
    return identity


def check_identity(identity: TsaIdentity, *, source: str = "the TSA certificate") -> None:
    """Check that *identity*'s key matches its certificate and that the certificate may time-stamp."""
    cert = identity.certificate
    if _spki(cert.public_key()) != _spki(identity.key.public_key()):
        raise LedgerError(f"{source}: the first certificate does not match the TSA private key")
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        eku = None
    if eku is None or not eku.critical or list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise LedgerError(
            f"{source}: a TSA certificate needs a critical extendedKeyUsage of timeStamping only "
            "(RFC 3161 section 2.3); OpenSSL and rfc3161-client refuse tokens signed otherwise"
        )


def _spki(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def generate_ca(
    name: str, *, now: dt.datetime
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """Return a new self-signed ECDSA P-256 CA key and certificate named *name*."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(name)
    cert = (
        _builder(subject, subject, key.public_key(), now, CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue_tsa_certificate(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    name: str,
    *,
    now: dt.datetime,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """Return a new ECDSA P-256 TSA key and its certificate, issued by *ca_cert*."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder(_name(name), ca_cert.subject, key.public_key(), now, TSA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _create_local(data_dir: Path, now: dt.datetime) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = generate_ca(LOCAL_CA_NAME, now=now)
    key, cert = issue_tsa_certificate(ca_key, ca_cert, LOCAL_TSA_NAME, now=now)
    staging = Path(tempfile.mkdtemp(prefix=".tsa-", dir=data_dir))
    try:
        (staging / CA_FILE).write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        (staging / CERT_FILE).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        fd = os.open(staging / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        # One rename publishes all three files: a second process starting at the same moment
        # either wins or keeps the directory the first one made.
        os.rename(staging, data_dir / TSA_DIR)
    except OSError:
        if not (data_dir / TSA_DIR).exists():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _read_key(path: Path) -> SigningKey:
    key = read_pem_key(path, what="TSA key")
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(
        key.curve, ec.SECP256R1 | ec.SECP384R1
    ):
        return key
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048:
        return key
    raise LedgerError(
        f"TSA key {path} must be ECDSA P-256 or P-384, or RSA of at least 2048 bits: "
        "OpenSSL ts and rfc3161-client accept no Ed25519 time-stamp tokens"
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cunzheng"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    now: dt.datetime,
    validity: dt.timedelta,
) -> x509.CertificateBuilder:
    # Back-dated a minute so a token issued right after start is inside the validity window
    # even for a verifier whose clock is slightly behind.
    start = now.replace(microsecond=0) - dt.timedelta(minutes=1)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + validity)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
