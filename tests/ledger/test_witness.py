"""The witness (C2SP tlog-witness): what it cosigns, what it refuses and with which status.

A small world: a log of a few dozen leaves held in memory, its signing key,
and a witness in a temporary data directory, driven directly and through its
HTTP app. The log-side client (``gather``) is driven against two such
witnesses through an in-process transport.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from cunzheng.api.witness_app import create_app
from cunzheng.ledger import merkle
from cunzheng.ledger.cosignature import WitnessPolicy, verify_cosignature
from cunzheng.ledger.errors import (
    InvalidProof,
    InvalidSignature,
    LedgerError,
    MalformedInput,
    NotFound,
)
from cunzheng.ledger.note import Checkpoint, Signer, sign_checkpoint
from cunzheng.ledger.witness import Fork, SizeConflict, Witness, WitnessEndpoint, gather
from cunzheng.ledger.witness.datadir import EVIDENCE_DIR, KEY_FILE, STATE_FILE
from cunzheng.ledger.witness.state import format_request, parse_request

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
ORIGIN = "log.example/cunzheng"


class Tree:
    """A log held in memory: leaf i is b"leaf i" unless a history says otherwise."""

    def __init__(self, signer: Signer, history: bytes = b"") -> None:
        self.signer = signer
        self.history = history

    def leaf_hash(self, i: int) -> bytes:
        return merkle.leaf_hash(self.history + f"leaf {i}".encode())

    def read(self, nodes: Sequence[tuple[int, int]]) -> list[bytes]:
        return [
            merkle.root_from_leaf_hashes(
                [self.leaf_hash(i) for i in range(n << level, (n + 1) << level)]
            )
            for level, n in nodes
        ]

    def root(self, size: int) -> bytes:
        return merkle.root(size, self.read)

    def proof(self, old: int, new: int) -> list[bytes]:
        return merkle.consistency_proof(old, new, self.read)

    def note(self, size: int) -> str:
        return sign_checkpoint(Checkpoint(self.signer.name, size, self.root(size)), self.signer)

    def request(self, old: int, size: int, proof: Sequence[bytes] | None = None) -> bytes:
        p = self.proof(old, size) if proof is None and 0 < old < size else (proof or [])
        return format_request(old, p, self.note(size))


@pytest.fixture
def log_key() -> Signer:
    """The log's checkpoint key."""
    return Signer.generate(ORIGIN)


@pytest.fixture
def tree(log_key: Signer) -> Tree:
    """The log's honest history."""
    return Tree(log_key)


@pytest.fixture
def witness(tmp_path: Path, log_key: Signer) -> Iterator[Witness]:
    """A witness following the log, with its state in a temporary directory."""
    w = Witness.open(
        tmp_path / "w1", name="witness.example/w1", logs=[log_key.verifier()], now=lambda: NOW
    )
    yield w
    w.close()


@pytest.fixture
def http(witness: Witness) -> TestClient:
    """The witness's HTTP app."""
    return TestClient(create_app(witness))


def test_first_checkpoint_is_cosigned_and_kept(
    witness: Witness, tree: Tree, tmp_path: Path
) -> None:
    line = witness.add_checkpoint(tree.request(0, 10))
    assert verify_cosignature(tree.note(10), line, witness.verifier) == NOW
    head = witness.store.head(ORIGIN)
    assert head is not None and (head.size, head.root) == (10, tree.root(10))
    assert head.note == tree.note(10)
    assert (tmp_path / "w1" / STATE_FILE).exists()


def test_consistent_checkpoints_are_cosigned_in_turn(witness: Witness, tree: Tree) -> None:
    for old, new in [(0, 1), (1, 2), (2, 7), (7, 8), (8, 37), (37, 37)]:
        line = witness.add_checkpoint(tree.request(old, new))
        verify_cosignature(tree.note(new), line, witness.verifier)
    head = witness.store.head(ORIGIN)
    assert head is not None and head.size == 37


