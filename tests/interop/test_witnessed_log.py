"""A log configured with two witnesses and its own TSA: every checkpoint becomes cosigned and time-stamped.

The log, two ``cunzheng witness serve`` processes and the test talk over
loopback. The log's publisher submits each new checkpoint to both witnesses,
keeps the cosigned note and serves it at /log/checkpoint; it also keeps an
RFC 3161 token over the checkpoint from its own TSA. A bundle made from that
log carries the token and both cosignatures, and ``cunzheng verify`` checks
and shows them, offline, against the TSA's CA and the two witnesses' keys.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.cosignature import WitnessPolicy
from cunzheng.ledger.keyfiles import log_signer
from cunzheng.ledger.note import Verifier, open_checkpoint
from cunzheng.ledger.tsa import local_identity
from cunzheng.ledger.tsa.verify import verify_token
from cunzheng.ledger.verify import checkpoint_imprint
from tests.cli.test_cli import register, run
from tests.conftest import JSON, LiveServer, evidence, registration, start_server, stop_server
from tests.interop.test_witnesses import RunningWitness, start_witness, stop_witness


@pytest.fixture
def witnessed(tmp_path: Path) -> Iterator[tuple[LiveServer, list[RunningWitness]]]:
    data = tmp_path / "log"
    vkey = log_signer(data, "localhost/cunzheng").verifier().to_string()
    running = [start_witness(tmp_path / f"w{i}", f"witness.example/w{i}", vkey) for i in (1, 2)]
    specs = [f"{w.url} {w.endpoint.verifier.to_string()}" for w in running]
    server = start_server(
        data, CUNZHENG_WITNESSES=orjson.dumps(specs).decode(), CUNZHENG_PUBLISH_INTERVAL_S="0"
    )
    yield server, running
    stop_server(server)
    for w in running:
        stop_witness(w)


def _evidence_for(url: str, size: int) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r = httpx.get(f"{url}/log/checkpoint/evidence")
        if r.status_code == 200 and r.json()["size"] >= size and r.json()["cosigned"]:
            body: dict[str, object] = r.json()
            return body
        time.sleep(0.1)
    raise AssertionError(f"no cosigned checkpoint of size {size}: {r.text}")


def test_checkpoints_become_cosigned_and_time_stamped(
    witnessed: tuple[LiveServer, list[RunningWitness]],
) -> None:
    server, running = witnessed
    key = SigningKey.generate()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert (
            client.post(
                "/v1/statements", content=registration(key).canonical, headers=JSON
            ).status_code
            == 201
        )
        for batch in range(3):
            statements = [evidence(key, batch * 10 + i).to_json() for i in range(10)]
            assert client.post("/v1/statements/batch", json=statements).status_code == 200
            size = client.get("/log/info").json()["size"]
            found = _evidence_for(server.url, size)
            cosigned = str(found["cosigned"])
            times = WitnessPolicy([w.endpoint.verifier for w in running], 2).check(cosigned)
            assert [name for name, _ in times] == ["witness.example/w1", "witness.example/w2"]
            note = str(found["checkpoint"])
            assert cosigned.startswith(note.rstrip("\n"))
            (token,) = found["timestamps"]  # type: ignore[misc]
            info = verify_token(
                base64.b64decode(token),
                digest=checkpoint_imprint(note),
                trust_roots=[(server.data_dir / "tsa" / "ca.pem").read_bytes()],
            )
            assert info.gen_time is not None
        served = client.get("/log/checkpoint").text
    checkpoint, opened = open_checkpoint(served, Verifier.from_string(server.vkey))
    assert checkpoint.size == size and len(opened.unverified) == 2


def test_a_bundle_of_the_witnessed_log_carries_its_token_and_cosignatures(
    witnessed: tuple[LiveServer, list[RunningWitness]], tmp_path: Path
) -> None:
    server, running = witnessed
    key = tmp_path / "alice.key"
    assert run("keygen", "--out", str(key)).returncode == 0
    register(server, key)
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(b"%PDF-1.7 a licence agreement, time-stamped and witnessed")
    stamped = run("stamp", str(contract), "--server", server.url, "--key", str(key))
    assert stamped.returncode == 0, stamped.stderr
    receipt = tmp_path / "contract.pdf.receipt.json"
    _evidence_for(server.url, json.loads(receipt.read_text())["tree_size"])
    bundle = tmp_path / "contract.bundle.json"
    made = run("bundle", str(receipt), "--server", server.url, "--out", str(bundle))
    assert made.returncode == 0, made.stderr
    assert "1 time-stamp token(s), 2 cosignature(s)" in made.stdout
    obj = json.loads(bundle.read_text())
    assert len(obj["timestamps"]) == 1
    assert [c["witness"] for c in obj["cosignatures"]] == [
        w.endpoint.verifier.name for w in running
    ]

    vkey = tmp_path / "log.vkey"
    vkey.write_text(server.vkey)
    ca = tmp_path / "tsa-ca.pem"
    ca.write_bytes((server.data_dir / "tsa" / "ca.pem").read_bytes())
    witness_keys = []
    for w in running:
        path = tmp_path / f"{w.endpoint.verifier.name.rsplit('/', 1)[1]}.vkey"
        path.write_text(w.endpoint.verifier.to_string())
        witness_keys += ["--witness", str(path)]
    stop_server(server)
    for w in running:
        stop_witness(w)

    args = ["verify", str(bundle), "--file", str(contract), "--log-key", str(vkey)]
    trusted = [*args, "--tsa-root", str(ca), *witness_keys, "--witness-threshold", "2"]
    en = run(*trusted)
    assert en.returncode == 0, en.stdout + en.stderr
    assert "Time-stamp: the checkpoint, and every entry in it, existed no later than" in en.stdout
    assert "(RFC 3161, TSA" in en.stdout and "NOT TRUSTED" in en.stdout
    for w in running:
        assert f"Witness {w.endpoint.verifier.name}, which you named, cosigned" in en.stdout
    assert "2 of the 2 witnesses you named cosigned this checkpoint" in en.stdout
    zh = run(*trusted, "--lang", "zh")
    assert zh.returncode == 0 and "可信时间" in zh.stdout and "见证时间" in zh.stdout
    js = json.loads(run(*trusted, "--json").stdout)
    reasons = [c["reason"] for c in js["checks"]]
    assert reasons.count("cosignature.valid") == 2 and "timestamp.trusted" in reasons
    assert js["log"]["tsa_time"] and js["log"]["witness_time"]

    untrusted = run(*args)
    assert untrusted.returncode == 0
    assert "no trusted TSA root was given" in untrusted.stdout
    assert untrusted.stdout.count("not checked, since no witness key was given") == 2
    stranger = tmp_path / "stranger"
    local_identity(stranger)
    other_ca = run(*args, "--tsa-root", str(stranger / "tsa" / "ca.pem"))
    assert other_ca.returncode == 1 and "timestamp.untrusted" in other_ca.stderr
    one = run(*args, witness_keys[0], witness_keys[1], "--witness", server.vkey.replace("+", "x"))
    assert one.returncode == 1 and "Traceback" not in one.stderr
