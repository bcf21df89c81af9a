"""Two witnesses and a log, each its own process on loopback, as the sequencer will use them.

The log is ``cunzheng serve``; each witness is ``cunzheng witness serve`` with
its own data directory and key. The test does what the sequencer will do
after each checkpoint: ``ledger.witness.gather`` sends each witness the new
checkpoint with a consistency proof (read from the log's
``/log/proof/consistency``) and collects cosignatures until a 2-of-2 policy
holds. Then it plays a dishonest operator: with the log's own key (read from
its data directory) it signs a checkpoint of the same size with another root,
and one that does not extend the cosigned tree; both witnesses refuse, and
``cunzheng monitor`` pointed at a proxy serving the forged checkpoint exits
non-zero naming the fork.

Cosignatures are also checked against an independent implementation: Go's
``golang.org/x/mod/sumdb/note`` with a cosignature/v1 signer and verifier
written from the spec (``cosigcheck/main.go``), built like the tlog-tiles
client (Debian's ``golang-go`` and ``golang-golang-x-mod-dev``); those tests
skip when Go is missing.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.cosignature import CosignatureVerifier, WitnessPolicy, verify_cosignature
from cunzheng.ledger.errors import InvalidSignature
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, read_key
from cunzheng.ledger.note import Checkpoint, sign_checkpoint
from cunzheng.ledger.witness import WitnessEndpoint, gather
from cunzheng.ledger.witness.state import format_request
from tests.cli.test_monitor import replacing_proxy, submit
from tests.conftest import LiveServer, free_port, launch, stop_process
from tests.ledger.test_cosignature import BODY, LINE, NAME, SEED, TIME, VKEY

GOPATH_ROOT = Path("/usr/share/gocode")
COSIGCHECK_SOURCE = Path(__file__).parent / "cosigcheck"
INSTALL_HINT = "apt-get install golang-go golang-golang-x-mod-dev"


@dataclass(frozen=True)
class RunningWitness:
    """A ``cunzheng witness serve`` process on loopback."""

    endpoint: WitnessEndpoint
    data_dir: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """Return the witness's submission prefix."""
        return self.endpoint.url


def start_witness(data_dir: Path, name: str | None, log_vkey: str) -> RunningWitness:
    """Start a witness for the log with *log_vkey* and wait until it answers with its key."""
    port = free_port()
    argv = [sys.executable, "-m", "cunzheng.cli", "witness", "serve", "--data-dir", str(data_dir)]
    argv += ["--log", log_vkey, "--port", str(port)] + (["--name", name] if name else [])
    url = f"http://127.0.0.1:{port}"

    def probe() -> WitnessEndpoint:
        vkey = httpx.get(url + "/", timeout=1).text.strip()
        return WitnessEndpoint(url, CosignatureVerifier.from_string(vkey))

    endpoint, process = launch(argv, data_dir.parent / f"witness-{port}.log", probe)
    return RunningWitness(endpoint, data_dir, process)


def stop_witness(witness: RunningWitness) -> None:
    """Stop a witness started by start_witness."""
    stop_process(witness.process)


@pytest.fixture
def witnesses(live_server: LiveServer, tmp_path: Path) -> Iterator[list[RunningWitness]]:
    """Two witnesses, w1 and w2, following the live log."""
    running = [
        start_witness(tmp_path / f"w{i}", f"witness.example/w{i}", live_server.vkey) for i in (1, 2)
    ]
    yield running
    for w in running:
        stop_witness(w)


class LogReader:
    """What the sequencer has at hand: the latest checkpoint and consistency proofs."""

    def __init__(self, server: LiveServer) -> None:
        self.url = server.url

    def checkpoint(self) -> str:
        return httpx.get(f"{self.url}/log/checkpoint", timeout=30).text

    def proof(self, old: int, new: int) -> list[bytes]:
        answer = httpx.get(
            f"{self.url}/log/proof/consistency", params={"old": old, "size": new}, timeout=30
        )
        assert answer.status_code == 200, answer.text
        return [base64.b64decode(h) for h in answer.json()["proof"]]


