"""The verifiable index's sparse Merkle tree: build, incremental update, proofs, memory.

The index is filled with --keys keys ``asset:<64 hex>``, each mapped to a
canonical-JSON leaf document of about 180 bytes (a head hash, a holder and a
count), made before any clock runs. The script measures:

- building from scratch: ``IndexTree(items)`` (hashes kept for proofs) and
  ``root_of(items)`` (root only, as a monitor recomputes it);
- the resident memory of the process before and after building the tree, so
  the difference is what the tree costs beyond the keys and values themselves;
- incremental updates: the wall time of ``update`` with a batch of --batch
  writes followed by ``root()``, for new values of existing keys, new keys,
  and deletions (median of --rounds rounds, a fresh random batch each);
- ``prove`` and ``verify_presence`` (and ``verify_absence`` for absent keys)
  latency over --queries random keys after an untimed warm-up (p50, p90, p99);
- proof size: the hashes a proof carries, its compact binary size (32 bytes a
  sibling plus the bitmap, plus depth and kind bytes) and its canonical JSON.

Targets: update of 1,000 keys in a tree of 5x10^5 <= 50 ms ("tens of ms");
prove and verify p50 <= 1 ms. Building and memory are reported, not targeted.
--quick uses 5x10^4 keys.

    python bench/index.py [--quick] [--keys 500000] [--batch 1000] [--rounds 7] [--queries 2000]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import random
import time
from collections.abc import Callable
from pathlib import Path

from figures import median, percentile, rounds_line, target_line
from workload import machine

from cunzheng.ledger.canonical import canonical_json
from cunzheng.ledger.index import (
    IndexTree,
    proof_json,
    root_of,
    verify_absence,
    verify_presence,
)

UPDATE_TARGET_MS = 50.0
PROOF_TARGET_MS = 1.0


def rss_mib() -> float:
    """Return this process's resident set size in MiB (Linux), or 0 where unknown."""
    statm = Path("/proc/self/statm")
    if not statm.exists():
        return 0.0
    pages = int(statm.read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


def key(i: int) -> str:
    return "asset:" + hashlib.sha256(b"bench asset %d" % i).hexdigest()


def document(i: int, version: int = 0) -> bytes:
    head = hashlib.sha256(b"head %d %d" % (i, version)).hexdigest()
    body = {"head": head, "holder": f"party:{i % 9973}", "events": version + 1}
    # An exact-size copy: orjson's bytes sit in 4 KiB buffers, which would make the
    # workload itself 2 GiB at 5x10^5 keys (IndexTree copies what it keeps anyway).
    return bytes(memoryview(canonical_json(body)))


def timed(fn: Callable[[], object]) -> float:
    """Return the wall time of one call of *fn* in milliseconds."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def latency(name: str, samples: list[float], *, target: float | None) -> None:
    p50 = percentile(samples, 50)
    tail = f"p90 {percentile(samples, 90):.3f}  p99 {percentile(samples, 99):.3f} ms"
    if target is None:
        print(f"{name:<44} {p50:>12.3f} ms     {tail}")
    else:
        print(target_line(name, p50, "ms", target, at_least=False, fmt=".3f") + f"  {tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5x10^4 keys")
    parser.add_argument("--keys", type=int, default=500_000)
    parser.add_argument("--batch", type=int, default=1_000, help="writes per update")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    n = 50_000 if args.quick else args.keys
    rnd = random.Random(9162)

    print(machine())
    print(f"index of {n:,} keys; batches of {args.batch:,} writes")
    items = [(key(i), document(i)) for i in range(n)]
    gc.collect()
    before = rss_mib()

    start = time.perf_counter()
    tree = IndexTree(items)
    build_s = time.perf_counter() - start
    gc.collect()
    after = rss_mib()
    print(
        f"{'build IndexTree(items) from scratch':<44} {build_s:>12.2f} s      {n / build_s:,.0f} keys/s"
    )
    start = time.perf_counter()
    root = root_of(items)
    print(f"{'root_of(items) from scratch':<44} {time.perf_counter() - start:>12.2f} s")
    assert root == tree.root()
    print(f"{'RSS with keys and values only':<44} {before:>12,.0f} MiB")
    print(
        f"{'RSS with the tree':<44} {after:>12,.0f} MiB    the tree: {after - before:,.0f} MiB,"
        f" {(after - before) * (1 << 20) / n:,.0f} bytes a key"
    )

    updates, inserts, deletes = [], [], []
    fresh = n
    for version in range(1, args.rounds + 1):
        chosen = rnd.sample(range(n), args.batch)
        batch = [(key(i), document(i, version)) for i in chosen]
        updates.append(timed(lambda b=batch: (tree.update(b), tree.root())))
        added = [(key(i), document(i)) for i in range(fresh, fresh + args.batch)]
        fresh += args.batch
        inserts.append(timed(lambda b=added: (tree.update(b), tree.root())))
        removed: list[tuple[str, bytes | None]] = [(k, None) for k, _ in added]
        deletes.append(timed(lambda b=removed: (tree.update(b), tree.root())))
    for name, samples in [("new values", updates), ("new keys", inserts), ("deletions", deletes)]:
        label = f"update {args.batch:,} {name} + root"
        print(
            target_line(label, median(samples), "ms", UPDATE_TARGET_MS, at_least=False, fmt=".1f")
        )
        print(rounds_line("  rounds", samples, "ms", fmt=".1f"))
    assert tree.root() == root_of(tree.items()), "incremental root differs from a rebuild"

    present = [k for k, _ in rnd.sample(items, min(args.queries, n))]
    absent = [key(i) for i in range(fresh, fresh + args.queries)]
    root = tree.root()
    for k in present[:200]:  # warm-up
        tree.prove(k)
    proofs, prove_ms, verify_ms = [], [], []
    for k in present:
        start = time.perf_counter()
        proof = tree.prove(k)
        mid = time.perf_counter()
        verify_presence(root, k, tree.get(k) or b"", proof)
        prove_ms.append((mid - start) * 1000)
        verify_ms.append((time.perf_counter() - mid) * 1000)
        proofs.append(proof)
    absent_prove, absent_verify = [], []
    for k in absent:
        start = time.perf_counter()
        proof = tree.prove(k)
        mid = time.perf_counter()
        verify_absence(root, k, proof)
        absent_prove.append((mid - start) * 1000)
        absent_verify.append((time.perf_counter() - mid) * 1000)
    latency("prove (present key)", prove_ms, target=PROOF_TARGET_MS)
    latency("verify_presence", verify_ms, target=PROOF_TARGET_MS)
    latency("prove (absent key)", absent_prove, target=None)
    latency("verify_absence", absent_verify, target=None)

    hashes = [len(p.siblings) for p in proofs]
    binary = [32 * len(p.siblings) + len(p.empty_bitmap) + 2 for p in proofs]
    json_sizes = [len(canonical_json(proof_json(p))) for p in proofs]
    depths = [p.depth for p in proofs]
    print(
        f"{'proof: sibling hashes':<44} {median(hashes):>12.0f}        max {max(hashes)}"
        f"  (depth median {median(depths):.0f}, max {max(depths)})"
    )
    print(
        f"{'proof: compact binary bytes':<44} {median(binary):>12,.0f} B      max {max(binary):,}"
    )
    print(
        f"{'proof: canonical JSON bytes (with the key)':<44} {median(json_sizes):>12,.0f} B      max {max(json_sizes):,}"
    )


if __name__ == "__main__":
    main()
