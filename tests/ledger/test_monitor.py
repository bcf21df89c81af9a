"""The monitor's checks, run against a real log's tiles read in process (no HTTP).

Negative cases are named after what the log does wrong; each must raise
``Misbehaviour`` of the right kind with the signed notes that prove it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger import sequencer as sequencer_module
from cunzheng.ledger.cosignature import CosignatureSigner, WitnessPolicy, cosign
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.index import IndexChanges, index_root_line
from cunzheng.ledger.log import Log
from cunzheng.ledger.monitor import Fetch, Misbehaviour, MonitorState, audit
from cunzheng.ledger.note import Checkpoint, Signer, open_checkpoint, sign_checkpoint
from cunzheng.ledger.registry.memory import MemoryRegistry
from cunzheng.ledger.statements import Statement, parse_statement
from cunzheng.ledger.store import Store
from cunzheng.ledger.tiles import parse_tile_path
from tests.conftest import evidence
from tests.ledger.registry_world import Clock, World

Mutation = Callable[[bytes], bytes]


def fetch_from(log: Log, **override: bytes | Mutation) -> Fetch:
    """Return a Fetch over *log*'s tiles; *override* maps a path (``/`` as ``_``) to bytes or a mutation."""

    def fetch(path: str) -> bytes:
        if path == "checkpoint":
            data = log.checkpoint().encode()
        else:
            ref = parse_tile_path(path.removeprefix("tile/"))
            data = log.entry_bundle(ref) if ref.level is None else log.hash_tile(ref)
        change = override.get(path.replace("/", "_").replace(".", "_"))
        if change is None:
            return data
        return change if isinstance(change, bytes) else change(data)

    return fetch


def grow(log: Log, holder: SigningKey, first: int, count: int) -> None:
    """Add *count* evidence statements by *holder*, numbered from *first*."""
    for f in [log.add(evidence(holder, n)) for n in range(first, first + count)]:
        f.result()


def flip(offset: int) -> Mutation:
    """Return a mutation that flips the low bit of the byte at *offset*."""
    return lambda data: data[:offset] + bytes([data[offset] ^ 1]) + data[offset + 1 :]


def test_first_run_audits_every_entry(log: Log, holder: SigningKey) -> None:
    grow(log, holder, 0, 299)
    result = audit(fetch_from(log), log_key=log.signer.verifier(), state=None)
    assert (result.previous_size, result.new_entries) == (0, 300)
    assert result.statement_types == {"party.register": 1, "evidence.timestamp": 299}
    assert result.state.checkpoint.size == 300
    assert result.state.note == log.checkpoint()


def test_next_runs_audit_only_new_entries_across_tile_boundaries(
    log: Log, holder: SigningKey
) -> None:
    key = log.signer.verifier()
    state = audit(fetch_from(log), log_key=key, state=None).state
    for first, count in [(0, 255), (255, 1), (256, 44), (300, 300), (600, 0)]:
        grow(log, holder, first, count)
        result = audit(fetch_from(log), log_key=key, state=state)
        assert (result.previous_size, result.new_entries) == (state.checkpoint.size, count)
        state = result.state
    assert state.checkpoint.size == 601


def test_state_round_trips_through_json(log: Log, holder: SigningKey) -> None:
    grow(log, holder, 0, 3)
    key = log.signer.verifier()
    state = audit(fetch_from(log), log_key=key, state=None).state
    again = MonitorState.from_json(state.to_json(key), key)
    assert again.checkpoint == state.checkpoint
    assert (
        again.registry.keys == state.registry.keys
        and again.registry.parties == state.registry.parties
    )
    with pytest.raises(MalformedInput, match="written for another log key"):
        MonitorState.from_json(state.to_json(key), Signer.generate(key.name).verifier())


def test_checkpoint_shrunk(log: Log, holder: SigningKey) -> None:
    grow(log, holder, 0, 10)
    older = log.checkpoint()
    grow(log, holder, 10, 10)
    key = log.signer.verifier()
    state = audit(fetch_from(log), log_key=key, state=None).state

    with pytest.raises(
        Misbehaviour, match="shrink: the log's checkpoint has 11 entries, fewer than the 21"
    ) as e:
        audit(fetch_from(log, checkpoint=older.encode()), log_key=key, state=state)
    assert e.value.kind == "shrink"
    assert e.value.evidence == (state.note, older)


