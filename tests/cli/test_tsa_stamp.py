"""``cunzheng tsa-stamp``: a file's digest time-stamped by the log's TSA, checked by openssl."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import LiveServer, run_cli


def test_a_file_digest_is_time_stamped_and_openssl_verifies_it(
    live_server: LiveServer, tmp_path: Path
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    f = tmp_path / "contract.pdf"
    f.write_bytes(b"%PDF-1.7 a contract")
    ca = live_server.data_dir / "tsa" / "ca.pem"
    r = run_cli(
        "tsa-stamp",
        str(f),
        "--tsa",
        f"{live_server.url}/tsa",
        "--ca",
        str(ca),
    )
    assert r.returncode == 0, r.stderr
    token = tmp_path / "contract.pdf.tst"
    ok = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            str(f),
            "-in",
            str(token),
            "-token_in",
            "-CAfile",
            str(ca),
        ],
        capture_output=True,
        text=True,
    )
    assert "Verification: OK" in ok.stdout, ok.stdout + ok.stderr
    other = tmp_path / "other.pdf"
    other.write_bytes(b"another file")
    bad = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            str(other),
            "-in",
            str(token),
            "-token_in",
            "-CAfile",
            str(ca),
        ],
        capture_output=True,
        text=True,
    )
    assert "Verification: OK" not in bad.stdout
    missing = run_cli(
        "tsa-stamp",
        str(tmp_path / "nope"),
        "--tsa",
        live_server.url,
    )
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
