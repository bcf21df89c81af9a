"""The command line, end to end against a running server, as a rights holder and a judge use it."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
from pathlib import Path

import httpx
import pytest

from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.note import Verifier, open_checkpoint
from cunzheng.ledger.verify import verify_receipt
from tests.conftest import CliResult, LiveServer, run_cli, start_server, stop_server


def run(*args: str, cwd: Path | None = None) -> CliResult:
    """Run ``cunzheng *args*`` in this process (these tests are about the commands, not the process)."""
    return run_cli(*args, cwd=cwd)


def _files(directory: Path, n: int) -> list[Path]:
    directory.mkdir(exist_ok=True)
    paths = []
    for i in range(n):
        p = directory / f"evidence-{i}.bin"
        p.write_bytes(os.urandom(100 + i))
        paths.append(p)
    return paths


@pytest.fixture
def key(tmp_path: Path) -> Path:
    out = tmp_path / "holder.key"
    r = run("keygen", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert Verifier.from_string(r.stdout.strip())
    return out


def register(server: LiveServer, key: Path) -> str:
    r = run(
        "register",
        "--server",
        server.url,
        "--key",
        str(key),
        "--kind",
        "rights_holder",
        "--name",
        "Alice",
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_keygen_makes_a_private_file_and_will_not_overwrite(key: Path) -> None:
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    r = run("keygen", "--out", str(key))
    assert r.returncode == 1 and "already exists" in r.stderr and "Traceback" not in r.stderr


def test_stamp_and_verify(live_server: LiveServer, key: Path, tmp_path: Path) -> None:
    files = _files(tmp_path / "docs", 3)
    unregistered = run("stamp", str(files[0]), "--server", live_server.url, "--key", str(key))
    assert unregistered.returncode == 1 and "key.unknown" in unregistered.stderr
    party = register(live_server, key)
    assert len(party) == 64
    receipts = tmp_path / "receipts"
    r = run(
        "stamp",
        *map(str, files),
        "--server",
        live_server.url,
        "--key",
        str(key),
        "--out-dir",
        str(receipts),
        "--log-key",
        live_server.vkey,
    )
    assert r.returncode == 0, r.stderr
    vkey = run("log-key", "--data-dir", str(live_server.data_dir)).stdout.strip()
    assert vkey == live_server.vkey
    receipt = receipts / "evidence-1.bin.receipt.json"
    ok = run("verify", str(files[1]), str(receipt), "--log-key", vkey)
    assert ok.returncode == 0, ok.stderr
    assert "VERIFIED" in ok.stdout and "signature valid" in ok.stdout

    # A wrong file, a tampered receipt and another log's key: each fails with a reason.
    wrong = run("verify", str(files[0]), str(receipt), "--log-key", vkey)
    assert wrong.returncode == 1 and "content does not match" in wrong.stderr

    data = json.loads(receipt.read_text())
    data["index"] += 1
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data))
    bad = run("verify", str(files[1]), str(tampered), "--log-key", vkey)
    assert bad.returncode == 1 and "NOT VERIFIED" in bad.stderr

    other = Verifier.from_string(
        run(
            "keygen", "--out", str(tmp_path / "other.key"), "--name", "localhost/cunzheng"
        ).stdout.strip()
    )
    foreign = run("verify", str(files[1]), str(receipt), "--log-key", other.to_string())
    assert foreign.returncode == 1 and "not signed by" in foreign.stderr
    for result in (wrong, bad, foreign):
        assert "Traceback" not in result.stderr


def test_every_single_bit_change_to_a_receipt_fails(
    live_server: LiveServer, key: Path, tmp_path: Path
) -> None:
    (f,) = _files(tmp_path / "one", 1)
    register(live_server, key)
    assert run("stamp", str(f), "--server", live_server.url, "--key", str(key)).returncode == 0
    raw = (tmp_path / "one" / f"{f.name}.receipt.json").read_bytes()
    vkey = Verifier.from_string(live_server.vkey)
    content = hashlib.sha256(f.read_bytes()).digest()
    verify_receipt(raw, log_key=vkey, content_sha256=content)
    accepted = []
    for i in range(len(raw)):
        for bit in range(8):
            mutated = bytearray(raw)
            mutated[i] ^= 1 << bit
            try:
                verify_receipt(bytes(mutated), log_key=vkey, content_sha256=content)
            except LedgerError:
                continue
            else:
                accepted.append((i, bit, bytes(mutated[max(0, i - 10) : i + 10])))
    # Only changes that do not alter meaning survive: JSON whitespace between tokens.
    assert all(
        chr(raw[i]) in " \n\t\r" or chr(raw[i] ^ (1 << bit)) in " \n\t\r" for i, bit, _ in accepted
    )


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "missing.bin", "missing.json", "--log-key", "x+00000000+AA=="],
        ["stamp", "missing.bin", "--server", "http://127.0.0.1:9", "--key", "missing.key"],
        ["log-key", "--data-dir", "nowhere"],
    ],
)
def test_errors_are_one_readable_line(args: list[str], tmp_path: Path) -> None:
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.startswith(f"cunzheng {args[0]}: ") and "Traceback" not in r.stderr


def test_an_unreachable_server_is_reported(key: Path, tmp_path: Path) -> None:
    (f,) = _files(tmp_path / "x", 1)
    r = run("stamp", str(f), "--server", "http://127.0.0.1:9", "--key", str(key))
    assert r.returncode == 1 and "cannot reach the log" in r.stderr


@pytest.mark.parametrize("command", ["serve", "keygen", "stamp", "verify", "log-key"])
def test_help_has_an_example(command: str) -> None:
    r = run(command, "--help")
    assert r.returncode == 0 and "example:" in r.stdout


def test_acknowledged_statements_survive_a_crash(
    tmp_path: Path, key: Path, database_url: str
) -> None:
    url = None if database_url.startswith("sqlite") else database_url
    server = start_server(tmp_path / "data", url)
    files = _files(tmp_path / "docs", 40)
    register(server, key)
    r = run("stamp", *map(str, files), "--server", server.url, "--key", str(key))
    assert r.returncode == 0, r.stderr
    old = httpx.get(f"{server.url}/log/checkpoint").text
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    again = start_server(tmp_path / "data", url)
    try:
        vkey = Verifier.from_string(again.vkey)
        old_cp, _ = open_checkpoint(old, vkey)
        new_cp, _ = open_checkpoint(httpx.get(f"{again.url}/log/checkpoint").text, vkey)
        assert new_cp == old_cp
        for f in files[::7]:
            ok = run(
                "verify", str(f), str(f.parent / f"{f.name}.receipt.json"), "--log-key", again.vkey
            )
            assert ok.returncode == 0, ok.stderr
        entry = httpx.get(f"{again.url}/log/entries/41").json()
        assert entry["index"] == 41
    finally:
        stop_server(again)
