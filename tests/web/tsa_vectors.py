"""Time-stamp tokens and what ledger.tsa says of each, as JSON for tests/web/tsa.test.js.

Prints one JSON object: ``cases``, each a token with the digest, trust roots,
extra certificates and nonce to check it against, and ``expected``: either
the TokenInfo verify_token returns or the error class and message it raises;
``read`` holds what read_token says (or its error). The tokens come from the
project's TSA (ECDSA P-256, P-384 and RSA keys, a fixed clock, defects made
one at a time, certificate paths of several profiles), from ``openssl ts
-reply`` with an RSA key when the openssl command is installed, and
single-bit changes of both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from tsa_world import DIGEST, ISSUED, NOW, POLICY, Key, case, certificate, flip

from cunzheng.ledger.tsa import TimeStampAuthority, TsaIdentity
from cunzheng.ledger.tsa.certs import generate_ca, issue_tsa_certificate
from cunzheng.ledger.tsa.cms import sign_token, signed_attributes
from cunzheng.ledger.tsa.tokens import signed_data_of, token_from_response


def chain_cases() -> list[dict[str, object]]:
    """Tokens whose TSA certificate an intermediate CA issued, and a TSA on P-384."""
    root_key = ec.generate_private_key(ec.SECP384R1())
    root = certificate("Deep root", root_key, root_key, ca=True, path_length=1)
    tight = certificate("Deep root", root_key, root_key, ca=True, path_length=0)
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter = certificate("Issuing CA", inter_key, root_key, root, ca=True, path_length=0)
    key, cert = issue_tsa_certificate(inter_key, inter, "Deep TSA", now=ISSUED)
    deep = TimeStampAuthority(TsaIdentity(key, cert, (inter, root)), policy=POLICY, now=lambda: NOW)
    token = deep.issue_for_digest(DIGEST)
    p384_key = ec.generate_private_key(ec.SECP384R1())
    p384 = certificate("P-384 TSA", p384_key, root_key, root, days=365)
    p384_tsa = TimeStampAuthority(
        TsaIdentity(p384_key, p384, (root,)), policy=POLICY, now=lambda: NOW
    )
    return [
        case("intermediate-given", token, [root], certificates=[inter]),
        case("intermediate-missing", token, [root]),
        case("intermediate-as-root", token, [inter]),
        case("intermediate-and-root-as-roots", token, [inter, root]),
        case("path-length-exceeded", token, [tight], certificates=[inter]),
        case("ecdsa-p384", p384_tsa.issue_for_digest(DIGEST), [root]),
    ]


def project_cases() -> list[dict[str, object]]:
    """Tokens of the project's TSA, good ones and ones with one defect each."""
    ca_key, ca = generate_ca("Web CA", now=ISSUED)
    key, cert = issue_tsa_certificate(ca_key, ca, "Web TSA", now=ISSUED)
    identity = TsaIdentity(key=key, certificate=cert, chain=(ca,))
    tsa = TimeStampAuthority(identity, policy=POLICY, now=lambda: NOW)
    s_key, s_ca = generate_ca("Stranger CA", now=ISSUED)
    good = tsa.issue_for_digest(DIGEST, nonce=2**70 + 5)
    plain = tsa.issue_for_digest(DIGEST)
    cases = [
        case("ecdsa-p256", good, [ca], nonce=2**70 + 5),
        case("ecdsa-no-nonce", plain, [ca]),
        case("wrong-nonce", good, [ca], nonce=6),
        case("other-digest", plain, [ca], digest=hashlib.sha256(b"other").digest()),
        case("wrong-root", plain, [s_ca]),
        case("no-roots", plain, []),
        case("tsa-cert-as-root", plain, [cert]),
    ]
    for name in ("sha384", "sha512"):
        digest = hashlib.new(name, b"data").digest()
        cases.append(case(f"imprint-{name}", tsa.issue_for_digest(digest), [ca], digest=digest))
    bare = tsa.issue_for_digest(DIGEST, include_certificate=False)
    cases += [
        case("no-certificate", bare, [ca]),
        case("certificate-given", bare, [ca], certificates=[cert]),
    ]
    late = NOW + dt.timedelta(days=11 * 365)
    expired = TimeStampAuthority(identity, policy=POLICY, now=lambda: late).issue_for_digest(DIGEST)
    cases.append(case("expired-certificate", expired, [ca]))
    early = TimeStampAuthority(identity, policy=POLICY, now=lambda: ISSUED - dt.timedelta(days=1))
    cases.append(case("before-certificate", early.issue_for_digest(DIGEST), [ca]))
    for name, purposes, critical in [
        ("eku-not-critical", [ExtendedKeyUsageOID.TIME_STAMPING], False),
        (
            "eku-extra-purpose",
            [ExtendedKeyUsageOID.TIME_STAMPING, ExtendedKeyUsageOID.CODE_SIGNING],
            True,
        ),
        ("eku-missing", None, False),
    ]:
        odd_key = ec.generate_private_key(ec.SECP256R1())
        odd = certificate(
            "Odd TSA", odd_key, ca_key, ca, days=365, purposes=purposes, eku_critical=critical
        )
        odd_tsa = TimeStampAuthority(
            TsaIdentity(odd_key, odd, (ca,)), policy=POLICY, now=lambda: NOW
        )
        cases.append(case(name, odd_tsa.issue_for_digest(DIGEST), [ca]))
    tst = bytes(signed_data_of(plain)["encap_content_info"]["content"].contents)
    attrs = signed_attributes(tst, cert, signing_time=NOW)
    cases.append(case("no-ess", sign_token(tst, identity, attributes=attrs[:3]), [ca]))
    other_ess = [*attrs[:3], signed_attributes(tst, ca, signing_time=NOW)[3]]
    cases.append(case("ess-names-ca", sign_token(tst, identity, attributes=other_ess), [ca]))
    s_tsa_key, _ = issue_tsa_certificate(s_key, s_ca, "Stranger TSA", now=ISSUED)
    impostor = TsaIdentity(key=s_tsa_key, certificate=cert, chain=(ca,))
    cases.append(case("another-key", sign_token(tst, impostor, attributes=attrs), [ca]))
    # A signing-time without seconds, signed: not DER, so OpenSSL cannot read the token.
    short_time = b"\x17\x0b2611250800Z"
    raw = bytes.fromhex("06092a864886f70d010905") + b"\x31" + bytes([len(short_time)]) + short_time
    signing_time = cms.CMSAttribute.load(b"\x30" + bytes([len(raw)]) + raw)
    odd_attrs = [attrs[0], signing_time, *attrs[2:]]
    cases.append(
        case("signed-short-utctime", sign_token(tst, identity, attributes=odd_attrs), [ca])
    )
    # Parameters of the wrong type for SHA-256 among the digest algorithms, which no signature covers.
    sha256_null = bytes.fromhex("300d06096086480165030402010500")
    cases.append(
        case(
            "digest-parameters", plain.replace(sha256_null, sha256_null[:-2] + b"\x04\x00", 1), [ca]
        )
    )
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_cert = certificate("RSA TSA", rsa_key, ca_key, ca, days=365)
    rsa_tsa = TimeStampAuthority(
        TsaIdentity(rsa_key, rsa_cert, (ca,)), policy=POLICY, now=lambda: NOW
    )
    rsa_token = rsa_tsa.issue_for_digest(DIGEST, nonce=9)
    cases.append(case("rsa-pkcs1", rsa_token, [ca], nonce=9))
    cases += [
        case(f"flip-ecdsa-{i}", flip(good, i), [ca], nonce=2**70 + 5, read=False)
        for i in range(len(good))
    ]
    cases += [
        case(f"flip-rsa-{i}", flip(rsa_token, i), [ca], read=False)
        for i in range(0, len(rsa_token), 3)
    ]
    return cases


