"""An independent tlog-tiles client audits a live log.

The client (``tlogclient/main.go``) is built on Go's ``golang.org/x/mod/sumdb/tlog``
and ``sumdb/note``, the packages behind the Go checksum database, and shares no code
with Cunzheng: it opens the signed checkpoint, authenticates the hash tiles against
its root, proves every entry of every entry bundle and checks consistency between
two checkpoints. If it accepts our log, so will any standard tlog-tiles client.

It is built in GOPATH mode against the Debian packages ``golang-go`` and
``golang-golang-x-mod-dev`` (there is no module proxy to fetch x/mod from); the
tests skip when either is missing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.keyfiles import LOG_KEY_FILE, read_key
from cunzheng.ledger.note import Checkpoint, Signer, Verifier, sign_checkpoint
from tests.conftest import JSON, LiveServer, evidence, registration

# Where golang-golang-x-mod-dev installs golang.org/x/mod, as a GOPATH root.
GOPATH_ROOT = Path("/usr/share/gocode")
X_MOD_SUMDB = GOPATH_ROOT / "src" / "golang.org" / "x" / "mod" / "sumdb"
CLIENT_SOURCE = Path(__file__).parent / "tlogclient"
INSTALL_HINT = "apt-get install golang-go golang-golang-x-mod-dev"
# Statements per POST /v1/statements/batch.
BATCH = 250


@pytest.fixture(scope="session")
def tlogclient(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Go tlog-tiles client, built once per session."""
    go = shutil.which("go")
    if go is None:
        pytest.skip(f"the Go toolchain is not installed ({INSTALL_HINT})")
    if not all((X_MOD_SUMDB / pkg).is_dir() for pkg in ("tlog", "note")):
        pytest.skip(f"golang.org/x/mod sources are not under {GOPATH_ROOT} ({INSTALL_HINT})")
    out = tmp_path_factory.mktemp("tlogclient")
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": str(GOPATH_ROOT),
        "GOCACHE": str(out / "gocache"),
        "GOFLAGS": "",
        "CGO_ENABLED": "0",
    }
    binary = out / "tlogclient"
    build = subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=CLIENT_SOURCE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, f"go build of {CLIENT_SOURCE} failed:\n{build.stderr}"
    return binary