def test_stale_old_size_is_409_with_the_size_held(http: TestClient, tree: Tree) -> None:
    assert http.post("/add-checkpoint", content=tree.request(0, 10)).status_code == 200

    response = http.post("/add-checkpoint", content=tree.request(0, 12))

    assert response.status_code == 409
    assert response.headers["content-type"] == "text/x.tlog.size"
    assert response.text == "10\n"
    assert http.post("/add-checkpoint", content=tree.request(10, 12)).status_code == 200


def test_checkpoint_forked_root_is_refused_and_kept_as_evidence(
    witness: Witness, http: TestClient, tree: Tree, log_key: Signer, tmp_path: Path
) -> None:
    witness.add_checkpoint(tree.request(0, 20))
    forked = Tree(log_key, history=b"another ")

    with pytest.raises(Fork, match="the log has forked"):
        witness.add_checkpoint(forked.request(20, 20))
    response = http.post("/add-checkpoint", content=forked.request(20, 20))

    assert (response.status_code, response.text) == (409, "20\n")
    kept = list((tmp_path / "w1" / EVIDENCE_DIR).iterdir())
    assert len(kept) == 1
    assert forked.note(20) in kept[0].read_text()
    head = witness.store.head(ORIGIN)
    assert head is not None and head.root == tree.root(20)


def test_checkpoint_not_extending_is_422(
    witness: Witness, http: TestClient, tree: Tree, log_key: Signer, tmp_path: Path
) -> None:
    witness.add_checkpoint(tree.request(0, 20))
    forked = Tree(log_key, history=b"another ")
    # The forked log proves its own history from 20 to 30; it does not extend the one cosigned.
    request = format_request(20, forked.proof(20, 30), forked.note(30))

    with pytest.raises(InvalidProof, match="is not consistent with the one this witness holds"):
        witness.add_checkpoint(request)
    assert http.post("/add-checkpoint", content=request).status_code == 422
    assert len(list((tmp_path / "w1" / EVIDENCE_DIR).iterdir())) == 1


def test_proof_for_another_size_is_422(http: TestClient, tree: Tree) -> None:
    http.post("/add-checkpoint", content=tree.request(0, 20))
    request = format_request(20, tree.proof(19, 30), tree.note(30))
    assert http.post("/add-checkpoint", content=request).status_code == 422


def test_proof_from_size_zero_must_be_empty(http: TestClient, tree: Tree) -> None:
    request = format_request(0, tree.proof(3, 10), tree.note(10))
    assert http.post("/add-checkpoint", content=request).status_code == 422


def test_unknown_log_is_404(http: TestClient) -> None:
    other = Tree(Signer.generate("elsewhere.example/log"))
    response = http.post("/add-checkpoint", content=other.request(0, 3))
    assert response.status_code == 404
    assert "does not follow" in response.text


def test_checkpoint_signed_by_another_key_is_403(http: TestClient) -> None:
    impostor = Tree(Signer.generate(ORIGIN))
    assert http.post("/add-checkpoint", content=impostor.request(0, 3)).status_code == 403


def test_old_size_above_the_checkpoint_is_400(http: TestClient, tree: Tree) -> None:
    assert (
        http.post("/add-checkpoint", content=format_request(11, [], tree.note(10))).status_code
        == 400
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"old 0\n", id="no-blank-line"),
        pytest.param(b"old 00\n\nx", id="old-size-leading-zero"),
        pytest.param(b"old -1\n\nx", id="old-size-negative"),
        pytest.param(b"new 0\n\nx", id="no-old-line"),
        pytest.param(b"old 1\nnot base64\n\nx", id="proof-line-not-base64"),
        pytest.param(b"old 1\nAAAA\n\nx", id="proof-line-short"),
        pytest.param(b"old 1\n" + (b"A" * 43 + b"=\n") * 64 + b"\nx", id="proof-64-lines"),
        pytest.param(b"old 0\n\nlog.example/cunzheng\n1\n", id="checkpoint-unsigned"),
        pytest.param(b"old 0\n\n\xff\n", id="not-utf8"),
    ],
)
def test_malformed_requests_are_400(http: TestClient, body: bytes) -> None:
    assert http.post("/add-checkpoint", content=body).status_code == 400