def test_checkpoint_forked_root(log: Log, holder: SigningKey) -> None:
    grow(log, holder, 0, 10)
    key = log.signer.verifier()
    state = audit(fetch_from(log), log_key=key, state=None).state
    forked = sign_checkpoint(
        Checkpoint(key.name, 11, hashlib.sha256(b"another history").digest()), log.signer
    )

    with pytest.raises(
        Misbehaviour, match="fork: two checkpoints of size 11 with different roots"
    ) as e:
        audit(fetch_from(log, checkpoint=forked.encode()), log_key=key, state=state)
    assert e.value.evidence == (state.note, forked)


def test_checkpoint_root_not_of_its_entries(log: Log, holder: SigningKey) -> None:
    grow(log, holder, 0, 10)
    key = log.signer.verifier()
    state = audit(fetch_from(log), log_key=key, state=None).state
    grow(log, holder, 10, 290)
    forked = sign_checkpoint(
        Checkpoint(key.name, 300, hashlib.sha256(b"another history").digest()), log.signer
    )

    with pytest.raises(
        Misbehaviour, match="inconsistent: the checkpoint of size 300 has root"
    ) as e:
        audit(fetch_from(log, checkpoint=forked.encode()), log_key=key, state=state)
    assert e.value.evidence == (state.note, forked)


def test_history_rewritten_below_the_old_checkpoint(log: Log, holder: SigningKey) -> None:
    grow(log, holder, 0, 299)
    key = log.signer.verifier()
    state = audit(fetch_from(log), log_key=key, state=None).state
    grow(log, holder, 299, 300)
    # The right edge of the old tree of 300 starts with node (8, 0), read from tile/1/000.
    with pytest.raises(Misbehaviour, match="inconsistent: .* the log rewrote its history"):
        audit(fetch_from(log, tile_1_000_p_2=flip(5)), log_key=key, state=state)


def test_hash_tile_flipped_byte(log: Log, holder: SigningKey) -> None:
    grow(log, holder, 0, 299)
    with pytest.raises(
        Misbehaviour, match="tile_mismatch: hash tile tile/0/000 holds .* at position 3"
    ):
        audit(fetch_from(log, tile_0_000=flip(100)), log_key=log.signer.verifier(), state=None)


def test_entry_bundle_flipped_byte(log: Log, holder: SigningKey) -> None:
    grow(log, holder, 0, 5)
    with pytest.raises(Misbehaviour) as e:
        audit(
            fetch_from(log, tile_entries_000_p_6=flip(40)),
            log_key=log.signer.verifier(),
            state=None,
        )
    assert e.value.kind in ("tile_mismatch", "invalid_statement", "inconsistent")


def test_checkpoint_signed_by_another_key(log: Log, holder: SigningKey) -> None:
    impostor = Signer.generate(log.signer.name)
    note = sign_checkpoint(Checkpoint(log.signer.name, 1, log.root(1)), impostor)
    with pytest.raises(Misbehaviour, match="bad_signature: checkpoint is not signed by"):
        audit(fetch_from(log, checkpoint=note.encode()), log_key=log.signer.verifier(), state=None)


def test_statement_with_a_bad_signature_was_logged(log: Log, holder: SigningKey) -> None:
    # The sequencer trusts admission to check signatures; a log that skips it is caught here.
    good = evidence(holder, 1).to_json()
    forged = parse_statement({**good, "body": {"sha256": "ab" * 32}})
    log.add(forged).result()
    with pytest.raises(
        Misbehaviour, match="invalid_statement: entry 1: statement signature does not verify"
    ):
        audit(fetch_from(log), log_key=log.signer.verifier(), state=None)


def test_statement_breaking_the_rules(log: Log, holder: SigningKey) -> None:
    key = log.signer.verifier()
    state = audit(fetch_from(log), log_key=key, state=None).state
    grow(log, holder, 0, 1)
    # A monitor whose replayed registry lacks the holder sees a statement by an unknown key.
    amnesiac = MonitorState(state.note, state.checkpoint, MemoryRegistry(), state.index)
    with pytest.raises(Misbehaviour, match="rule_violation: entry 1: key.unknown"):
        audit(fetch_from(log), log_key=key, state=amnesiac)


