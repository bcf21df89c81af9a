"""The index's documents as the log keeps them, and the root every checkpoint commits to.

A small registry world walks an asset through its life (application,
registration, a licence, a pledge and its release, a transfer, a new
version) and a party through a key rotation; the documents the log stores
must be exactly those ``ledger.index.entries`` defines, every checkpoint
must commit to their root, and the log must refuse to start on an index
that is not the one it signed.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import orjson
import pytest
from sqlalchemy import create_engine, text

from cunzheng.ledger.canonical import canonical_json
from cunzheng.ledger.errors import LedgerError, NotFound
from cunzheng.ledger.index import (
    SETTINGS_KEY,
    IndexChanges,
    checkpoint_index_root,
    index_changes,
    index_root_line,
    root_of,
    verify_absence,
    verify_presence,
)
from cunzheng.ledger.log import Log
from cunzheng.ledger.monitor import Misbehaviour
from cunzheng.ledger.note import Checkpoint, Signer, open_checkpoint, sign_checkpoint
from cunzheng.ledger.rebuild import rebuild
from cunzheng.ledger.registry import Asset, Effects
from cunzheng.ledger.registry.memory import MemoryRegistry
from cunzheng.ledger.registry.policy import DEFAULT_POLICY, Policy
from cunzheng.ledger.statements import Statement, parse_leaf
from cunzheng.ledger.store import Store
from tests.conftest import evidence, registration
from tests.ledger.registry_world import (
    Actor,
    Clock,
    World,
    application,
    digest,
    event,
    sign,
    when,
)


@pytest.fixture
def world(store: Store, log_signer: Signer) -> Iterator[World]:
    """A registry world on a started log with small batches."""
    clock = Clock()
    log = Log(store, log_signer, batch_size=32, batch_wait=0.001, now=clock).start()
    yield World(log, clock)
    log.stop()


def logged(w: World, statement: Statement) -> int:
    """Log *statement* in *w* and return its index."""
    return w.log.add(statement).result().index


def stored(store: Store) -> dict[str, bytes]:
    """Return every index leaf the store holds."""
    return dict(store.index_snapshot(-1).leaves)


def replayed(store: Store) -> dict[str, bytes]:
    """Return the index leaves made by replaying the store's log through the rules in memory."""
    registry, changes = MemoryRegistry(), IndexChanges(lambda key: None)
    for index, leaf in enumerate(store.leaves(0, store.head().size)):
        statement, logged_at = parse_leaf(leaf)
        effects = registry.add(statement, index=index, logged_at=logged_at)
        changes.add(statement, index=index, effects=effects)
    return changes.changed()


def signed_index_root(log: Log) -> bytes | None:
    """Return the index root the log's latest checkpoint commits to."""
    return checkpoint_index_root(open_checkpoint(log.checkpoint(), log.signer.verifier())[0])


def doc(value: object) -> bytes:
    return canonical_json(value)


def _b64(actor: Actor) -> str:
    return base64.b64encode(bytes(actor.key.verify_key)).decode()


