"""Index proofs as a court's bundle gets them: ``LogReader.index_proof`` on a real log.

The script builds a SQLite log through the sequencer: the registry's parties,
--assets asset applications (each sets three index keys: the asset, its
fingerprint and its holder's list), then evidence entries until the log has
--entries entries. Then, with the reader warmed by one query, it measures
over --queries random keys:

- ``index_proof`` for assets that are in the index (presence) and for ids
  that are not (absence): p50, p90, p99;
- ``verify_presence`` of the returned proof against the checkpoint's root, as
  the offline verifier does;
- the proof's size: sibling hashes and its canonical JSON in a bundle.

Target (the index issue): p50 <= 1 ms warm at 10^5 assets in a log of 10^6
entries. --quick: 10^4 assets in a log of 10^5.

    python bench/index_reader.py [--quick] [--assets 100000] [--entries 1000000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from figures import percentile
from registry_workload import _application, _Party
from workload import machine

from cunzheng.ledger.canonical import canonical_json
from cunzheng.ledger.index import proof_json, verify_presence
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.statements import Statement, sign_statement
from cunzheng.ledger.store import Store

SIGNED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHUNK = 2_000


def _log_all(log: Log, statements: list[Statement]) -> None:
    for start in range(0, len(statements), CHUNK):
        outcomes = log.add_all(statements[start : start + CHUNK]).result()
        refused = [o for o in outcomes if isinstance(o, BaseException)]
        if refused:
            raise SystemExit(f"the log refused a set-up statement: {refused[0]}")


def _evidence(key: _Party, n: int) -> Statement:
    digest = hashlib.sha256(f"evidence {n}".encode()).hexdigest()
    return sign_statement(
        type="evidence.timestamp", body={"sha256": digest}, key=key.key, signed_at=SIGNED_AT
    )


def build(directory: Path, assets: int, entries: int) -> tuple[Log, list[str]]:
    """Return a started log with *assets* applications in *entries* entries, and the asset keys."""
    store = Store.open(f"sqlite:///{directory / 'log.db'}")
    log = Log(store, Signer.generate("bench.example/index"), batch_size=CHUNK, batch_wait=0.01)
    log.start()
    operator = _Party("Operator", "operator")
    exchange = _Party("Exchange", "exchange")
    holders = [_Party(f"Holder {i}", "rights_holder") for i in range(100)]
    _log_all(log, [operator.register(), exchange.register(operator)])
    _log_all(log, [h.register() for h in holders])
    started = time.perf_counter()
    keys = []
    for start in range(0, assets, CHUNK):
        batch = [
            _application(holders[i % len(holders)], exchange, f"index bench {i}")
            for i in range(start, min(start + CHUNK, assets))
        ]
        keys += [f"asset:{s.hash.hex()}" for s in batch]
        _log_all(log, batch)
    print(f"  {assets:,} applications logged in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    n = 0
    while log.size() < entries:
        want = min(CHUNK, entries - log.size())
        _log_all(log, [_evidence(holders[0], n + i) for i in range(want)])
        n += want
    print(f"  {n:,} evidence entries logged in {time.perf_counter() - started:.1f} s")
    return log, keys


def timed_proofs(log: Log, keys: list[str]) -> tuple[list[float], list[float], list[int]]:
    """Return index_proof and verify times in seconds, and proof sizes in bytes of JSON."""
    proving, verifying, sizes = [], [], []
    for key in keys:
        t0 = time.perf_counter()
        answer = log.index_proof(key)
        t1 = time.perf_counter()
        if answer.value is not None:
            verify_presence(answer.root, key, answer.value, answer.proof)
            verifying.append(time.perf_counter() - t1)
        proving.append(t1 - t0)
        sizes.append(len(canonical_json(proof_json(answer.proof))))
    return proving, verifying, sizes


def line(name: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (
        f"  {name:<34} p50 {percentile(ms, 50):.3f} ms   p90 {percentile(ms, 90):.3f} ms"
        f"   p99 {percentile(ms, 99):.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10^4 assets in a log of 10^5")
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    if args.quick:
        args.assets, args.entries = 10_000, 100_000
    print(machine())
    print(f"index proofs through LogReader: {args.assets:,} assets, {args.entries:,} entries")
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        log, keys = build(Path(tmp), args.assets, args.entries)
        try:
            print(f"  log size {log.size():,}")
            log.index_proof(keys[0])  # warm: the reader catches its index up once
            present = [rng.choice(keys) for _ in range(args.queries)]
            absent = [f"asset:{rng.randbytes(32).hex()}" for _ in range(args.queries)]
            proving, verifying, sizes = timed_proofs(log, present)
            absent_proving, _, absent_sizes = timed_proofs(log, absent)
            print(line("index_proof, present key", proving))
            print(line("index_proof, absent key", absent_proving))
            print(line("verify_presence (offline)", verifying))
            print(
                f"  proof JSON in a bundle: median {percentile(sizes, 50):.0f} bytes present, "
                f"{percentile(absent_sizes, 50):.0f} bytes absent"
            )
            p50 = percentile([s * 1000 for s in proving], 50)
            verdict = "PASS" if p50 <= 1.0 else "MISS"
            print(f"  target: index_proof p50 <= 1 ms warm: {p50:.3f} ms  {verdict}")
        finally:
            log.stop()
            log.store.close()


if __name__ == "__main__":
    main()
