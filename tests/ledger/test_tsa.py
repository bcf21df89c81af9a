"""Tests of ledger.tsa: issuing RFC 3161 tokens, answering requests and checking tokens.

A small world: a CA, a TSA certificate it issued, a TSA on a fixed clock; and a
second, independent CA whose TSA nobody here trusts. Bad tokens are built with
the same pieces the authority uses (``ledger.tsa.cms``), one defect at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import rfc3161_client
from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cunzheng.ledger.errors import InvalidProof, InvalidSignature, LedgerError, MalformedInput
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.tsa import (
    TimeStampAuthority,
    TokenInfo,
    TsaIdentity,
    identity_from_files,
    local_identity,
    open_authority,
    read_token,
    request_for,
    token_from_response,
    verify_token,
)
from cunzheng.ledger.tsa.authority import MAX_REQUEST_BYTES, random_serial
from cunzheng.ledger.tsa.certs import (
    CA_FILE,
    CERT_FILE,
    KEY_FILE,
    TSA_DIR,
    generate_ca,
    issue_tsa_certificate,
)
from cunzheng.ledger.tsa.client import fetch_token
from cunzheng.ledger.tsa.cms import sign_token, signed_attributes
from cunzheng.ledger.tsa.tokens import Rejected, signed_data_of, tst_info_of

POLICY = "2.25.263737314945060897510708092574744900752.1"
NOW = datetime(2026, 11, 25, 8, 0, 0, 123456, tzinfo=UTC)
ISSUED = NOW - timedelta(days=30)
DIGEST = hashlib.sha256(b"evidence of a data asset").digest()
OTHER_DIGEST = hashlib.sha256(b"some other file").digest()


@dataclass(frozen=True)
class Pki:
    """A CA and a TSA identity it issued."""

    ca_key: ec.EllipticCurvePrivateKey
    ca: x509.Certificate
    identity: TsaIdentity


def make_pki(name: str) -> Pki:
    ca_key, ca = generate_ca(f"{name} CA", now=ISSUED)
    key, cert = issue_tsa_certificate(ca_key, ca, f"{name} TSA", now=ISSUED)
    return Pki(ca_key, ca, TsaIdentity(key=key, certificate=cert, chain=(ca,)))


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def pki() -> Pki:
    """The TSA everybody here trusts, and its CA."""
    return make_pki("Test")


@pytest.fixture(scope="module")
def stranger() -> Pki:
    """A second, independently generated CA and TSA that nobody here trusts."""
    return make_pki("Stranger")


@pytest.fixture
def tsa(pki: Pki) -> TimeStampAuthority:
    """A TSA on a clock fixed at NOW."""
    return TimeStampAuthority(pki.identity, policy=POLICY, now=lambda: NOW)


def verify(
    token: bytes,
    pki: Pki,
    *,
    nonce: int | None = None,
    certificates: Sequence[x509.Certificate | bytes] = (),
) -> TokenInfo:
    """Return what *token* states after checking it over DIGEST against *pki*'s CA."""
    return verify_token(
        token, digest=DIGEST, trust_roots=[pki.ca], nonce=nonce, certificates=certificates
    )


# Issuing and verifying


def test_token_round_trip(tsa: TimeStampAuthority, pki: Pki) -> None:
    info = verify_token(
        tsa.issue_for_digest(DIGEST, nonce=7), digest=DIGEST, trust_roots=[pem(pki.ca)], nonce=7
    )
    assert info.gen_time == NOW
    assert info.accuracy == timedelta(seconds=1)
    assert info.latest == NOW + timedelta(seconds=1)
    assert info.policy == POLICY
    assert (info.hash_name, info.imprint, info.nonce) == ("sha256", DIGEST, 7)
    assert info.tsa_subject == "CN=Test TSA,O=Cunzheng"
    assert info.tsa_certificate == pki.identity.certificate.public_bytes(serialization.Encoding.DER)
    assert 0 < info.serial < 2**128