def openssl_token(openssl: str, home: Path, key: Key, cert: x509.Certificate, ess: str) -> bytes:
    """Return the token ``openssl ts -reply`` signs with *key*, naming *cert* by an *ess* hash."""
    pem = serialization.Encoding.PEM
    (home / "tsa.pem").write_bytes(cert.public_bytes(pem))
    (home / "tsa.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (home / "serial").write_text("01\n")
    (home / "ts.cnf").write_text(
        "[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\n"
        f"serial = {home / 'serial'}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n"
        "digests = sha256, sha384, sha512\naccuracy = secs:1, millisecs:500\n"
        f"ordering = yes\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = {ess}\n"
        f"certs = {home / 'ca.pem'}\n"
    )
    query, reply = home / "q.tsq", home / "r.tsr"
    run = [openssl, "ts"]
    subprocess.run(
        [*run, "-query", "-digest", DIGEST.hex(), "-sha256", "-cert", "-out", query],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*run, "-reply", "-config", home / "ts.cnf", "-queryfile", query,
         "-signer", home / "tsa.pem", "-inkey", home / "tsa.key", "-out", reply],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return token_from_response(reply.read_bytes())


def openssl_cases() -> list[dict[str, object]]:
    """Tokens of OpenSSL's own TSA with RSA and ECDSA keys (none when openssl is missing)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return []
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ca_key, ca = generate_ca("OpenSSL test CA", now=start)
    keys: dict[str, Key] = {
        "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ecdsa": ec.generate_private_key(ec.SECP256R1()),
    }
    cases = []
    tokens = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        for kind, key in keys.items():
            cert = certificate(f"OpenSSL {kind} TSA", key, ca_key, ca, start=start, days=365)
            for ess in ("sha256", "sha1"):
                tokens[kind, ess] = openssl_token(openssl, home, key, cert, ess)
                cases.append(case(f"openssl-{kind}-ess-{ess}", tokens[kind, ess], [ca]))
            cases.append(case(f"openssl-{kind}-wrong-root", tokens[kind, "sha256"], [cert]))
    token = tokens["ecdsa", "sha256"]
    cases += [
        case(f"flip-openssl-{i}", flip(token, i), [ca], read=False) for i in range(0, len(token), 3)
    ]
    return cases


def profile_cases() -> list[dict[str, object]]:
    """Certificate paths cryptography's WebPKI profile accepts or refuses, one feature each."""
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    weak_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    p521_key = ec.generate_private_key(ec.SECP521R1())
    signing_only = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    unknown = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4"), b"\x05\x00")
    roots: dict[str, tuple[Key, dict[str, Any]]] = {
        "rsa-root": (rsa_key, {}),
        "p521-root": (p521_key, {}),
        "weak-rsa-root": (weak_key, {}),
        "root-without-key-usage": (ec_key, {"key_usage": None}),
        "root-not-for-signing-certificates": (ec_key, {"key_usage": signing_only}),
        "root-with-unknown-critical-extension": (ec_key, {"extra": [unknown]}),
        "root-expired-before-gentime": (ec_key, {"days": 10}),
        "root-for-client-auth": (ec_key, {"ca_purposes": [ExtendedKeyUsageOID.CLIENT_AUTH]}),
        "root-for-code-signing": (ec_key, {"ca_purposes": [ExtendedKeyUsageOID.CODE_SIGNING]}),
    }
    cases = []
    for name, (root_key, options) in roots.items():
        root = certificate(name, root_key, root_key, ca=True, **options)
        tsa_key = ec.generate_private_key(ec.SECP256R1())
        cert = certificate("Profile TSA", tsa_key, root_key, root, days=365)
        tsa = TimeStampAuthority(
            TsaIdentity(tsa_key, cert, (root,)), policy=POLICY, now=lambda: NOW
        )
        cases.append(case(name, tsa.issue_for_digest(DIGEST), [root]))
    tsa_key = ec.generate_private_key(ec.SECP384R1())
    root = certificate("PSS root", rsa_key, rsa_key, ca=True)
    cert = certificate("PSS-signed TSA", tsa_key, rsa_key, root, days=365, pss=True)
    tsa = TimeStampAuthority(TsaIdentity(tsa_key, cert, (root,)), policy=POLICY, now=lambda: NOW)
    cases.append(case("rsa-pss-signed-certificate", tsa.issue_for_digest(DIGEST), [root]))
    return cases


def root_cases() -> list[dict[str, object]]:
    """A good token checked against single-bit changes of its trust root."""
    ca_key, ca = generate_ca("Root CA", now=ISSUED)
    key, cert = issue_tsa_certificate(ca_key, ca, "Root TSA", now=ISSUED)
    tsa = TimeStampAuthority(TsaIdentity(key, cert, (ca,)), policy=POLICY, now=lambda: NOW)
    token = tsa.issue_for_digest(DIGEST)
    root = ca.public_bytes(serialization.Encoding.DER)
    return [
        case(f"flip-root-{i}", token, [flip(root, i)], read=False) for i in range(0, len(root), 2)
    ]


def main() -> None:
    cases = project_cases() + chain_cases() + profile_cases() + root_cases() + openssl_cases()
    json.dump({"cases": cases}, sys.stdout)


if __name__ == "__main__":
    main()
