"""The sequencer and its storage, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger import merkle
from cunzheng.ledger.errors import Conflict, NotFound
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer, open_checkpoint
from cunzheng.ledger.receipts import receipt_json
from cunzheng.ledger.store import Batch, Store
from cunzheng.ledger.tiles import TileRef, decode_entry_bundle, tiles_for_size
from cunzheng.ledger.verify import verify_receipt
from tests.conftest import evidence, registration


def _tree_from_leaves(store: Store) -> list[bytes]:
    return [merkle.leaf_hash(leaf) for leaf in store.leaves(0, 1 << 62)]


def test_every_receipt_verifies_against_the_signed_checkpoint(log: Log, holder: SigningKey) -> None:
    statements = [evidence(holder, i) for i in range(600)]
    results = [f.result() for f in [log.add(s) for s in statements]]
    assert sorted(r.index for r in results) == list(range(1, 601))
    for statement, result in zip(statements, results, strict=True):
        verified = verify_receipt(receipt_json(log.receipt(result)), log_key=log.signer.verifier())
        assert verified.statement == statement and verified.index == result.index


def test_tiles_and_root_match_the_leaves(log: Log, holder: SigningKey) -> None:
    for f in [log.add(evidence(holder, i)) for i in range(256 * 2 + 76)]:
        f.result()
    size = log.size()
    leaf_hashes = _tree_from_leaves(log.store)
    cp, _ = open_checkpoint(log.checkpoint(), log.signer.verifier())
    assert cp.size == size == len(leaf_hashes)
    assert cp.root == merkle.root_from_leaf_hashes(leaf_hashes) == log.root(size)
    for ref in tiles_for_size(size):
        assert ref.level is not None
        data = log.hash_tile(ref)
        span = 1 << (8 * ref.level)
        first = ref.index * 256
        expected = [
            merkle.root_from_leaf_hashes(leaf_hashes[(first + i) * span : (first + i + 1) * span])
            for i in range(ref.width)
        ]
        assert data == b"".join(expected)
    bundle = decode_entry_bundle(log.entry_bundle(TileRef(None, 2, 77)))
    assert [merkle.leaf_hash(e) for e in bundle] == leaf_hashes[512:]


def test_tiles_beyond_the_log_are_not_found(log: Log, holder: SigningKey) -> None:
    log.add(evidence(holder, 1)).result()
    with pytest.raises(NotFound, match="does not exist yet"):
        log.hash_tile(TileRef(0, 0, 3))
    with pytest.raises(NotFound):
        log.entry_bundle(TileRef(None, 0))
    with pytest.raises(NotFound):
        log.hash_tile(TileRef(1, 0, 1))
    assert len(log.hash_tile(TileRef(0, 0, 2))) == 64


def test_resubmitting_returns_the_existing_entry(log: Log, holder: SigningKey) -> None:
    statement = evidence(holder, 7)
    first = log.add(statement).result()
    same_batch = [log.add(statement), log.add(statement)]
    again = [f.result() for f in same_batch]
    assert {r.index for r in again} == {first.index}
    assert all(r.existed for r in again) and not first.existed
    assert log.size() == 2


def test_duplicates_within_one_batch_make_one_leaf(log: Log, holder: SigningKey) -> None:
    statement = evidence(holder, 8)
    results = [f.result() for f in [log.add(statement) for _ in range(5)]]
    assert {r.index for r in results} == {1}
    assert log.size() == 2


def test_consistency_between_every_pair_of_checkpoints(log: Log, holder: SigningKey) -> None:
    roots = {1: open_checkpoint(log.checkpoint(), log.signer.verifier())[0].root}
    n = 0
    for batch in (1, 3, 250, 6, 300):
        for f in [log.add(evidence(holder, n + i)) for i in range(batch)]:
            f.result()
        n += batch
        roots[log.size()] = open_checkpoint(log.checkpoint(), log.signer.verifier())[0].root
    for old in roots:
        for new in roots:
            if old <= new:
                proof = log.consistency_proof(old, new)
                merkle.verify_consistency(
                    old_size=old,
                    new_size=new,
                    old_root=roots[old],
                    new_root=roots[new],
                    proof=proof,
                )
    with pytest.raises(Conflict):
        log.consistency_proof(5, 3)
    with pytest.raises(Conflict, match="beyond"):
        log.inclusion_proof(0, n + 2)


@pytest.fixture
def open_store(database_url: str) -> Iterator[Callable[[], Store]]:
    """Open stores on this test's database, each closed when the test ends."""
    opened: list[Store] = []

    def open_() -> Store:
        opened.append(Store.open(database_url))
        return opened[-1]

    yield open_
    for store in opened:
        store.close()


def test_a_restarted_log_continues_the_same_tree(
    open_store: Callable[[], Store], log_signer: Signer, holder: SigningKey
) -> None:
    first = Log(open_store(), log_signer, batch_wait=0.001).start()
    first.add(registration(holder)).result()
    for f in [first.add(evidence(holder, i)) for i in range(300)]:
        f.result()
    first.stop()
    second = Log(open_store(), log_signer, batch_wait=0.001).start()
    results = [f.result() for f in [second.add(evidence(holder, i)) for i in range(250, 700)]]
    assert [r.existed for r in results[:50]] == [True] * 50
    assert second.size() == 701
    assert second.root(701) == merkle.root_from_leaf_hashes(_tree_from_leaves(second.store))
    for r in results[::37]:
        verify_receipt(receipt_json(second.receipt(r)), log_key=log_signer.verifier())
    second.stop()


def test_two_sequencers_share_one_log(
    open_store: Callable[[], Store], log_signer: Signer, holder: SigningKey
) -> None:
    a = Log(open_store(), log_signer, batch_size=16, batch_wait=0.001).start()
    b = Log(open_store(), log_signer, batch_size=16, batch_wait=0.001).start()
    a.add(registration(holder)).result()
    futures = []
    for i in range(400):
        futures.append((a if i % 2 else b).add(evidence(holder, i % 300)))
    results = [f.result() for f in futures]
    a.stop()
    b.stop()
    assert a.size() == 301
    indexes = {r.index for r in results}
    assert indexes == set(range(1, 301))
    leaf_hashes = _tree_from_leaves(a.store)
    assert a.root(301) == merkle.root_from_leaf_hashes(leaf_hashes)
    for r in results[::23]:
        log_ = a if r.index % 2 else b
        verify_receipt(receipt_json(log_.receipt(r)), log_key=log_signer.verifier())


def test_a_failed_batch_changes_nothing(
    log: Log, holder: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    log.add(evidence(holder, 1)).result()
    before = (log.size(), log.checkpoint())

    def broken(self: Batch, rows: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Batch, "add_entries", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        log.add(evidence(holder, 2)).result()
    assert (log.size(), log.checkpoint()) == before
    monkeypatch.undo()
    result = log.add(evidence(holder, 2)).result()
    assert result.index == 2
    verify_receipt(receipt_json(log.receipt(result)), log_key=log.signer.verifier())
