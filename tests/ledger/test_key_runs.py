"""Lookups by statement hash, leaf hash and digest through sorted runs and the tail, on both backends.

The runs are made small here (``BASE`` 4, ``FANOUT`` 2) so that a few hundred
entries go through several levels of merges.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey
from sqlalchemy import text

from cunzheng.ledger import merkle
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.sequencer import Logged
from cunzheng.ledger.store import Store, key_runs, recent
from tests.conftest import evidence, registration


@pytest.fixture(autouse=True)
def small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(key_runs, "BASE", 4)
    monkeypatch.setattr(key_runs, "FANOUT", 2)
    # A filter that starts tiny is reloaded, larger, many times as the log grows.
    monkeypatch.setattr(recent, "_SMALLEST", 64)


def _runs(store: Store, kind: int) -> list[key_runs.Run]:
    with store._engine.connect() as conn:
        return key_runs.runs_of(conn, kind)


def _check_runs(store: Store, size: int) -> None:
    """Each kind's runs cover [0, boundary) once, and no level holds FANOUT runs."""
    for kind in key_runs.KINDS:
        runs = _runs(store, kind)
        covered = sorted((r.start, r.stop) for r in runs)
        edge = 0
        for start, stop in covered:
            assert start == edge
            edge = stop
        assert size - edge < key_runs.BASE
        levels = [r.level for r in runs]
        assert all(levels.count(level) < key_runs.FANOUT for level in set(levels))


def _check_lookups(store: Store, statements: dict[bytes, int]) -> None:
    found = store.find_statements(list(statements))
    assert {h: row.index for h, row in found.items()} == statements
    for index in statements.values():
        row = store.entry(index)
        assert row is not None
        assert store.entry_by_leaf_hash(merkle.leaf_hash(row.leaf)) == row


def test_every_hash_is_found_through_runs_and_tail(log: Log, holder: SigningKey) -> None:
    logged: dict[bytes, int] = {}
    digests: dict[bytes, list[int]] = {}
    for round_ in range(12):
        batch = [evidence(holder, 7 * round_ + i) for i in range(round_ % 5 + 1)]
        for statement, outcome in zip(batch, log.add_all(batch).result(), strict=True):
            assert isinstance(outcome, Logged)
            logged[statement.hash] = outcome.index
            digests.setdefault(bytes.fromhex(statement.body["sha256"]), []).append(outcome.index)
        _check_runs(log.store, log.size())
        _check_lookups(log.store, logged)
    assert max(r.level for r in _runs(log.store, key_runs.STATEMENT)) >= 2
    for digest, indexes in digests.items():
        assert log.store.indexes_for_digest(digest) == indexes
    assert log.store.find_statements([b"\x00" * 32]) == {}
    assert log.store.entry_by_leaf_hash(b"\x00" * 32) is None
    assert log.store.indexes_for_digest(b"\xff" * 32) == []


def test_a_statement_in_a_run_is_not_logged_twice(log: Log, holder: SigningKey) -> None:
    first = [evidence(holder, i) for i in range(40)]
    placed = [o.index for o in log.add_all(first).result()]  # type: ignore[union-attr]
    assert key_runs.boundary(_runs(log.store, key_runs.STATEMENT)) > 30
    size = log.size()
    again = log.add_all([first[0], first[17], evidence(holder, 99), first[39]]).result()
    assert [o.index for o in again] == [placed[0], placed[17], size, placed[39]]  # type: ignore[union-attr]
    assert [o.existed for o in again] == [True, True, False, True]  # type: ignore[union-attr]
    assert log.size() == size + 1


def test_a_second_process_sees_what_the_first_logged(
    database_url: str, log_signer: Signer, holder: SigningKey
) -> None:
    """Two stores on one database (two processes of one log): neither logs the other's statements again."""
    one, two = Store.open(database_url), Store.open(database_url)
    try:
        a = Log(one, log_signer, batch_size=8, batch_wait=0.001).start()
        a.add(registration(holder)).result()
        a.add_all([evidence(holder, i) for i in range(3)]).result()
        a.stop()
        b = Log(two, log_signer, batch_size=8, batch_wait=0.001).start()
        # Store two's map of the tail starts here; store one goes on without it.
        b.add_all([evidence(holder, i) for i in range(3, 30)]).result()
        b.stop()
        a = Log(one, log_signer, batch_size=8, batch_wait=0.001).start()
        size = a.size()
        outcomes = a.add_all([evidence(holder, i) for i in range(30)]).result()
        assert all(o.existed for o in outcomes)  # type: ignore[union-attr]
        assert a.size() == size
        a.stop()
    finally:
        one.close()
        two.close()


