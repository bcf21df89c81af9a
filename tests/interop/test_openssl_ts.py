"""OpenSSL's ``ts`` command, an independent RFC 3161 implementation, against a running service.

A court checks a token with ``openssl ts -verify`` and nothing of ours. These
tests walk that path with a real ``cunzheng serve``: OpenSSL writes the
request, the service answers over HTTP, OpenSSL prints and verifies the reply
(and refuses it for any other file). They also time-stamp a checkpoint note
and check that our verifier accepts tokens OpenSSL's own TSA issues. They skip
only when the ``openssl`` command is missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cunzheng.ledger.errors import InvalidSignature
from cunzheng.ledger.tsa import Rejected, request_for, token_from_response, verify_token
from cunzheng.ledger.tsa.certs import CA_FILE, CERT_FILE, KEY_FILE, TSA_DIR, generate_ca
from tests.conftest import LiveServer, start_server, stop_server

OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(
    OPENSSL is None, reason="the openssl command is not installed (apt-get install openssl)"
)
POLICY = "2.25.263737314945060897510708092574744900752.1"


@dataclass(frozen=True)
class Judge:
    """A working directory with the CA certificate a court was given out of band."""

    home: Path
    ca: Path
    tsa_cert: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A ``cunzheng serve`` with its local test TSA."""
    live = start_server(tmp_path_factory.mktemp("tsa-server") / "data")
    yield live
    stop_server(live)


@pytest.fixture
def judge(server: LiveServer, tmp_path: Path) -> Judge:
    """The CA from the server's data directory and the TSA certificate from GET /tsa/certs."""
    ca = tmp_path / "ca.pem"
    ca.write_bytes((server.data_dir / TSA_DIR / CA_FILE).read_bytes())
    chain = httpx.get(f"{server.url}/tsa/certs").text
    tsa_cert = tmp_path / "tsa.pem"
    tsa_cert.write_text(chain[: chain.index("-----END CERTIFICATE-----") + 26])
    return Judge(tmp_path, ca, tsa_cert)