@pytest.mark.parametrize("name", ["sha384", "sha512"])
def test_longer_digests_round_trip(tsa: TimeStampAuthority, pki: Pki, name: str) -> None:
    digest = hashlib.new(name, b"data").digest()
    token = token_from_response(tsa.respond(request_for(digest)))
    assert verify_token(token, digest=digest, trust_roots=[pki.ca]).hash_name == name


def test_response_copies_imprint_and_nonce(tsa: TimeStampAuthority, pki: Pki) -> None:
    nonce = 2**70 + 5
    token = token_from_response(tsa.respond(request_for(DIGEST, nonce=nonce)))
    assert verify(token, pki, nonce=nonce).nonce == nonce
    without = token_from_response(tsa.respond(request_for(DIGEST)))
    assert verify(without, pki).nonce is None


def test_token_has_the_fields_rfc3161_and_openssl_expect(pki: Pki) -> None:
    tsa = TimeStampAuthority(pki.identity, policy=POLICY, now=lambda: NOW, serial=lambda: 42)
    signed_data = signed_data_of(tsa.issue_for_digest(DIGEST, nonce=1))
    certs = signed_data["certificates"]
    assert len(certs) == 1
    assert certs[0].chosen.dump() == pki.identity.certificate.public_bytes(
        serialization.Encoding.DER
    )
    signer = signed_data["signer_infos"][0]
    assert signer["signature_algorithm"]["algorithm"].native == "sha256_ecdsa"
    assert [a["type"].native for a in signer["signed_attrs"]] == [
        "content_type",
        "signing_time",
        "message_digest",
        "signing_certificate_v2",
    ]
    tst = tst_info_of(signed_data)
    assert tst["version"].native == "v1"
    assert tst["ordering"].native is False
    assert tst["accuracy"].native == {"seconds": 1, "millis": None, "micros": None}
    assert tst["tsa"].chosen.native == {"organization_name": "Cunzheng", "common_name": "Test TSA"}
    # genTime keeps fractions of a second, in DER form (no trailing zeros).
    assert b"20261125080000.123456Z" in tst.dump()
    assert b"\x01\x01\x00" not in tst.dump()  # DER omits ordering FALSE, the default


def test_token_without_certificate_needs_it_given(tsa: TimeStampAuthority, pki: Pki) -> None:
    token = token_from_response(tsa.respond(request_for(DIGEST, cert_req=False)))
    assert signed_data_of(token)["certificates"].native is None
    with pytest.raises(MalformedInput, match="TSA certificate is neither in the token"):
        verify(token, pki)
    assert verify(token, pki, certificates=[pem(pki.identity.certificate)])


@pytest.mark.parametrize(
    ("milliseconds", "expected"),
    [(1000, (1, None)), (250, (None, 250)), (2500, (2, 500))],
)
def test_accuracy_is_configurable(
    pki: Pki, milliseconds: int, expected: tuple[int | None, int | None]
) -> None:
    tsa = TimeStampAuthority(pki.identity, policy=POLICY, accuracy_ms=milliseconds)
    info = verify(tsa.issue_for_digest(DIGEST), pki)
    assert info.accuracy == timedelta(milliseconds=milliseconds)
    accuracy = tst_info_of(signed_data_of(tsa.issue_for_digest(DIGEST)))["accuracy"]
    assert (accuracy["seconds"].native, accuracy["millis"].native) == expected


def test_serial_numbers_are_unique_across_authorities(pki: Pki) -> None:
    # Two authorities on one key stand for a restart or a second process: no shared state.
    first = TimeStampAuthority(pki.identity, policy=POLICY)
    second = TimeStampAuthority(pki.identity, policy=POLICY)
    serials = [read_token(a.issue_for_digest(DIGEST)).serial for a in (first, second) * 300]
    assert len(set(serials)) == len(serials)
    assert all(0 < s < 2**128 for s in serials)
    assert max(random_serial() for _ in range(200)).bit_length() > 120


def test_read_token_reports_claims_without_checking(tsa: TimeStampAuthority) -> None:
    info = read_token(tsa.issue_for_digest(DIGEST, nonce=3))
    assert (info.imprint, info.nonce, info.gen_time) == (DIGEST, 3, NOW)