def test_witness_policy_not_met_then_met(log: Log, holder: SigningKey) -> None:
    witness = CosignatureSigner.generate("witness.example/w1")
    policy = WitnessPolicy([witness.verifier()], 1)
    key = log.signer.verifier()
    with pytest.raises(
        Misbehaviour, match="unwitnessed: checkpoint of size 1: 1 of 1 named witnesses"
    ):
        audit(fetch_from(log), log_key=key, state=None, policy=policy)

    note = log.checkpoint()
    cosigned = note + cosign(note.split("\n\n")[0] + "\n", witness, at=1_800_000_000)
    result = audit(
        fetch_from(log, checkpoint=cosigned.encode()), log_key=key, state=None, policy=policy
    )
    assert [name for name, _ in result.cosigned] == ["witness.example/w1"]


# The verifiable index ---------------------------------------------------------


@pytest.fixture
def world(store: Store, log_signer: Signer) -> Iterator[World]:
    """A registry world on a started log."""
    clock = Clock()
    log = Log(store, log_signer, batch_size=32, batch_wait=0.001, now=clock).start()
    yield World(log, clock)
    log.stop()


def resigned(log: Log, extensions: tuple[str, ...]) -> str:
    """Return the log's latest checkpoint signed again by its key with other extension lines."""
    checkpoint = open_checkpoint(log.checkpoint(), log.signer.verifier())[0]
    return sign_checkpoint(replace(checkpoint, extensions=extensions), log.signer)


def test_an_honest_registry_log_raises_nothing(world: World) -> None:
    key = world.log.signer.verifier()
    first = audit(fetch_from(world.log), log_key=key, state=None)
    assert first.indexed and first.state.index
    world.registered_asset()
    second = audit(fetch_from(world.log), log_key=key, state=first.state)
    assert second.indexed and second.new_entries == 3
    assert second.state.index == dict(world.log.store.index_snapshot(-1).leaves)
    again = MonitorState.from_json(second.state.to_json(key), key)
    assert again.index == second.state.index
    # A state kept before monitors kept the index is replayed from entry 0.
    older = MonitorState(second.state.note, second.state.checkpoint, second.state.registry)
    assert audit(fetch_from(world.log), log_key=key, state=older).indexed


def test_checkpoint_with_a_tampered_index_root(world: World) -> None:
    key = world.log.signer.verifier()
    state = audit(fetch_from(world.log), log_key=key, state=None).state
    world.registered_asset()
    lying = resigned(world.log, (index_root_line(hashlib.sha256(b"another index").digest()),))
    with pytest.raises(Misbehaviour, match="index_root_mismatch: the checkpoint of size") as e:
        audit(fetch_from(world.log, checkpoint=lying.encode()), log_key=key, state=state)
    assert e.value.kind == "index_root_mismatch" and e.value.evidence == (lying,)
    # A monitor seeing the log for the first time catches it as well.
    with pytest.raises(Misbehaviour, match="index_root_mismatch"):
        audit(fetch_from(world.log, checkpoint=lying.encode()), log_key=key, state=None)


def test_index_update_dropped_by_the_operator(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = world.log.signer.verifier()
    state = audit(fetch_from(world.log), log_key=key, state=None).state
    original = IndexChanges.add

    def dropping(self: IndexChanges, statement: Statement, **kw: Any) -> None:
        # The operator leaves asset.register out of its index: the certificate goes unlisted.
        if statement.type != "asset.register":
            original(self, statement, **kw)

    monkeypatch.setattr(sequencer_module.IndexChanges, "add", dropping)
    world.registered_asset()
    monkeypatch.undo()
    with pytest.raises(Misbehaviour, match="index_root_mismatch") as e:
        audit(fetch_from(world.log), log_key=key, state=state)
    assert e.value.evidence == (world.log.checkpoint(),)


def test_checkpoint_without_its_index_line(world: World) -> None:
    key = world.log.signer.verifier()
    state = audit(fetch_from(world.log), log_key=key, state=None).state
    world.ok(evidence(world.holder.key, 1))
    bare = resigned(world.log, ())
    with pytest.raises(Misbehaviour, match="index_missing: the checkpoint of size") as e:
        audit(fetch_from(world.log, checkpoint=bare.encode()), log_key=key, state=state)
    assert e.value.kind == "index_missing"
    garbled = resigned(world.log, ("cunzheng-index sha512:AAAA",))
    with pytest.raises(Misbehaviour, match="index_malformed"):
        audit(fetch_from(world.log, checkpoint=garbled.encode()), log_key=key, state=state)