def test_two_witnesses_cosign_a_growing_log_and_refuse_its_forks(
    live_server: LiveServer,
    witnesses: list[RunningWitness],
    holder: SigningKey,
    tmp_path: Path,
) -> None:
    log = LogReader(live_server)
    endpoints = [w.endpoint for w in witnesses]
    policy = WitnessPolicy([e.verifier for e in endpoints], 2)
    sizes: dict[str, int] = {}

    # The sequencer's loop: a checkpoint, then cosignatures for it.
    cosigned = []
    for numbers in (range(0, 3), range(3, 300), range(300, 301)):
        submit(live_server, holder, numbers)
        note = log.checkpoint()
        cosigned.append(
            gather(note, proof_fn=log.proof, witnesses=endpoints, old_sizes=sizes, policy=policy)
        )
        assert [name for name, _ in policy.check(cosigned[-1])] == [
            "witness.example/w1",
            "witness.example/w2",
        ]
    size = Checkpoint.parse(cosigned[-1].split("\n\n")[0] + "\n").size
    assert size == 303 and sizes == {"witness.example/w1": 303, "witness.example/w2": 303}

    # The operator forks: same size, another root, signed with the log's own key.
    signer = read_key(live_server.data_dir / LOG_KEY_FILE)
    forked = sign_checkpoint(
        Checkpoint(signer.name, size, hashlib.sha256(b"a history the log never had").digest()),
        signer,
    )
    for w in witnesses:
        answer = httpx.post(w.url + "/add-checkpoint", content=format_request(size, [], forked))
        assert (answer.status_code, answer.text) == (409, f"{size}\n")
        assert answer.headers["content-type"] == "text/x.tlog.size"
    with pytest.raises(InvalidSignature) as refused:
        gather(forked, proof_fn=log.proof, witnesses=endpoints, old_sizes=sizes, policy=policy)
    assert "2 of 2 named witnesses required; cosigned by only: none" in str(refused.value)
    assert "it holds another checkpoint of size 303" in str(refused.value)

    # ... or grows a tree that does not extend the cosigned one.
    submit(live_server, holder, range(301, 306))
    bigger = sign_checkpoint(
        Checkpoint(signer.name, 308, hashlib.sha256(b"not this log").digest()), signer
    )
    for w in witnesses:
        answer = httpx.post(
            w.url + "/add-checkpoint", content=format_request(size, log.proof(size, 308), bigger)
        )
        assert answer.status_code == 422, answer.text
        assert list((w.data_dir / "evidence").iterdir())

    # The honest checkpoint is still cosigned: the witnesses kept the size they had.
    honest = gather(
        log.checkpoint(), proof_fn=log.proof, witnesses=endpoints, old_sizes=sizes, policy=policy
    )
    assert len(policy.check(honest)) == 2

    # A monitor that verified the honest cosigned checkpoint raises the alarm on the fork.
    witness_args = [a for w in endpoints for a in ("--witness", w.verifier.to_string())]
    state = tmp_path / "monitor-state.json"
    argv = ["--log-key", live_server.vkey, "--state", str(state)]
    with replacing_proxy(live_server.url, {"/log/checkpoint": honest.encode()}) as proxy:
        ok = _monitor(proxy, *argv, *witness_args, "--threshold", "2")
    assert ok.returncode == 0, ok.stderr
    assert (
        "cosigned     by witness.example/w1 at" in ok.stdout
        and "checkpoint of 308 entries" in ok.stdout
    )
    forked_308 = sign_checkpoint(
        Checkpoint(signer.name, 308, hashlib.sha256(b"a fork").digest()), signer
    )
    with replacing_proxy(live_server.url, {"/log/checkpoint": forked_308.encode()}) as proxy:
        alarm = _monitor(proxy, *argv, *witness_args)
    assert alarm.returncode == 3, alarm.stdout + alarm.stderr
    assert "ALARM fork: two checkpoints of size 308 with different roots" in alarm.stderr
    assert forked_308 in alarm.stderr and honest.split("\n\n")[0] in alarm.stderr