def test_rfc3161_client_request_and_verifier_interoperate(
    tsa: TimeStampAuthority, pki: Pki
) -> None:
    request = (
        rfc3161_client.TimestampRequestBuilder()
        .data(b"a dataset")
        .hash_algorithm(rfc3161_client.HashAlgorithm.SHA512)
        .build()
    )
    response = tsa.respond(request.as_bytes())
    verifier = rfc3161_client.VerifierBuilder.from_request(request).add_root_certificate(pki.ca)
    assert verifier.build().verify_message(
        rfc3161_client.decode_timestamp_response(response), b"a dataset"
    )


# Tokens that must be refused


def test_token_over_another_digest_is_refused(tsa: TimeStampAuthority, pki: Pki) -> None:
    with pytest.raises(InvalidProof, match="over another digest"):
        verify_token(tsa.issue_for_digest(OTHER_DIGEST), digest=DIGEST, trust_roots=[pki.ca])


def test_token_from_an_untrusted_ca_is_refused(pki: Pki, stranger: Pki) -> None:
    token = TimeStampAuthority(stranger.identity, policy=POLICY).issue_for_digest(DIGEST)
    assert verify(token, stranger)
    with pytest.raises(InvalidSignature, match="chain does not lead to a trusted root"):
        verify(token, pki)
    with pytest.raises(InvalidSignature, match="chain does not lead to a trusted root"):
        verify(token, pki, certificates=[stranger.ca])


def test_chain_through_an_intermediate_ca() -> None:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _ca_certificate("Deep root", root_key, root_key, None, path_length=1)
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter = _ca_certificate("Issuing CA", inter_key, root_key, root, path_length=0)
    key, cert = issue_tsa_certificate(inter_key, inter, "Deep TSA", now=ISSUED)
    identity = TsaIdentity(key=key, certificate=cert, chain=(inter, root))
    token = TimeStampAuthority(identity, policy=POLICY).issue_for_digest(DIGEST)
    info = verify_token(token, digest=DIGEST, trust_roots=[root], certificates=[inter])
    assert info.tsa_subject == "CN=Deep TSA,O=Cunzheng"
    with pytest.raises(InvalidSignature, match="chain does not lead to a trusted root"):
        verify_token(token, digest=DIGEST, trust_roots=[root])


def test_token_with_another_nonce_is_refused(tsa: TimeStampAuthority, pki: Pki) -> None:
    with pytest.raises(InvalidProof, match="nonce mismatch"):
        verify(tsa.issue_for_digest(DIGEST, nonce=1), pki, nonce=2)
    with pytest.raises(InvalidProof, match="nonce mismatch"):
        verify(tsa.issue_for_digest(DIGEST), pki, nonce=2)


def test_token_issued_after_the_certificate_expired_is_refused(pki: Pki) -> None:
    late = NOW + timedelta(days=11 * 365)
    token = TimeStampAuthority(pki.identity, policy=POLICY, now=lambda: late).issue_for_digest(
        DIGEST
    )
    with pytest.raises(InvalidSignature, match="chain does not lead to a trusted root"):
        verify(token, pki)


@pytest.mark.parametrize(
    ("purposes", "critical"),
    [
        ([ExtendedKeyUsageOID.TIME_STAMPING], False),
        ([ExtendedKeyUsageOID.TIME_STAMPING, ExtendedKeyUsageOID.CODE_SIGNING], True),
        ([ExtendedKeyUsageOID.CODE_SIGNING], True),
        (None, False),
    ],
    ids=["eku-not-critical", "eku-extra-purpose", "eku-code-signing", "eku-missing"],
)
def test_token_from_a_certificate_not_for_time_stamping_is_refused(
    pki: Pki, purposes: list[x509.ObjectIdentifier] | None, critical: bool
) -> None:
    identity = _identity_with_eku(pki, purposes, critical=critical)
    token = TimeStampAuthority(identity, policy=POLICY).issue_for_digest(DIGEST)
    with pytest.raises(InvalidSignature, match="lacks a critical timeStamping extendedKeyUsage"):
        verify(token, pki)
    with pytest.raises(rfc3161_client.VerificationError):
        _rfc3161_client_verify(token, pki)