def test_request_format_round_trips(tree: Tree) -> None:
    body = tree.request(5, 30)
    request = parse_request(body)
    assert (request.old_size, list(request.proof), request.note) == (
        5,
        tree.proof(5, 30),
        tree.note(30),
    )
    assert body.startswith(b"old 5\n") and b"\n\n" + tree.note(30).encode() in body


def test_get_and_wrong_method(http: TestClient, witness: Witness) -> None:
    assert http.get("/").text == witness.verifier.to_string() + "\n"
    assert http.get("/add-checkpoint").status_code == 405


def test_state_and_key_survive_a_restart(tmp_path: Path, log_key: Signer, tree: Tree) -> None:
    first = Witness.open(tmp_path / "w", name="witness.example/w1", logs=[log_key.verifier()])
    first.add_checkpoint(tree.request(0, 15))
    vkey = first.verifier
    first.close()

    again = Witness.open(tmp_path / "w", name=None, logs=[log_key.verifier()])
    try:
        assert again.verifier == vkey
        with pytest.raises(SizeConflict) as refused:
            again.add_checkpoint(tree.request(0, 16))
        assert refused.value.size == 15
        again.add_checkpoint(tree.request(15, 16))
    finally:
        again.close()
    mode = stat.S_IMODE(os.stat(tmp_path / "w" / KEY_FILE).st_mode)
    assert mode == 0o600


def test_witness_name_must_match_its_key(tmp_path: Path, log_key: Signer) -> None:
    Witness.open(tmp_path / "w", name="witness.example/w1", logs=[]).close()
    with pytest.raises(LedgerError, match="is for witness 'witness.example/w1'"):
        Witness.open(tmp_path / "w", name="witness.example/w2", logs=[])


def test_one_witness_process_per_data_directory(witness: Witness, tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="another witness is running"):
        Witness.open(tmp_path / "w1", name=None, logs=[])