def test_a_restarted_witness_keeps_its_size(
    live_server: LiveServer, witnesses: list[RunningWitness], holder: SigningKey
) -> None:
    log = LogReader(live_server)
    submit(live_server, holder, range(0, 10))
    first = witnesses[0]
    gather(log.checkpoint(), proof_fn=log.proof, witnesses=[first.endpoint])
    stop_witness(first)
    again = start_witness(first.data_dir, None, live_server.vkey)
    try:
        assert again.endpoint.verifier == first.endpoint.verifier
        stale = httpx.post(
            again.url + "/add-checkpoint", content=format_request(0, [], log.checkpoint())
        )
        assert (stale.status_code, stale.text) == (409, "12\n")
        submit(live_server, holder, range(10, 20))
        # A sequencer that lost its sizes learns them again from the 409.
        cosigned = gather(
            log.checkpoint(),
            proof_fn=log.proof,
            witnesses=[again.endpoint],
            policy=WitnessPolicy([again.endpoint.verifier], 1),
        )
        assert "\n— witness.example/w1 " in cosigned
    finally:
        stop_witness(again)


# Go's note package against ours ---------------------------------------------------


@pytest.fixture(scope="session")
def cosigcheck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Go cosignature checker, built once per session."""
    go = shutil.which("go")
    if go is None:
        pytest.skip(f"the Go toolchain is not installed ({INSTALL_HINT})")
    if not (GOPATH_ROOT / "src" / "golang.org" / "x" / "mod" / "sumdb" / "note").is_dir():
        pytest.skip(f"golang.org/x/mod sources are not under {GOPATH_ROOT} ({INSTALL_HINT})")
    out = tmp_path_factory.mktemp("cosigcheck")
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": str(GOPATH_ROOT)}
    env |= {"GOCACHE": str(out / "gocache"), "GOFLAGS": "", "CGO_ENABLED": "0"}
    binary = out / "cosigcheck"
    build = subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=COSIGCHECK_SOURCE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, f"go build of {COSIGCHECK_SOURCE} failed:\n{build.stderr}"
    return binary


def _go(binary: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), *args], input=stdin, capture_output=True, text=True, timeout=60
    )


def test_go_makes_the_same_cosignature_and_key(cosigcheck: Path) -> None:
    seed = SEED.hex()
    assert _go(cosigcheck, "vkey", "-name", NAME, "-seed", seed).stdout == VKEY + "\n"
    signed = _go(cosigcheck, "sign", "-name", NAME, "-seed", seed, "-time", str(TIME), stdin=BODY)
    assert signed.returncode == 0, signed.stderr
    assert signed.stdout == BODY + "\n" + LINE
    assert (
        verify_cosignature(signed.stdout, LINE, CosignatureVerifier.from_string(VKEY)).timestamp()
        == TIME
    )


def test_go_verifies_the_live_witnesses_cosignatures(
    cosigcheck: Path, live_server: LiveServer, witnesses: list[RunningWitness], holder: SigningKey
) -> None:
    log = LogReader(live_server)
    submit(live_server, holder, range(0, 5))
    cosigned = gather(
        log.checkpoint(), proof_fn=log.proof, witnesses=[w.endpoint for w in witnesses]
    )
    for w in witnesses:
        vkey = w.endpoint.verifier.to_string()
        checked = _go(cosigcheck, "verify", "-vkey", vkey, stdin=cosigned)
        assert checked.returncode == 0, checked.stderr
        assert f'"name":"{w.endpoint.name}"' in checked.stdout
        tampered = cosigned.replace("\n7\n", "\n8\n", 1)
        refused = _go(cosigcheck, "verify", "-vkey", vkey, stdin=tampered)
        assert refused.returncode == 1 and "invalid signature" in refused.stderr


def _monitor(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cunzheng.cli", "monitor", url, *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
