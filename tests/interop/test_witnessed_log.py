"""A log configured with two witnesses and its own TSA: every checkpoint becomes cosigned and time-stamped.

The log, two ``cunzheng witness serve`` processes and the test talk over
loopback. The log's publisher submits each new checkpoint to both witnesses,
keeps the cosigned note and serves it at /log/checkpoint; it also keeps an
RFC 3161 token over the checkpoint from its own TSA.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from nacl.signing import SigningKey

from ledger.cosignature import WitnessPolicy
from ledger.keys import log_signer
from ledger.note import Verifier, open_checkpoint
from ledger.publisher import checkpoint_imprint
from ledger.tsa.verify import verify_token
from tests.conftest import LiveServer, evidence, registration, start_server, stop_server
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
        assert client.post("/v1/statements", content=registration(key).canonical).status_code == 201
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