def test_racing_requests_never_roll_the_size_back(witness: Witness, tree: Tree) -> None:
    witness.add_checkpoint(tree.request(0, 10))
    sizes = list(range(11, 31))
    requests = {size: tree.request(10, size) for size in sizes}
    outcomes: dict[int, str] = {}

    def submit(size: int) -> None:
        try:
            witness.add_checkpoint(requests[size])
            outcomes[size] = "cosigned"
        except SizeConflict:
            outcomes[size] = "conflict"

    threads = [threading.Thread(target=submit, args=(s,)) for s in sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    cosigned = [s for s, o in outcomes.items() if o == "cosigned"]
    assert len(cosigned) == 1
    head = witness.store.head(ORIGIN)
    assert head is not None and head.size == cosigned[0]


# The log's client ---------------------------------------------------------------


@pytest.fixture
def two_witnesses(tmp_path: Path, log_key: Signer) -> Iterator[tuple[list[Witness], httpx.Client]]:
    """Two witnesses, w1.test and w2.test, behind one in-process HTTP client."""
    witnesses = [
        Witness.open(tmp_path / f"w{i}", name=f"witness.example/w{i}", logs=[log_key.verifier()])
        for i in (1, 2)
    ]
    apps = {f"w{i}.test": TestClient(create_app(w)) for i, w in enumerate(witnesses, start=1)}

    def route(request: httpx.Request) -> httpx.Response:
        answer = apps[request.url.host].post(request.url.path, content=request.content)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    yield witnesses, httpx.Client(transport=httpx.MockTransport(route))
    for w in witnesses:
        w.close()


def _endpoints(witnesses: list[Witness]) -> list[WitnessEndpoint]:
    return [WitnessEndpoint(f"http://w{i}.test", w.verifier) for i, w in enumerate(witnesses, 1)]


def test_gather_learns_each_witness_size_and_meets_the_policy(
    two_witnesses: tuple[list[Witness], httpx.Client], tree: Tree
) -> None:
    witnesses, client = two_witnesses
    witnesses[0].add_checkpoint(tree.request(0, 5))  # w1 already holds size 5; w2 nothing
    endpoints = _endpoints(witnesses)
    policy = WitnessPolicy([e.verifier for e in endpoints], 2)
    sizes: dict[str, int] = {}

    cosigned = gather(
        tree.note(9),
        proof_fn=tree.proof,
        witnesses=endpoints,
        old_sizes=sizes,
        policy=policy,
        client=client,
    )

    assert cosigned.startswith(tree.note(9))
    assert [name for name, _ in policy.check(cosigned)] == [
        "witness.example/w1",
        "witness.example/w2",
    ]
    assert sizes == {"witness.example/w1": 9, "witness.example/w2": 9}
    again = gather(
        tree.note(33),
        proof_fn=tree.proof,
        witnesses=endpoints,
        old_sizes=sizes,
        policy=policy,
        client=client,
    )
    assert len(policy.check(again)) == 2


def test_gather_names_the_witness_that_refused_a_fork(
    two_witnesses: tuple[list[Witness], httpx.Client], tree: Tree, log_key: Signer
) -> None:
    witnesses, client = two_witnesses
    witnesses[1].add_checkpoint(tree.request(0, 9))
    forked = Tree(log_key, history=b"another ")
    endpoints = _endpoints(witnesses)
    policy = WitnessPolicy([e.verifier for e in endpoints], 2)

    with pytest.raises(InvalidSignature) as refused:
        gather(
            forked.note(9), proof_fn=forked.proof, witnesses=endpoints, policy=policy, client=client
        )

    message = str(refused.value)
    assert "2 of 2 named witnesses required; cosigned by only: witness.example/w1" in message
    assert (
        "witness.example/w2 (http://w2.test): refused with 409: it holds another checkpoint of size 9"
        in message
    )


def test_gather_without_policy_keeps_what_it_got(
    two_witnesses: tuple[list[Witness], httpx.Client], tree: Tree
) -> None:
    witnesses, client = two_witnesses
    witnesses[1].add_checkpoint(tree.request(0, 4))
    forked = Tree(tree.signer, history=b"another ")
    cosigned = gather(
        forked.note(4), proof_fn=forked.proof, witnesses=_endpoints(witnesses), client=client
    )
    assert cosigned == forked.note(4) + cosigned.split("\n\n")[1].split("\n")[1] + "\n"
    assert cosigned.count("\n— witness.example/w1 ") == 1
    assert "witness.example/w2" not in cosigned


def test_gather_refuses_a_witness_ahead_of_the_checkpoint(
    two_witnesses: tuple[list[Witness], httpx.Client], tree: Tree
) -> None:
    witnesses, client = two_witnesses
    endpoints = _endpoints(witnesses)
    sizes = {"witness.example/w1": 50}
    with pytest.raises(InvalidSignature, match="newer than this checkpoint of 10"):
        gather(
            tree.note(10),
            proof_fn=tree.proof,
            witnesses=endpoints,
            old_sizes=sizes,
            policy=WitnessPolicy([e.verifier for e in endpoints], 2),
            client=client,
        )


def test_store_rejects_a_damaged_state_file(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / STATE_FILE).write_text("{")
    with pytest.raises(LedgerError, match="not valid JSON"):
        Witness.open(tmp_path / "w", name="witness.example/w1", logs=[])


def test_malformed_and_not_found_are_distinct(witness: Witness) -> None:
    with pytest.raises(MalformedInput):
        witness.add_checkpoint(b"old 0\n\n")
    with pytest.raises(NotFound):
        witness.add_checkpoint(b"old 0\n\nnobody\n1\nroot\n\n\xe2\x80\x94 nobody AAAAAAA=\n")