def test_token_without_ess_signing_certificate_v2_is_refused(pki: Pki) -> None:
    tst = _tst_info(pki)
    attrs = signed_attributes(tst, pki.identity.certificate, signing_time=NOW)[:3]
    token = sign_token(tst, pki.identity, attributes=attrs)
    with pytest.raises(InvalidSignature, match="lacks the ESS signing-certificate-v2"):
        verify(token, pki)


def test_token_whose_ess_names_another_certificate_is_refused(pki: Pki) -> None:
    tst = _tst_info(pki)
    attrs = signed_attributes(tst, pki.identity.certificate, signing_time=NOW)
    attrs[3] = signed_attributes(tst, pki.ca, signing_time=NOW)[3]
    token = sign_token(tst, pki.identity, attributes=attrs)
    with pytest.raises(InvalidSignature, match="ESS signing-certificate-v2 hash does not match"):
        verify(token, pki)


def test_token_signed_by_another_key_is_refused(pki: Pki, stranger: Pki) -> None:
    impostor = replace(stranger.identity, certificate=pki.identity.certificate)
    token = TimeStampAuthority(impostor, policy=POLICY).issue_for_digest(DIGEST)
    with pytest.raises(InvalidSignature, match="signature does not verify"):
        verify(token, pki)


@pytest.mark.parametrize(
    ("where", "error", "message"),
    [
        (b"20261125080000.123456Z", InvalidSignature, "message-digest does not match"),
        (b"Test TSA", InvalidSignature, "message-digest does not match"),
        (DIGEST, InvalidSignature, "message-digest does not match"),
        (b"261125080000Z", InvalidSignature, "signature does not verify"),
    ],
    ids=["tampered-gen-time", "tampered-tsa-name", "tampered-imprint", "tampered-signing-time"],
)
def test_tampered_token_is_refused(
    tsa: TimeStampAuthority, pki: Pki, where: bytes, error: type[LedgerError], message: str
) -> None:
    token = tsa.issue_for_digest(DIGEST)
    position = token.index(where) + 2
    with pytest.raises(error, match=message):
        verify(_flip(token, position), pki)


def test_tampered_signature_and_certificate_are_refused(tsa: TimeStampAuthority, pki: Pki) -> None:
    token = tsa.issue_for_digest(DIGEST)
    with pytest.raises(InvalidSignature, match="signature does not verify"):
        verify(_flip(token, len(token) - 1), pki)
    cert = pki.identity.certificate.public_bytes(serialization.Encoding.DER)
    in_cert_signature = token.index(cert) + len(cert) - 1
    with pytest.raises(InvalidSignature, match="ESS signing-certificate-v2 hash does not match"):
        verify(_flip(token, in_cert_signature), pki)


@pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
def test_every_single_bit_change_is_refused(tsa: TimeStampAuthority, pki: Pki) -> None:
    for token in (tsa.issue_for_digest(DIGEST, nonce=9), tsa.issue_for_digest(DIGEST)):
        for position in range(len(token)):
            with pytest.raises(LedgerError):
                verify(_flip(token, position), pki)


@pytest.mark.parametrize("data", [b"", b"\x30\x00", b"not a token", b"\x30\x80\x00\x00"])
def test_bytes_that_are_no_token_are_malformed(pki: Pki, data: bytes) -> None:
    with pytest.raises(MalformedInput):
        verify(data, pki)


def test_verification_needs_a_trust_root(tsa: TimeStampAuthority) -> None:
    with pytest.raises(MalformedInput, match="no trust roots"):
        verify_token(tsa.issue_for_digest(DIGEST), digest=DIGEST, trust_roots=[])
    with pytest.raises(MalformedInput, match="not an X.509 certificate"):
        verify_token(tsa.issue_for_digest(DIGEST), digest=DIGEST, trust_roots=[b"junk"])