def test_the_documents_of_an_asset_and_its_parties(world: World) -> None:
    w = world
    apply = application(w.holder, w.exchange, "Index story")
    events = [logged(w, apply)]
    asset_id = apply.hash
    until = w.clock.now + timedelta(days=15)
    pub = event(w.exchange, "asset.publicize", asset_id, asset_id, until=when(until))
    events.append(logged(w, pub))
    w.clock.advance(days=15)
    number = f"{w.clock.now:%Y%m}0031{9_000_001:07d}"
    reg = event(
        w.exchange,
        "asset.register",
        asset_id,
        pub.hash,
        certificate=number,
        expires=when(w.clock.now + timedelta(days=365)),
    )
    events.append(logged(w, reg))
    start = w.clock.now
    grant = event(
        w.holder,
        "licence.grant",
        asset_id,
        reg.hash,
        licensee=w.buyer.hex,
        kind="non_exclusive",
        scope=["analytics"],
        territory=["CN-31"],
        start=when(start),
        end=when(start + timedelta(days=30)),
        sublicensing=False,
        fee_terms_sha256=digest("fee"),
    )
    events.append(logged(w, grant))
    events.append(logged(w, sign(w.buyer, "licence.accept", {"licence": grant.hash.hex()})))
    pledge = event(
        w.holder,
        "asset.pledge",
        asset_id,
        grant.hash,
        w.bank,
        pledgee=w.bank.hex,
        terms_sha256=digest("loan"),
    )
    events.append(logged(w, pledge))
    release = event(w.bank, "asset.release", asset_id, pledge.hash)
    events.append(logged(w, release))
    transfer = event(
        w.holder, "asset.transfer", asset_id, release.hash, w.buyer, w.exchange, to=w.buyer.hex
    )
    events.append(logged(w, transfer))
    version = event(
        w.buyer, "asset.version", asset_id, transfer.hash, w.exchange, fingerprint=digest("v2")
    )
    events.append(logged(w, version))
    w.ok(evidence(w.holder.key, 1))  # evidence changes no key
    new_key = Actor("Holder Ltd, new key", "rights_holder")
    rotation = sign(
        w.holder,
        "party.rotate_key",
        {"party": w.holder.hex, "old_key": _b64(w.holder), "new_key": _b64(new_key)},
    )
    rotated = logged(w, rotation)

    leaves = stored(w.log.store)
    a = asset_id.hex()
    assert leaves[f"asset:{a}"] == doc({"events": events})
    assert w.log.store.events_of_asset(asset_id) == events
    assert leaves[f"fingerprint:{digest('dataset Index story')}"] == doc({"assets": [a]})
    assert leaves[f"fingerprint:{digest('v2')}"] == doc({"assets": [a]})
    assert leaves[f"certificate:{number}"] == doc({"asset": a})
    assert leaves[f"holder:{w.holder.hex}"] == doc({"assets": [a]})
    assert leaves[f"holder:{w.buyer.hex}"] == doc({"assets": [a]})
    assert leaves[f"licensee:{w.buyer.hex}"] == doc({"assets": [a]})
    assert leaves[f"pledgee:{w.bank.hex}"] == doc({"assets": [a]})
    holder_registered = w.log.store.party(w.holder.id)
    assert holder_registered is not None
    assert leaves[f"party:{w.holder.hex}"] == doc({"events": [holder_registered.index, rotated]})
    assert f"licensee:{w.holder.hex}" not in leaves and f"pledgee:{w.buyer.hex}" not in leaves

    assert leaves == replayed(w.log.store)
    assert signed_index_root(w.log) == root_of(leaves)


def test_the_log_settings_key_lists_every_settings_entry(world: World) -> None:
    w = world
    # A log that never stated its settings proves that it has none.
    absent = w.log.index_proof(SETTINGS_KEY)
    assert absent.value is None and SETTINGS_KEY not in stored(w.log.store)
    verify_absence(absent.root, SETTINGS_KEY, absent.proof)
    first = logged(w, sign(w.operator, "log.settings", Policy(publicity=timedelta(0)).body()))
    w.ok(evidence(w.holder.key, 1))
    second = logged(w, sign(w.operator, "log.settings", DEFAULT_POLICY.body()))
    leaves = stored(w.log.store)
    assert leaves[SETTINGS_KEY] == doc({"events": [first, second]})
    assert leaves == replayed(w.log.store)
    present = w.log.index_proof(SETTINGS_KEY)
    assert present.value == leaves[SETTINGS_KEY]
    verify_presence(present.root, SETTINGS_KEY, present.value, present.proof)
    assert signed_index_root(w.log) == root_of(leaves)


def test_index_changes_reads_the_effects_once_each() -> None:
    holder = Actor("Holder", "rights_holder")
    party = registration(holder.key)
    effects = Effects(parties=(), keys=())
    assert index_changes(lambda key: None, evidence(holder.key, 1), index=3, effects=effects) == {}
    asset = Asset(b"\x01" * 32, party.hash, b"\x02" * 32, "applied", b"\x01" * 32, b"\x03" * 32, 5)
    apply = Effects(objects=(asset,), assets=(asset.id,))
    first = index_changes(lambda key: None, party, index=5, effects=apply)
    assert first == {
        f"asset:{'01' * 32}": b'{"events":[5]}',
        f"fingerprint:{'03' * 32}": b'{"assets":["' + b"01" * 32 + b'"]}',
        f"holder:{party.hash.hex()}": b'{"assets":["' + b"01" * 32 + b'"]}',
    }
    # The same asset again: its event is new, the holder's and fingerprint's lists do not change.
    again = index_changes(first.get, party, index=6, effects=apply)
    assert again == {f"asset:{'01' * 32}": b'{"events":[5,6]}'}
    # Many statements in a row see each other, and give the same as one at a time.
    changes = IndexChanges(lambda key: None)
    changes.add(party, index=5, effects=apply)
    changes.add(party, index=6, effects=apply)
    assert changes.changed() == {**first, **again}


def test_index_proofs_at_the_latest_checkpoint(world: World) -> None:
    w = world
    key = f"party:{w.holder.hex}"
    answer = w.log.index_proof(key)
    assert answer.tree_size == w.log.size() and answer.checkpoint == w.log.checkpoint()
    assert answer.root == signed_index_root(w.log)
    assert answer.value is not None and orjson.loads(answer.value)["events"]
    verify_presence(answer.root, key, answer.value, answer.proof)
    absent = w.log.index_proof("asset:" + "00" * 32)
    assert absent.value is None
    verify_absence(absent.root, "asset:" + "00" * 32, absent.proof)
    with pytest.raises(NotFound, match="latest checkpoint only"):
        w.log.index_proof(key, size=w.log.size() - 1)