@dataclass(frozen=True)
class GoClient:
    """The built client, pointed at one log."""

    binary: Path
    url: str
    vkey: str

    def run(
        self, command: str, *args: str, url: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a subcommand against the log (or *url*) and return its result, whatever it is."""
        log_url = f"{url or self.url}/log"
        argv = [str(self.binary), command, "-url", log_url, "-vkey", self.vkey, *args]
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)

    def ok(self, command: str, *args: str) -> dict[str, Any]:
        """Run a subcommand that must succeed and return its JSON summary."""
        result = self.run(command, *args)
        assert result.returncode == 0, f"tlogclient {command} failed: {result.stderr}"
        summary: dict[str, Any] = json.loads(result.stdout)
        return summary

    def fails(self, command: str, *args: str, url: str | None = None) -> str:
        """Run a subcommand that must fail and return its error message."""
        result = self.run(command, *args, url=url)
        assert result.returncode == 1, (
            f"tlogclient {command} did not fail: {result.stdout}{result.stderr}"
        )
        assert result.stdout == ""
        return result.stderr


def submit(server: LiveServer, key: SigningKey, first: int, count: int) -> list[int]:
    """Fill the log up to *first* + *count* entries, in HTTP batches; return the new indexes.

    Entry 0 is the operator's registration, made by the server on first start;
    starting from 0, the holder's own registration takes entry 1.
    """
    indexes = []
    with httpx.Client(base_url=server.url, timeout=120) as client:
        if first == 0:
            response = client.post(
                "/v1/statements", content=registration(key).canonical, headers=JSON
            )
            assert response.status_code == 201, response.text
            indexes.append(response.json()["index"])
        numbers = list(range(max(first, 2), first + count))
        for start in range(0, len(numbers), BATCH):
            chunk = numbers[start : start + BATCH]
            response = client.post(
                "/v1/statements/batch", json=[evidence(key, n).to_json() for n in chunk]
            )
            assert response.status_code == 200, response.text
            receipts = response.json()["receipts"]
            assert len(receipts) == len(chunk)
            indexes += [r["index"] for r in receipts]
    return indexes


def origin_of(server: LiveServer) -> str:
    """Return the log's origin, which is its key name."""
    return Verifier.from_string(server.vkey).name


def test_go_client_audits_every_entry_and_checks_consistency(
    live_server: LiveServer, tlogclient: Path, holder: SigningKey, tmp_path: Path
) -> None:
    go = GoClient(tlogclient, live_server.url, live_server.vkey)
    assert sorted(submit(live_server, holder, 0, 1000)) == list(range(1, 1000))
    old = tmp_path / "checkpoint-1000"

    audit = go.ok("audit", "-save", str(old))

    assert audit["origin"] == origin_of(live_server)
    assert (audit["size"], audit["verified"]) == (1000, 1000)
    # Go's tlog parser reads the first three lines and ignores the index root's extension line.
    assert old.read_text().startswith(
        f"{audit['origin']}\n1000\n{audit['root']}\ncunzheng-index sha256:"
    )

    assert sorted(submit(live_server, holder, 1000, 500)) == list(range(1000, 1500))
    consistency = go.ok("consistency", "-old", str(old))

    assert consistency["consistent"] is True
    assert (consistency["old_size"], consistency["old_root"]) == (1000, audit["root"])
    assert consistency["size"] == 1500
    assert consistency["proof_len"] > 0
    grown = go.ok("audit")
    assert (grown["size"], grown["verified"], grown["root"]) == (1500, 1500, consistency["root"])


def test_go_client_rejects_another_logs_key(
    live_server: LiveServer, tlogclient: Path, holder: SigningKey
) -> None:
    submit(live_server, holder, 0, 3)
    other = Signer.generate(origin_of(live_server)).verifier()
    go = GoClient(tlogclient, live_server.url, other.to_string())

    error = go.fails("audit")

    assert f"is not signed by {other.name}+{other.key_id:08x}" in error
    assert "note has no verifiable signatures" in error


def test_go_client_rejects_a_forked_checkpoint(
    live_server: LiveServer, tlogclient: Path, holder: SigningKey, tmp_path: Path
) -> None:
    submit(live_server, holder, 0, 300)
    signer = read_key(live_server.data_dir / LOG_KEY_FILE)
    forked = Checkpoint(signer.name, 200, hashlib.sha256(b"a history the log never had").digest())
    old = tmp_path / "checkpoint-forked-root"
    old.write_text(sign_checkpoint(forked, signer))
    go = GoClient(tlogclient, live_server.url, live_server.vkey)

    error = go.fails("consistency", "-old", str(old))

    assert "the tree of size 200" in error
    assert "is not a prefix of the tree of size 300" in error
    assert "invalid transparency proof" in error


def flip_byte(offset: int) -> Callable[[bytes], bytes]:
    """Return a mutation that flips the low bit of the byte at *offset*."""

    def mutate(body: bytes) -> bytes:
        return body[:offset] + bytes([body[offset] ^ 1]) + body[offset + 1 :]

    return mutate


def alter_root(body: bytes) -> bytes:
    """Return the checkpoint with another root line under the same signature."""
    origin, size, _root, rest = body.split(b"\n", 3)
    root = hashlib.sha256(b"a history the log never had").digest()
    return b"\n".join([origin, size, base64.b64encode(root), rest])


@contextmanager
def corrupting_proxy(
    upstream: str, path: str, mutate: Callable[[bytes], bytes]
) -> Iterator[tuple[str, list[str]]]:
    """Proxy *upstream* on loopback, mutating *path*; yield its URL and the paths served."""
    served: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            upstream_response = httpx.get(upstream + self.path, timeout=30)
            body = upstream_response.content
            if self.path == path:
                body = mutate(body)
            served.append(self.path)
            self.send_response(upstream_response.status_code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}", served
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join()


# 300 entries: full tiles tile/0/000 and tile/entries/000, partial ones tile/0/001.p/44,
# tile/entries/001.p/44 and tile/1/000.p/1. A bad full hash tile is reported either by
# TileHashReader or by the proof check that follows it: x/mod v0.7.0's reader skips the
# parent check of some full tiles (see proveEntry in tlogclient/main.go).
@pytest.mark.parametrize(
    ("path", "mutate", "expected"),
    [
        pytest.param(
            "/log/tile/0/000",
            flip_byte(100),
            r"entry 0 \(in tile/entries/000\): .*"
            r"(downloaded inconsistent tile|invalid transparency proof)",
            id="hash-tile-flipped-byte",
        ),
        pytest.param(
            "/log/tile/0/001.p/44",
            flip_byte(0),
            r"tree hash of size 300 from the hash tiles: downloaded inconsistent tile",
            id="partial-hash-tile-flipped-byte",
        ),
        pytest.param(
            "/log/tile/entries/001.p/44",
            flip_byte(10),
            r"entry 256 \(in tile/entries/001\.p/44\): "
            r".*signed root of size 300: invalid transparency proof",
            id="entry-bundle-flipped-byte",
        ),
        pytest.param(
            "/log/checkpoint",
            alter_root,
            r"checkpoint from .* is not signed by .*: invalid signature for key",
            id="checkpoint-altered-root",
        ),
    ],
)
def test_go_client_detects_a_tampered_response(
    live_server: LiveServer,
    tlogclient: Path,
    holder: SigningKey,
    path: str,
    mutate: Callable[[bytes], bytes],
    expected: str,
) -> None:
    submit(live_server, holder, 0, 300)
    go = GoClient(tlogclient, live_server.url, live_server.vkey)
    assert go.ok("audit")["verified"] == 300

    with corrupting_proxy(live_server.url, path, mutate) as (proxy_url, served):
        error = go.fails("audit", url=proxy_url)

    assert path in served
    assert re.search(expected, error), error