# Requests the authority refuses


def _request(**fields: object) -> bytes:
    base: dict[str, object] = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": DIGEST},
    }
    return bytes(tsp.TimeStampReq(base | fields).dump())


@pytest.mark.parametrize(
    ("request_der", "fail_info"),
    [
        (b"", "bad_data_format"),
        (b"garbage", "bad_data_format"),
        (request_for(DIGEST)[:-3], "bad_data_format"),
        (request_for(DIGEST) + b"\x00", "bad_data_format"),
        (b"\x30" + b"\x00" * (MAX_REQUEST_BYTES + 1), "bad_data_format"),
        (_request(version=2), "bad_data_format"),
        (
            _request(
                message_imprint={
                    "hash_algorithm": {"algorithm": "sha1"},
                    "hashed_message": b"1" * 20,
                }
            ),
            "bad_alg",
        ),
        (
            _request(
                message_imprint={
                    "hash_algorithm": {"algorithm": "md5"},
                    "hashed_message": b"1" * 16,
                }
            ),
            "bad_alg",
        ),
        (
            _request(
                message_imprint={
                    "hash_algorithm": {"algorithm": "sha256"},
                    "hashed_message": b"1" * 20,
                }
            ),
            "bad_data_format",
        ),
        (_request(req_policy="1.2.3.4"), "unaccepted_policy"),
        (
            _request(extensions=[{"extn_id": "1.2.3.4", "extn_value": b"x"}]),
            "unaccepted_extensions",
        ),
    ],
    ids=[
        "empty",
        "garbage",
        "truncated",
        "trailing-byte",
        "too-large",
        "version-2",
        "sha1",
        "md5",
        "imprint-wrong-length",
        "other-policy",
        "extension",
    ],
)
def test_bad_requests_get_a_rejection_reply(
    tsa: TimeStampAuthority, request_der: bytes, fail_info: str
) -> None:
    with pytest.raises(Rejected) as caught:
        token_from_response(tsa.respond(request_der))
    assert caught.value.fail_info == fail_info


def test_request_under_our_policy_is_granted(tsa: TimeStampAuthority, pki: Pki) -> None:
    token = token_from_response(tsa.respond(request_for(DIGEST, policy=POLICY)))
    assert verify(token, pki)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=200), position=st.integers(min_value=0), bit=st.integers(0, 7))
def test_respond_answers_any_bytes_with_a_timestamp_resp(
    tsa: TimeStampAuthority, data: bytes, position: int, bit: int
) -> None:
    valid = bytearray(request_for(DIGEST, nonce=12345))
    valid[position % len(valid)] ^= 1 << bit
    for body in (data, bytes(valid)):
        with contextlib.suppress(Rejected):
            token_from_response(tsa.respond(body))


def test_request_for_refuses_digests_of_unknown_length() -> None:
    with pytest.raises(MalformedInput, match="20-byte digest"):
        request_for(b"x" * 20)


# Keys and certificates


def test_local_identity_is_created_once_and_clearly_untrusted(tmp_path: Path) -> None:
    identity = local_identity(tmp_path / "data")
    home = tmp_path / "data" / TSA_DIR
    assert stat.S_IMODE(os.stat(home / KEY_FILE).st_mode) == 0o600
    ca = x509.load_pem_x509_certificate((home / CA_FILE).read_bytes())
    assert "NOT TRUSTED" in ca.subject.rfc4514_string()
    assert ca.subject == ca.issuer
    cert = identity.certificate
    assert "NOT TRUSTED" in cert.subject.rfc4514_string()
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    assert isinstance(identity.key.curve, ec.SECP256R1)  # type: ignore[union-attr]
    validity = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=3640) < validity < timedelta(days=3660)
    assert identity.chain_pem() == pem(cert) + pem(ca)
    again = local_identity(tmp_path / "data")
    assert again.certificate == cert and again.chain == (ca,)


