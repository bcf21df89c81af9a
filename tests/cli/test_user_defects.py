"""Regressions for the defects a user met at the exchange's desk, each test named after its defect."""

from __future__ import annotations

from pathlib import Path

import pytest

from cunzheng.ledger.note import Verifier
from tests.conftest import CliResult, LiveServer, run_cli


@pytest.fixture
def key(tmp_path: Path) -> Path:
    out = tmp_path / "holder.key"
    assert run_cli("keygen", "--out", str(out)).returncode == 0
    return out


@pytest.fixture
def holder(live_server: LiveServer, key: Path) -> Path:
    """A key registered as a rights holder on the live server."""
    r = run_cli(
        "register",
        "--server",
        live_server.url,
        "--key",
        str(key),
        "--kind",
        "rights_holder",
        "--name",
        "Alice",
    )
    assert r.returncode == 0, r.stderr
    return key


def stamp(server: LiveServer, key: Path, *files: Path) -> CliResult:
    return run_cli("stamp", *map(str, files), "--server", server.url, "--key", str(key))


@pytest.fixture
def stamped(live_server: LiveServer, holder: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A file stamped on the live server, and its receipt."""
    doc = tmp_path / "contract.pdf"
    doc.write_bytes(b"the contract")
    r = stamp(live_server, holder, doc)
    assert r.returncode == 0, r.stderr
    return doc, tmp_path / "contract.pdf.receipt.json"


def test_log_key_works_only_in_the_servers_directory(live_server: LiveServer) -> None:
    r = run_cli("log-key", "--server", live_server.url)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == live_server.vkey
    assert Verifier.from_string(r.stdout.strip())
    assert "publishes" in r.stderr


def test_tsa_ca_pem_is_produced_by_nothing(live_server: LiveServer, tmp_path: Path) -> None:
    from cryptography import x509

    r = run_cli("tsa-cert", "--server", live_server.url)
    assert r.returncode == 0, r.stderr
    (cert,) = x509.load_pem_x509_certificates(r.stdout.encode())
    assert cert.subject == cert.issuer  # the root, to give --tsa-root
    chain = run_cli("tsa-cert", "--server", live_server.url, "--chain")
    assert len(x509.load_pem_x509_certificates(chain.stdout.encode())) >= 2


def test_stamping_twice_overwrites_the_earlier_receipt(
    live_server: LiveServer, stamped: tuple[Path, Path], holder: Path
) -> None:
    doc, receipt = stamped
    first = receipt.read_bytes()
    again = stamp(live_server, holder, doc)
    assert again.returncode == 0, again.stderr
    assert receipt.read_bytes() == first
    second = doc.with_name("contract.pdf.receipt-2.json")
    assert second.exists() and second.read_bytes() != first
    assert str(second) in again.stdout


def test_stamp_dir_gives_no_pointer_to_hash_manifest(
    live_server: LiveServer, holder: Path, tmp_path: Path
) -> None:
    (tmp_path / "photos").mkdir()
    r = stamp(live_server, holder, tmp_path / "photos")
    assert r.returncode == 1
    assert "cunzheng hash" in r.stderr and "--manifest" in r.stderr
