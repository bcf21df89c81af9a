"""Crashes mid-traffic: every receipt a server returned is in the log afterwards, in one tree.

``cunzheng serve`` processes take statements from several clients at once and
are killed with SIGKILL at a moment drawn from a fixed seed (after the k-th
receipt, with requests still in flight), then started again. Whatever was
answered with a receipt must be in the restarted log at the receipt's index,
with an inclusion proof to the new checkpoint, and the receipt's checkpoint
must be a prefix of the new tree (a consistency proof): no lost entry, no
index given twice, no fork. Statements whose answer the crash cut off may be
in the log or not; both are fine. (tests/cli/test_cli.py kills a server once
all its answers are in; this kills one during the traffic.)
"""

from __future__ import annotations

import base64
import random
import shutil
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from nacl.signing import SigningKey

from cunzheng.ledger import merkle
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, OPERATOR_KEY_FILE
from cunzheng.ledger.note import Verifier, open_checkpoint
from cunzheng.ledger.receipts import parse_receipt, receipt_leaf
from cunzheng.ledger.verify import verify_receipt
from tests.conftest import JSON, LiveServer, evidence, registration, start_server, stop_server

CLIENTS_PER_SERVER = 3
STATEMENTS_PER_CLIENT = 40
# Every wait is bounded: a test that cannot finish fails instead of hanging CI.
WAIT = 60.0


@dataclass
class Traffic:
    """Clients submitting statements to servers, and the receipts they got back."""

    holder: SigningKey
    receipts: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    enough: threading.Event = field(default_factory=threading.Event)
    kill_after: int = 0

    def submit(self, url: str, numbers: range) -> None:
        """Submit evidence statements *numbers* to *url* until done or the server is gone."""
        with httpx.Client(base_url=url, timeout=WAIT) as client:
            for n in numbers:
                try:
                    r = client.post(
                        "/v1/statements", content=evidence(self.holder, n).canonical, headers=JSON
                    )
                except httpx.HTTPError:
                    return  # killed: this statement's fate is unknown, which is allowed
                assert r.status_code == 201, r.text
                with self.lock:
                    self.receipts.append(r.content)
                    if len(self.receipts) >= self.kill_after:
                        self.enough.set()

    def run(self, urls: list[str], first: int) -> list[threading.Thread]:
        """Start CLIENTS_PER_SERVER clients per server in *urls*, numbering statements from *first*."""
        threads = []
        for s, url in enumerate(urls):
            for c in range(CLIENTS_PER_SERVER):
                start = first + (s * CLIENTS_PER_SERVER + c) * STATEMENTS_PER_CLIENT
                numbers = range(start, start + STATEMENTS_PER_CLIENT)
                threads.append(threading.Thread(target=self.submit, args=(url, numbers)))
        for t in threads:
            t.start()
        return threads


def kill(server: LiveServer) -> None:
    """SIGKILL *server*'s process and reap it."""
    assert server.process is not None
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=WAIT)


