"""The time-stamp authority over HTTP: POST /tsa and GET /tsa/certs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from fastapi.testclient import TestClient

from cunzheng.api.app import create_app
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.tsa import Rejected, request_for, token_from_response, verify_token
from cunzheng.ledger.tsa.certs import CA_FILE, TSA_DIR
from cunzheng.ledger.tsa.client import fetch_token

QUERY = {"Content-Type": "application/timestamp-query"}
DIGEST = hashlib.sha256(b"a licence agreement").digest()


def trusted_ca(tmp_path: Path) -> bytes:
    """The local CA, read from the data directory as a court would receive it: out of band."""
    return (tmp_path / "data" / TSA_DIR / CA_FILE).read_bytes()


def test_post_tsa_answers_with_a_verifiable_token(client: TestClient, tmp_path: Path) -> None:
    r = client.post("/tsa", content=request_for(DIGEST, nonce=99), headers=QUERY)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/timestamp-reply"
    assert r.headers["cache-control"] == "no-store"
    token = token_from_response(r.content)
    info = verify_token(token, digest=DIGEST, trust_roots=[trusted_ca(tmp_path)], nonce=99)
    assert "NOT TRUSTED" in info.tsa_subject


def test_content_type_parameters_are_accepted(client: TestClient) -> None:
    headers = {"Content-Type": "Application/Timestamp-Query; charset=binary"}
    r = client.post("/tsa", content=request_for(DIGEST), headers=headers)
    assert r.status_code == 200
    assert token_from_response(r.content)


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "application/json"}, {"Content-Type": "application/octet-stream"}, {}],
    ids=["json", "octet-stream", "none"],
)
def test_wrong_content_type_is_415(client: TestClient, headers: dict[str, str]) -> None:
    r = client.post("/tsa", content=request_for(DIGEST), headers=headers)
    assert r.status_code == 415
    assert r.json()["error"] == "unsupported_media_type"
    assert "application/timestamp-query" in r.json()["detail"]


def test_oversized_request_is_413(client: TestClient) -> None:
    r = client.post("/tsa", content=b"\x30" * 10_000, headers=QUERY)
    assert r.status_code == 413
    assert r.json()["error"] == "body_too_large"


def _sha1_request() -> bytes:
    imprint = {"hash_algorithm": {"algorithm": "sha1"}, "hashed_message": b"\x01" * 20}
    return bytes(tsp.TimeStampReq({"version": "v1", "message_imprint": imprint}).dump())


@pytest.mark.parametrize(
    ("body", "fail_info"),
    [
        (b"", "bad_data_format"),
        (b"\x30\x00", "bad_data_format"),
        (b"GET / HTTP/1.1\r\n", "bad_data_format"),
        (request_for(DIGEST)[:-1], "bad_data_format"),
        (_sha1_request(), "bad_alg"),
        (request_for(DIGEST, policy="1.2.3.4"), "unaccepted_policy"),
    ],
    ids=["empty", "empty-sequence", "text", "truncated", "sha1", "other-policy"],
)
def test_malformed_requests_get_a_rejection_reply_not_an_error(
    client: TestClient, body: bytes, fail_info: str
) -> None:
    r = client.post("/tsa", content=body, headers=QUERY)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/timestamp-reply"
    with pytest.raises(Rejected) as caught:
        token_from_response(r.content)
    assert caught.value.fail_info == fail_info


def test_certs_serve_the_tsa_certificate_then_its_ca(client: TestClient, tmp_path: Path) -> None:
    r = client.get("/tsa/certs")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pem-certificate-chain"
    tsa_cert, ca = x509.load_pem_x509_certificates(r.content)
    eku = tsa_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert tsa_cert.issuer == ca.subject == ca.issuer
    assert ca == x509.load_pem_x509_certificate(trusted_ca(tmp_path))


def test_fetch_token_talks_to_the_service(client: TestClient, tmp_path: Path) -> None:
    token = fetch_token("/tsa", DIGEST, client=client, trust_roots=[trusted_ca(tmp_path)])
    assert verify_token(token, digest=DIGEST, trust_roots=[trusted_ca(tmp_path)])


def test_tsa_keeps_its_key_across_restarts(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", batch_wait_ms=1)
    chains = []
    for _ in range(2):
        with TestClient(create_app(settings)) as c:
            chains.append(c.get("/tsa/certs").content)
            token = token_from_response(
                c.post("/tsa", content=request_for(DIGEST), headers=QUERY).content
            )
            verify_token(token, digest=DIGEST, trust_roots=[trusted_ca(tmp_path)])
    assert chains[0] == chains[1]