def test_production_key_and_chain_are_loaded(tmp_path: Path, pki: Pki) -> None:
    key_path, chain_path = _write_identity(tmp_path, pki.identity)
    settings = Settings(data_dir=tmp_path / "data", tsa_key=key_path, tsa_chain=chain_path)
    tsa = open_authority(settings)
    assert tsa.identity.certificate == pki.identity.certificate
    assert tsa.chain_pem() == pem(pki.identity.certificate) + pem(pki.ca)
    assert verify(tsa.issue_for_digest(DIGEST), pki)
    assert not (tmp_path / "data" / TSA_DIR).exists()


def test_default_settings_make_the_local_tsa(tmp_path: Path) -> None:
    tsa = open_authority(Settings(data_dir=tmp_path / "data"))
    ca = (tmp_path / "data" / TSA_DIR / CA_FILE).read_bytes()
    info = verify_token(tsa.issue_for_digest(DIGEST), digest=DIGEST, trust_roots=[ca])
    assert info.policy == POLICY
    assert (tmp_path / "data" / TSA_DIR / CERT_FILE).exists()


def test_half_configured_production_tsa_is_refused(tmp_path: Path, pki: Pki) -> None:
    key_path, _ = _write_identity(tmp_path, pki.identity)
    with pytest.raises(LedgerError, match="set both"):
        open_authority(Settings(data_dir=tmp_path, tsa_key=key_path))


def test_mismatched_key_is_refused(tmp_path: Path, pki: Pki, stranger: Pki) -> None:
    key_path, _ = _write_identity(tmp_path / "a", stranger.identity)
    _, chain_path = _write_identity(tmp_path / "b", pki.identity)
    with pytest.raises(LedgerError, match="does not match the TSA private key"):
        identity_from_files(key_path, chain_path)


def test_ed25519_key_is_refused(tmp_path: Path, pki: Pki) -> None:
    _, chain_path = _write_identity(tmp_path, pki.identity)
    key_path = tmp_path / "ed25519.key"
    key_path.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(LedgerError, match="Ed25519"):
        identity_from_files(key_path, chain_path)


def test_certificate_without_critical_eku_is_refused_at_start(tmp_path: Path, pki: Pki) -> None:
    identity = _identity_with_eku(pki, [ExtendedKeyUsageOID.TIME_STAMPING], critical=False)
    key_path, chain_path = _write_identity(tmp_path, identity)
    with pytest.raises(LedgerError, match="critical extendedKeyUsage"):
        identity_from_files(key_path, chain_path)


def test_missing_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="does not exist"):
        identity_from_files(tmp_path / "none.key", tmp_path / "none.pem")


# The HTTP client


def test_fetch_token_asks_and_checks(tsa: TimeStampAuthority, pki: Pki) -> None:
    client = httpx.Client(transport=httpx.MockTransport(_serving(tsa.respond)))
    token = fetch_token("http://tsa.test/tsa", DIGEST, client=client)
    assert verify(token, pki).imprint == DIGEST
    token = fetch_token("http://tsa.test/tsa", DIGEST, client=client, trust_roots=[pki.ca])
    assert read_token(token).nonce is not None


def test_fetch_token_refuses_an_answer_to_another_request(
    tsa: TimeStampAuthority, pki: Pki
) -> None:
    replayed = tsa.respond(request_for(DIGEST, nonce=1))
    client = httpx.Client(transport=httpx.MockTransport(_serving(lambda _: replayed)))
    with pytest.raises(InvalidProof):
        fetch_token("http://tsa.test/tsa", DIGEST, client=client)
    with pytest.raises(InvalidProof, match="nonce mismatch"):
        fetch_token("http://tsa.test/tsa", DIGEST, client=client, trust_roots=[pki.ca])