def openssl(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``openssl`` with *args* and return its result, output as text."""
    assert OPENSSL is not None
    result = subprocess.run([OPENSSL, *map(str, args)], capture_output=True, text=True, timeout=60)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def post_query(server: LiveServer, query: Path, reply: Path) -> None:
    """POST the DER request in *query* to /tsa and save the answer in *reply*."""
    r = httpx.post(
        f"{server.url}/tsa",
        content=query.read_bytes(),
        headers={"Content-Type": "application/timestamp-query"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/timestamp-reply"
    reply.write_bytes(r.content)


def stamp_file(server: LiveServer, judge: Judge, data: bytes, *hash_flag: str) -> Path:
    """Return the reply the service gives to ``openssl ts -query`` for a file holding *data*."""
    file = judge.home / "evidence.bin"
    file.write_bytes(data)
    query, reply = judge.home / "req.tsq", judge.home / "resp.tsr"
    openssl("ts", "-query", "-data", file, *(hash_flag or ("-sha256",)), "-cert", "-out", query)
    post_query(server, query, reply)
    return reply


def test_openssl_prints_the_reply(server: LiveServer, judge: Judge) -> None:
    reply = stamp_file(server, judge, b"a dataset's records")
    text = openssl("ts", "-reply", "-in", reply, "-text").stdout
    assert "Status: Granted." in text
    assert f"Policy OID: {POLICY}" in text
    assert "Hash Algorithm: sha256" in text
    assert "Accuracy: 0x01 seconds" in text
    assert "Ordering: no" in text
    assert "Nonce: 0x" in text
    assert "TSA: DirName:/O=Cunzheng/CN=Cunzheng local test TSA - NOT TRUSTED" in text
    assert "Time stamp: " in text and " GMT" in text


def test_openssl_verifies_the_token_for_the_file(server: LiveServer, judge: Judge) -> None:
    data = b"a licence agreement, signed"
    reply = stamp_file(server, judge, data)
    file = judge.home / "evidence.bin"
    result = openssl(
        "ts", "-verify", "-data", file, "-in", reply, "-CAfile", judge.ca,
        "-untrusted", judge.tsa_cert,
    )  # fmt: skip
    assert "Verification: OK" in result.stdout
    # The token carries the TSA certificate, so the CA alone suffices.
    assert (
        "Verification: OK"
        in openssl("ts", "-verify", "-data", file, "-in", reply, "-CAfile", judge.ca).stdout
    )
    # And the request itself: imprint, nonce and policy must all match.
    assert (
        "Verification: OK"
        in openssl(
            "ts", "-verify", "-queryfile", judge.home / "req.tsq", "-in", reply, "-CAfile", judge.ca
        ).stdout
    )
    verify_token(
        token_from_response(reply.read_bytes()),
        digest=hashlib.sha256(data).digest(),
        trust_roots=[judge.ca.read_bytes()],
    )


def test_openssl_refuses_the_token_for_another_file(server: LiveServer, judge: Judge) -> None:
    reply = stamp_file(server, judge, b"the original")
    other = judge.home / "other.bin"
    other.write_bytes(b"a forgery")
    result = openssl(
        "ts", "-verify", "-data", other, "-in", reply, "-CAfile", judge.ca,
        "-untrusted", judge.tsa_cert, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Verification: FAILED" in result.stdout
    assert "message imprint mismatch" in result.stderr


def test_openssl_refuses_a_ca_it_was_not_given(server: LiveServer, judge: Judge) -> None:
    reply = stamp_file(server, judge, b"evidence")
    result = openssl(
        "ts", "-verify", "-data", judge.home / "evidence.bin", "-in", reply,
        "-CAfile", judge.tsa_cert, check=False,
    )  # fmt: skip
    assert "Verification: FAILED" in result.stdout


@pytest.mark.parametrize("hash_flag", ["-sha384", "-sha512"])
def test_openssl_longer_hashes(server: LiveServer, judge: Judge, hash_flag: str) -> None:
    reply = stamp_file(server, judge, b"records", hash_flag)
    result = openssl(
        "ts", "-verify", "-data", judge.home / "evidence.bin", "-in", reply, "-CAfile", judge.ca
    )
    assert "Verification: OK" in result.stdout


def test_openssl_shows_why_a_sha1_request_is_rejected(server: LiveServer, judge: Judge) -> None:
    reply = stamp_file(server, judge, b"records", "-sha1")
    text = openssl("ts", "-reply", "-in", reply, "-text").stdout
    assert "Status: Rejected." in text
    assert "unrecognized or unsupported algorithm identifier" in text
    with pytest.raises(Rejected, match="bad_alg"):
        token_from_response(reply.read_bytes())


def test_checkpoint_time_stamp_verifies_with_openssl_digest(
    server: LiveServer, judge: Judge
) -> None:
    note = httpx.get(f"{server.url}/log/checkpoint").content
    digest = hashlib.sha256(note).digest()
    query, reply = judge.home / "cp.tsq", judge.home / "cp.tsr"
    query.write_bytes(request_for(digest, nonce=0x5EED))
    post_query(server, query, reply)
    result = openssl(
        "ts", "-verify", "-digest", digest.hex(), "-in", reply, "-CAfile", judge.ca,
        "-untrusted", judge.tsa_cert,
    )  # fmt: skip
    assert "Verification: OK" in result.stdout
    # The bare token, as a bundle would store it, verifies too (-token_in).
    token = judge.home / "cp.token"
    token.write_bytes(token_from_response(reply.read_bytes()))
    result = openssl(
        "ts", "-verify", "-digest", digest.hex(), "-in", token, "-token_in", "-CAfile", judge.ca
    )
    assert "Verification: OK" in result.stdout
    other = hashlib.sha256(note + b"\n").hexdigest()
    refused = openssl(
        "ts", "-verify", "-digest", other, "-in", reply, "-CAfile", judge.ca, check=False
    )
    assert "Verification: FAILED" in refused.stdout


# OpenSSL as the TSA, ledger.tsa as the verifier


def openssl_tsa_reply(judge: Judge, server: LiveServer, query: Path, ess_alg: str) -> bytes:
    """Return the reply OpenSSL's own TSA gives to *query*, signed with the server's TSA key."""
    config = judge.home / "ts.cnf"
    config.write_text(
        "[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\n"
        f"serial = {judge.home / 'serial'}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n"
        "other_policies = 1.2.3.4.2\ndigests = sha256, sha384, sha512\naccuracy = secs:1\n"
        f"ordering = no\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = {ess_alg}\n"
        f"certs = {judge.ca}\n"
    )
    (judge.home / "serial").write_text("01\n")
    home = server.data_dir / TSA_DIR
    reply = judge.home / "openssl.tsr"
    openssl(
        "ts", "-reply", "-config", config, "-queryfile", query, "-signer", home / CERT_FILE,
        "-inkey", home / KEY_FILE, "-out", reply,
    )  # fmt: skip
    return reply.read_bytes()


def test_our_verifier_accepts_openssl_issued_tokens(server: LiveServer, judge: Judge) -> None:
    file, query = judge.home / "data.bin", judge.home / "q.tsq"
    file.write_bytes(b"issued by openssl")
    openssl("ts", "-query", "-data", file, "-sha256", "-cert", "-out", query)
    token = token_from_response(openssl_tsa_reply(judge, server, query, "sha256"))
    info = verify_token(
        token,
        digest=hashlib.sha256(b"issued by openssl").digest(),
        trust_roots=[judge.ca.read_bytes()],
    )
    assert info.policy == "1.2.3.4.1"


def test_openssl_token_with_sha1_ess_is_refused(server: LiveServer, judge: Judge) -> None:
    file, query = judge.home / "data.bin", judge.home / "q.tsq"
    file.write_bytes(b"issued by openssl")
    openssl("ts", "-query", "-data", file, "-sha256", "-cert", "-out", query)
    token = token_from_response(openssl_tsa_reply(judge, server, query, "sha1"))
    with pytest.raises(InvalidSignature, match="lacks the ESS signing-certificate-v2"):
        verify_token(
            token,
            digest=hashlib.sha256(b"issued by openssl").digest(),
            trust_roots=[judge.ca.read_bytes()],
        )


def test_our_verifier_accepts_openssl_tokens_signed_with_an_rsa_key(tmp_path: Path) -> None:
    """OpenSSL names an RSA signature rsaEncryption, with the hash in the digest algorithm (RFC 3370)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key, ca = generate_ca("RSA TSA test CA", now=now)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RSA TSA")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (tmp_path / "tsa.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "tsa.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    judge = Judge(tmp_path, tmp_path / "ca.pem", tmp_path / "tsa.pem")
    file, query = tmp_path / "data.bin", tmp_path / "q.tsq"
    file.write_bytes(b"issued by openssl with RSA")
    openssl("ts", "-query", "-data", file, "-sha256", "-cert", "-out", query)
    config = tmp_path / "ts.cnf"
    config.write_text(
        "[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\n"
        f"serial = {tmp_path / 'serial'}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n"
        "digests = sha256\naccuracy = secs:1\nordering = no\ntsa_name = yes\n"
        "ess_cert_id_chain = no\ness_cert_id_alg = sha256\n"
    )
    (tmp_path / "serial").write_text("01\n")
    reply = tmp_path / "r.tsr"
    openssl(
        "ts", "-reply", "-config", config, "-queryfile", query, "-signer", judge.tsa_cert,
        "-inkey", tmp_path / "tsa.key", "-out", reply,
    )  # fmt: skip
    token = token_from_response(reply.read_bytes())
    info = verify_token(
        token,
        digest=hashlib.sha256(b"issued by openssl with RSA").digest(),
        trust_roots=[judge.ca.read_bytes()],
    )
    assert info.policy == "1.2.3.4.1"
    with pytest.raises(InvalidSignature):
        verify_token(
            token[:-40] + bytes(40),
            digest=hashlib.sha256(b"issued by openssl with RSA").digest(),
            trust_roots=[judge.ca.read_bytes()],
        )