def join(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.join(timeout=WAIT)
        assert not t.is_alive(), "a client did not finish"


def check_one_tree(server: LiveServer, receipts: list[bytes]) -> int:
    """Assert every receipt is in *server*'s log at its index, in one tree; return the tree size."""
    vkey = Verifier.from_string(server.vkey)
    head, _ = open_checkpoint(httpx.get(f"{server.url}/log/checkpoint").text, vkey)
    indexes = [parse_receipt(r).index for r in receipts]
    assert len(set(indexes)) == len(indexes), "one index was handed out twice"
    with httpx.Client(base_url=server.url, timeout=WAIT) as client:
        for data in receipts:
            verify_receipt(data, log_key=vkey)
            receipt = parse_receipt(data)
            old, _ = open_checkpoint(receipt.checkpoint, vkey)
            proof = client.get(
                "/log/proof/inclusion", params={"index": receipt.index, "size": head.size}
            )
            assert proof.status_code == 200, proof.text
            merkle.verify_inclusion(
                leaf_hash=merkle.leaf_hash(receipt_leaf(receipt)),
                index=receipt.index,
                size=head.size,
                proof=[_b64(h) for h in proof.json()["proof"]],
                root=head.root,
            )
            consistency = client.get(
                "/log/proof/consistency", params={"old": old.size, "size": head.size}
            )
            assert consistency.status_code == 200, consistency.text
            merkle.verify_consistency(
                old_size=old.size,
                new_size=head.size,
                old_root=old.root,
                new_root=head.root,
                proof=[_b64(h) for h in consistency.json()["proof"]],
            )
    return head.size


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


@pytest.fixture
def holder() -> SigningKey:
    return SigningKey(b"\x07" * 32)


def _register(server: LiveServer, holder: SigningKey) -> None:
    r = httpx.post(
        f"{server.url}/v1/statements",
        content=registration(holder).canonical,
        headers=JSON,
        timeout=WAIT,
    )
    assert r.status_code == 201, r.text


@pytest.fixture
def servers() -> Iterator[list[LiveServer]]:
    """The servers a test started; whatever is still running at the end is stopped."""
    started: list[LiveServer] = []
    yield started
    for s in started:
        if s.process is not None and s.process.poll() is None:
            stop_server(s)


@pytest.mark.parametrize("seed", [11])
def test_receipts_survive_a_kill_mid_traffic(
    database_url: str, tmp_path: Path, holder: SigningKey, servers: list[LiveServer], seed: int
) -> None:
    url = None if database_url.startswith("sqlite") else database_url
    servers.append(start_server(tmp_path / "data", url))
    _register(servers[0], holder)
    total = CLIENTS_PER_SERVER * STATEMENTS_PER_CLIENT
    traffic = Traffic(holder, kill_after=random.Random(seed).randrange(total // 4, total // 2))
    clients = traffic.run([servers[0].url], first=0)
    assert traffic.enough.wait(WAIT), "the server returned too few receipts"
    kill(servers[0])
    join(clients)
    assert traffic.kill_after <= len(traffic.receipts) < total, "the kill cut no traffic"

    servers.append(start_server(tmp_path / "data", url))
    size = check_one_tree(servers[1], traffic.receipts)
    # +1: the registration.
    assert size >= len(traffic.receipts) + 1


@pytest.mark.parametrize("seed", [5])
def test_two_servers_on_one_postgresql_log_one_killed(
    database_url: str, tmp_path: Path, holder: SigningKey, servers: list[LiveServer], seed: int
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("two processes share one log on PostgreSQL only")
    rng = random.Random(seed)
    a = start_server(tmp_path / "a", database_url)
    servers.append(a)
    # A second host: its own data directory, holding the log's and the operator's keys.
    (tmp_path / "b").mkdir()
    for name in (LOG_KEY_FILE, OPERATOR_KEY_FILE):
        shutil.copy(a.data_dir / name, tmp_path / "b" / name)
    b = start_server(tmp_path / "b", database_url)
    servers.append(b)
    _register(a, holder)

    total = 2 * CLIENTS_PER_SERVER * STATEMENTS_PER_CLIENT
    traffic = Traffic(holder, kill_after=rng.randrange(total // 4, total // 2))
    clients = traffic.run([a.url, b.url], first=0)
    assert traffic.enough.wait(WAIT), "the servers returned too few receipts"
    victim, survivor = (a, b) if rng.random() < 0.5 else (b, a)
    kill(victim)
    join(clients)
    assert len(traffic.receipts) < total, "the kill cut no traffic"

    # The killed one comes back on its data directory; both take more traffic.
    restarted = start_server(victim.data_dir, database_url)
    servers.append(restarted)
    traffic.kill_after = 0
    join(traffic.run([restarted.url, survivor.url], first=10_000))

    size_seen_by = [check_one_tree(s, traffic.receipts) for s in (survivor, restarted)]
    assert min(size_seen_by) >= len(traffic.receipts) + 1