def test_fetch_token_reports_rejections_and_http_errors(tsa: TimeStampAuthority) -> None:
    md5 = _request(
        message_imprint={"hash_algorithm": {"algorithm": "md5"}, "hashed_message": b"1" * 16}
    )
    refusing = httpx.Client(transport=httpx.MockTransport(_serving(lambda _: tsa.respond(md5))))
    with pytest.raises(Rejected, match="bad_alg"):
        fetch_token("http://tsa.test/tsa", DIGEST, client=refusing)
    failing = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(503)))
    with pytest.raises(LedgerError, match="HTTP 503"):
        fetch_token("http://tsa.test/tsa", DIGEST, client=failing)


def test_issuing_and_verifying_import_no_network_or_storage() -> None:
    code = (
        "import sys, ledger.tsa, ledger.tsa.verify; "
        "print(sorted(m for m in ('httpx', 'sqlalchemy', 'cunzheng.ledger.store') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# Helpers


def _flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def _tst_info(pki: Pki) -> bytes:
    token = TimeStampAuthority(pki.identity, policy=POLICY, now=lambda: NOW).issue_for_digest(
        DIGEST
    )
    return bytes(signed_data_of(token)["encap_content_info"]["content"].contents)


def _identity_with_eku(
    pki: Pki, purposes: list[x509.ObjectIdentifier] | None, *, critical: bool
) -> TsaIdentity:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Odd TSA")]))
        .issuer_name(pki.ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ISSUED)
        .not_valid_after(ISSUED + timedelta(days=365))
    )
    if purposes is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(purposes), critical=critical)
    cert = builder.sign(pki.ca_key, hashes.SHA256())
    return TsaIdentity(key=key, certificate=cert, chain=(pki.ca,))


def _ca_certificate(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    *,
    path_length: int,
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)])
    usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ISSUED)
        .not_valid_after(ISSUED + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _rfc3161_client_verify(token: bytes, pki: Pki) -> None:
    response = tsp.TimeStampResp(
        {"status": {"status": "granted"}, "time_stamp_token": cms.ContentInfo.load(token)}
    ).dump()
    verifier = rfc3161_client.VerifierBuilder().add_root_certificate(pki.ca).build()
    verifier.verify(rfc3161_client.decode_timestamp_response(response), DIGEST)


def _write_identity(directory: Path, identity: TsaIdentity) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    key_path, chain_path = directory / "tsa.key", directory / "chain.pem"
    key_path.write_bytes(
        identity.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    chain_path.write_bytes(identity.chain_pem())
    return key_path, chain_path


def _serving(answer: Callable[[bytes], bytes]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.headers["content-type"] == "application/timestamp-query"
        return httpx.Response(200, content=answer(request.content))

    return handle


def test_a_gen_time_without_a_time_zone_is_malformed(tsa: TimeStampAuthority, pki: Pki) -> None:
    tst = bytes(
        signed_data_of(tsa.issue_for_digest(DIGEST))["encap_content_info"]["content"].contents
    )
    written = NOW.strftime("%Y%m%d%H%M%S.%f").encode()
    at = tst.index(written + b"Z")
    # The same TSTInfo with genTime one byte shorter (no "Z"), its outer length one less, signed.
    assert tst[:2] == b"\x30\x81"
    local = b"\x30\x81" + bytes([tst[2] - 1]) + tst[3 : at - 1] + bytes([len(written)]) + written
    local += tst[at + len(written) + 1 :]
    attrs = signed_attributes(local, pki.identity.certificate, signing_time=NOW)
    token = sign_token(local, pki.identity, attributes=attrs)
    for check in (lambda: read_token(token), lambda: verify(token, pki)):
        with pytest.raises(MalformedInput, match="genTime names no time zone"):
            check()


def test_a_trust_root_of_an_unknown_version_is_malformed(tsa: TimeStampAuthority, pki: Pki) -> None:
    root = pki.ca.public_bytes(serialization.Encoding.DER)
    at = root.index(b"\xa0\x03\x02\x01\x02") + 4  # version v3, as the INTEGER 2
    with pytest.raises(MalformedInput, match="not an X.509 certificate"):
        verify_token(
            tsa.issue_for_digest(DIGEST),
            digest=DIGEST,
            trust_roots=[root[:at] + b"\x12" + root[at + 1 :]],
        )