def test_a_batch_rolled_back_leaves_no_trace(log: Log, holder: SigningKey) -> None:
    store = log.store
    with pytest.raises(RuntimeError), store.batch() as batch:
        batch.add_entries(
            [(log.size(), b"\x01" * 32, b"\x02" * 32, b"{}", "evidence.x", b"\x03" * 32)]
        )
        raise RuntimeError("the transaction fails after the write")
    assert store.find_statements([b"\x01" * 32]) == {}
    with store.batch() as batch:
        assert batch.find_statements([b"\x01" * 32]) == {}


def test_runs_can_be_dropped_and_are_written_again(log: Log, holder: SigningKey) -> None:
    statements = [evidence(holder, i) for i in range(25)]
    log.add_all(statements).result()
    with log.store._engine.begin() as conn:
        for kind in key_runs.KINDS:
            key_runs.clear(conn, kind)
    assert key_runs.boundary(_runs(log.store, key_runs.LEAF)) == 0
    # With no run, the tail is the whole log: still found, by a scan.
    assert len(log.store.find_statements([s.hash for s in statements])) == 25
    log.add(evidence(holder, 1000)).result()
    _check_runs(log.store, log.size())
    assert all(o.existed for o in log.add_all(statements).result())  # type: ignore[union-attr]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(st.integers(0, 60), min_size=1, max_size=9), min_size=1, max_size=10))
def test_any_sequence_of_batches_keeps_every_lookup(
    tmp_path_factory: pytest.TempPathFactory, batches: list[list[int]]
) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('runs')}/log.db"
    store = Store.open(url)
    holder = SigningKey.generate()
    log = Log(store, Signer.generate("test/runs"), batch_size=16, batch_wait=0.001).start()
    try:
        log.add(registration(holder)).result()
        logged: dict[bytes, int] = {}
        for numbers in batches:
            batch = [evidence(holder, n) for n in numbers]
            for statement, outcome in zip(batch, log.add_all(batch).result(), strict=True):
                assert isinstance(outcome, Logged)
                assert logged.setdefault(statement.hash, outcome.index) == outcome.index
        assert log.size() == len(logged) + 1
        _check_runs(store, log.size())
        _check_lookups(store, logged)
    finally:
        log.stop()
        store.close()


def test_the_migration_keeps_an_older_log_findable(tmp_path: pytest.TempPathFactory) -> None:
    """A log written before the runs (revision 0008) is found through the tail, then runs."""
    from alembic import command
    from alembic.config import Config

    from cunzheng.ledger.store.engine import MIGRATIONS, connect

    url = f"sqlite:///{tmp_path}/old.db"  # type: ignore[operator]
    engine = connect(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0008")
    with engine.begin() as conn:
        for i in range(10):
            conn.execute(
                text(
                    "INSERT INTO entries (idx, statement_hash, leaf_hash, leaf, type, signer) "
                    "VALUES (:i, :s, :l, :leaf, 'evidence.timestamp', :k)"
                ),
                {
                    "i": i,
                    "s": bytes([i]) * 32,
                    "l": bytes([100 + i]) * 32,
                    "leaf": b"x",
                    "k": b"k" * 32,
                },
            )
            conn.execute(
                text("INSERT INTO digests (digest, idx) VALUES (:d, :i)"),
                {"d": bytes([200 + i]) * 32, "i": i},
            )
    engine.dispose()
    store = Store.open(url)
    try:
        found = store.find_statements([bytes([i]) * 32 for i in range(10)])
        assert {h[0]: row.index for h, row in found.items()} == {i: i for i in range(10)}
        assert store.entry_by_leaf_hash(bytes([105]) * 32).index == 5  # type: ignore[union-attr]
        assert store.indexes_for_digest(bytes([207]) * 32) == [7]
        with store._engine.begin() as conn:
            key_runs.maintain(conn, 10)
        assert key_runs.boundary(_runs(store, key_runs.DIGEST)) == 8
        assert store.indexes_for_digest(bytes([201]) * 32) == [1]
        assert store.find_statements([bytes([3]) * 32])[bytes([3]) * 32].index == 3
    finally:
        store.close()


@given(
    st.sets(st.binary(min_size=32, max_size=32), max_size=200), st.binary(min_size=32, max_size=32)
)
def test_the_filter_never_rules_out_a_hash_it_was_given(held: set[bytes], other: bytes) -> None:
    tail = recent.RecentStatements()
    tail._bits, tail._mask = bytearray(8), 63  # 64 positions: many hashes share one
    tail.committed(0, [(h, i) for i, h in enumerate(sorted(held))])
    assert tail.maybe_logged(held) == list(held)
    assert set(tail.matches([*held, other])) == held | ({other} & held)


def test_the_filter_rules_out_most_new_hashes(log: Log, holder: SigningKey) -> None:
    log.add_all([evidence(holder, i) for i in range(300)]).result()
    with log.store.batch() as batch:
        batch.find_statements([b"\x00" * 32])  # brings the process's filter up to the head
    fresh = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(2000)]
    passed = log.store._recent.maybe_logged(fresh)
    assert len(passed) < len(fresh) / 4