def test_a_restart_checks_the_stored_index_against_the_checkpoint(
    database_url: str, log_signer: Signer
) -> None:
    store = Store.open(database_url)
    clock = Clock()
    first = Log(store, log_signer, batch_wait=0.001, now=clock).start()
    w = World(first, clock)
    w.ok(application(w.holder, w.exchange, "Restart"))
    first.stop()
    # Restarted untouched, it goes on; its next checkpoint still matches the replay.
    again = Log(store, log_signer, batch_wait=0.001, now=clock).start()
    again.add(evidence(w.holder.key, 2)).result()
    again.stop()
    assert signed_index_root(again) == root_of(replayed(store))

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE index_leaves SET value = :v WHERE key = :k"),
            {"v": b'{"assets":[]}', "k": f"holder:{w.holder.hex}"},
        )
    engine.dispose()
    with pytest.raises(LedgerError, match="does not hold the index the log signed"):
        Log(store, log_signer, now=clock).start()
    # Rebuild recomputes the index from the log, whose checkpoints agree with it.
    rebuild(store)
    restarted = Log(store, log_signer, now=clock).start()
    restarted.stop()
    store.close()


def test_a_log_from_before_the_index_commits_to_it_from_the_next_checkpoint(
    database_url: str, log_signer: Signer
) -> None:
    store = Store.open(database_url)
    clock = Clock()
    # Without the index, checkpoints carry no index line and no leaves are stored.
    old = Log(store, log_signer, batch_wait=0.001, index=False, now=clock).start()
    w = World(old, clock)
    w.ok(application(w.holder, w.exchange, "Before the index"))
    old.stop()
    assert signed_index_root(old) is None and store.head().index_size is None

    upgraded = Log(store, log_signer, batch_wait=0.001, now=clock).start()
    assert stored(store) == replayed(store)  # replayed on start
    with pytest.raises(NotFound, match="commits to no index"):
        upgraded.index_proof(f"holder:{w.holder.hex}")
    upgraded.add(evidence(w.holder.key, 3)).result()
    assert signed_index_root(upgraded) == root_of(replayed(store))
    answer = upgraded.index_proof(f"holder:{w.holder.hex}")
    assert answer.value is not None
    verify_presence(answer.root, f"holder:{w.holder.hex}", answer.value, answer.proof)
    upgraded.stop()
    store.close()


def test_two_sequencers_keep_one_index(database_url: str, log_signer: Signer) -> None:
    stores = [Store.open(database_url), Store.open(database_url)]
    a, b = (Log(s, log_signer, batch_size=8, batch_wait=0.001) for s in stores)
    a.start()
    b.start()
    operator = Actor("Operator", "operator")
    a.add(operator.registration()).result()
    actors = [Actor(f"Holder {i}", "rights_holder") for i in range(24)]
    futures = [(a if i % 2 else b).add(actor.registration()) for i, actor in enumerate(actors)]
    for f in futures:
        f.result()
    for i, actor in enumerate(actors[:6]):
        answer = (b if i % 2 else a).index_proof(f"party:{actor.hex}")
        assert answer.value is not None and answer.tree_size == a.size()
        verify_presence(answer.root, f"party:{actor.hex}", answer.value, answer.proof)
    a.stop()
    b.stop()
    assert stored(stores[0]) == replayed(stores[0])
    assert signed_index_root(a) == root_of(replayed(stores[0]))
    for s in stores:
        s.close()


def test_rebuild_raises_the_alarm_on_a_checkpoint_with_another_index_root(
    database_url: str, log_signer: Signer
) -> None:
    store = Store.open(database_url)
    log = Log(store, log_signer, batch_wait=0.001).start()
    log.add(Actor("Operator", "operator").registration()).result()
    log.stop()
    assert rebuild(store) == 1  # an honest log rebuilds without alarm
    before = stored(store)
    size = store.head().size
    checkpoint = open_checkpoint(log.checkpoint(), log_signer.verifier())[0]
    lying = Checkpoint(checkpoint.origin, size, checkpoint.root, (index_root_line(b"\x07" * 32),))
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE checkpoints SET note = :note WHERE size = :size"),
            {"note": sign_checkpoint(lying, log_signer), "size": size},
        )
    engine.dispose()
    with pytest.raises(Misbehaviour, match="index_root_mismatch: the checkpoint of size 1") as e:
        rebuild(store)
    assert e.value.kind == "index_root_mismatch"
    assert stored(store) == before  # nothing written
    store.close()
