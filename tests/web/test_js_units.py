"""Run the browser verifier's Node unit tests (tests/web/*.test.js) under pytest.

Every file matching the pattern is run, so a new part's tests join without
being listed here. Skipped, with the reason, where Node 20 or later is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent
# WebCrypto's Ed25519 and String.prototype.isWellFormed arrive in Node 20.
MIN_NODE_MAJOR = 20
# Generous: some tests build whole logs in Python first, and the machine may be shared.
TIMEOUT_SECONDS = 1200


def test_node_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the browser verifier's JavaScript tests need Node 20+")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < MIN_NODE_MAJOR:
        pytest.skip(f"node {version} is too old: the browser verifier's tests need Node 20+")
    files = sorted(str(p) for p in HERE.glob("*.test.js"))
    assert files, f"no *.test.js files under {HERE}"
    # One process at a time: the machine's cores are shared with other test runs.
    result = subprocess.run(
        [node, "--test", "--test-concurrency=1", "--test-reporter=spec", *files],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"node --test failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
