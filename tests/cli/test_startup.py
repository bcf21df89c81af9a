"""What a command costs to start: ``verify`` and ``hash`` load neither the server nor the database.

These tests are about the process itself, so they start one: only a fresh
interpreter shows which modules a command imports (pytest has loaded them
all already).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from cunzheng.cli.arguments import build_parser
from cunzheng.cli.main import _command
from cunzheng.ledger.bundles import build_bundle
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.statements import sign_statement
from cunzheng.ledger.store import Store
from cunzheng.ledger.verify import bundle_json
from cunzheng.schemas.bundles import BundleRequest
from tests.conftest import SIGNED_AT, registration

HEAVY = ("sqlalchemy", "alembic", "fastapi", "uvicorn", "starlette", "psycopg")

# Runs the command as the console script does, then names the heavy packages it loaded.
PROBE = f"""
import sys
from cunzheng.cli.main import main
try:
    status = main(sys.argv[1:])
except SystemExit as e:  # --help
    status = e.code
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {set(HEAVY)!r})
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
sys.exit(status)
"""


def loaded(*args: str) -> tuple[int, list[str], str]:
    """Return the exit status of ``cunzheng *args*`` in a fresh process, the heavy packages it loaded, and its output."""
    r = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60
    )
    lines = r.stderr.splitlines()
    marker = next(line for line in lines if line.startswith("HEAVY:"))
    names = [n for n in marker.removeprefix("HEAVY:").split(",") if n]
    return r.returncode, names, r.stdout + r.stderr


@pytest.fixture(scope="module")
def bundle_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A bundle of one timestamped file from a real log, the file, and the log's verifier key."""
    directory = tmp_path_factory.mktemp("startup")
    store = Store.open(f"sqlite:///{directory / 'log.db'}")
    signer = Signer.generate("test.example/log")
    log = Log(store, signer, batch_size=8, batch_wait=0.001).start()
    try:
        holder = SigningKey.generate()
        log.add(registration(holder)).result()
        content = directory / "contract.pdf"
        content.write_bytes(b"the contract, signed on 25 November")
        body = {"sha256": hashlib.sha256(content.read_bytes()).hexdigest()}
        stamp = sign_statement(
            type="evidence.timestamp", body=body, key=holder, signed_at=SIGNED_AT
        )
        index = log.add(stamp).result().index
        bundle = directory / "contract.bundle.json"
        bundle.write_bytes(bundle_json(build_bundle(log, BundleRequest(indexes=[index]))))
    finally:
        log.stop()
        store.close()
    return bundle, content, signer.verifier().to_string()


def test_verify_loads_neither_server_nor_database(bundle_files: tuple[Path, Path, str]) -> None:
    bundle, content, vkey = bundle_files
    status, heavy, output = loaded("verify", str(bundle), "--file", str(content), "--log-key", vkey)
    assert status == 0, output
    assert "VERIFIED" in output
    assert heavy == [], f"cunzheng verify imported {heavy}"


def test_hash_loads_neither_server_nor_database(tmp_path: Path) -> None:
    f = tmp_path / "small.txt"
    f.write_bytes(b"hello\n")
    status, heavy, output = loaded("hash", str(f))
    assert status == 0 and hashlib.sha256(b"hello\n").hexdigest() in output, output
    assert heavy == [], f"cunzheng hash imported {heavy}"


@pytest.mark.parametrize("args", [["--help"], ["verify", "--help"]])
def test_help_loads_no_command(args: list[str]) -> None:
    status, heavy, output = loaded(*args)
    assert status == 0 and "usage:" in output
    assert heavy == []


def _targets(parser: argparse.ArgumentParser) -> set[str]:
    """Return the ``module:function`` of every subcommand under *parser*."""
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                if (target := sub.get_default("run")) is not None:
                    found.add(target)
                found |= _targets(sub)
    return found


def test_every_command_names_a_function_that_exists() -> None:
    targets = _targets(build_parser())
    assert len(targets) >= 18
    for target in sorted(targets):
        assert callable(_command(target)), target
