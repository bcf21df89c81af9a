"""Inclusion- and consistency-proof latency at 10^4, 10^5 and 10^6 entries, beside pymerkle.

The log is filled through the library on SQLite: its first entry registers
the submitter's key, and the submitter's pre-signed statements go straight
to ``Log.add_all`` (no admission, so no signature checks while filling), to be
checked against the registry rules and integrated by the sequencer as in
production. pymerkle 7.0.0's
``SqliteTree`` receives the very same leaf bytes, read back from the log, so
both trees have the same root, and the script checks that. SqliteTree is
filled through its bulk path: ``append_entries`` with a list of 100,000
leaves, which hashes them and inserts them with ``executemany`` inside one
transaction per call.

At each size n the script draws random queries, the same for both:
inclusion of leaf i < n in the tree of size n, and consistency from a random
old size to n. Each query is timed on ``Log.inclusion_proof`` /
``Log.consistency_proof`` and on ``SqliteTree.prove_inclusion`` /
``prove_consistency`` after a warm-up of untimed queries (both keep caches:
the log its hash tiles, pymerkle its subtree roots). The implementations
take turns in blocks of 50 queries (``--block``): each answers a block of
queries in a row, as a service answers its stream, then the next answers
the same block. Turns spread the machine's noise over all of them; blocks
keep one implementation's memory traffic from cooling the CPU caches just
before the other's every query, which at a block of 1 made every proof of
ours several times slower than it runs in a service. The very
first query at each size is reported apart as "first". Two more rows give
the uncached costs: the same proofs through a log whose tile cache holds
only 16 tiles, so nearly every proof reads its tiles from SQLite; and
SqliteTree opened with ``disable_cache=True``, which hashes every proof up
from its leaves (O(n) per proof, so only the first 20 queries go to it).

Targets at 10^6: our p50 <= 2 ms, and >= 50x faster than SqliteTree.
--quick stops at 10^5.

    python bench/proofs.py [--quick] [--queries 1000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from figures import median, percentile, target_line
from pymerkle import SqliteTree
from workload import machine, registration, signed_chunks, sqlite_version

from cunzheng.ledger.log import Log, Logged
from cunzheng.ledger.note import Signer
from cunzheng.ledger.store import Store

P50_TARGET_MS = 2.0
RATIO_TARGET = 50.0
# Leaves handed to SqliteTree.append_entries per call: one transaction each.
BULK = 100_000
# SqliteTree with its subtree-root cache off: every proof hashes up from the leaves.
UNCACHED = "SqliteTree, no cache"


@dataclass
class Timings:
    """Latencies in seconds of one kind of proof from one implementation."""

    first: float
    samples: list[float]

    def line(self) -> str:
        """Return "p50 / p90 / p99" in milliseconds."""
        s = self.samples
        return f"{ms(median(s)):>8} {ms(percentile(s, 90)):>8} {ms(percentile(s, 99)):>8}"


def ms(seconds: float) -> str:
    """Return *seconds* as milliseconds with three significant decimals."""
    return f"{seconds * 1000:.3f}"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Return the seconds *fn* took and its result."""
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def fill_log(log: Log, start: int, stop: int) -> float:
    """Grow *log* from *start* to *stop* entries and wait for their commit; return entries/s.

    Entry 0 registers the submitter; entry i > 0 is the submitter's statement number i.
    """
    t = time.perf_counter()
    if start == 0:
        log.add(registration()).result()
    futures = [log.add_all(chunk) for chunk in signed_chunks(max(start, 1), stop)]
    last = futures[-1].result()[-1]
    if not isinstance(last, Logged) or last.index != stop - 1:
        raise SystemExit("the log did not place the statements where expected")
    return (stop - start) / (time.perf_counter() - t)


def fill_tree(tree: SqliteTree, store: Store, start: int, stop: int) -> float:
    """Append the log's leaves [*start*, *stop*) to *tree* in bulk; return appends/s."""
    spent = 0.0
    for lo in range(start, stop, BULK):
        leaves = store.leaves(lo, min(lo + BULK, stop))
        t = time.perf_counter()
        tree.append_entries(leaves)
        spent += time.perf_counter() - t
    if tree.get_size() != stop:
        raise SystemExit(f"SqliteTree holds {tree.get_size()} leaves, not {stop}")
    return (stop - start) / spent


def measure(
    n: int, log: Log, cold: Log, tree: SqliteTree, uncached: SqliteTree, args: argparse.Namespace
) -> dict[str, dict[str, Timings]]:
    """Return the latencies of both kinds of proof at size *n*, by kind and implementation."""
    rng = random.Random(n)
    kinds: dict[str, tuple[Callable[[], int], dict[str, Callable[[int], Any]]]] = {
        "inclusion": (
            lambda: rng.randrange(n),
            {
                "ours": lambda i: log.inclusion_proof(i, n),
                "ours, tiles from SQLite": lambda i: cold.inclusion_proof(i, n),
                "SqliteTree": lambda i: tree.prove_inclusion(i + 1, n),
                UNCACHED: lambda i: uncached.prove_inclusion(i + 1, n),
            },
        ),
        "consistency": (
            lambda: rng.randrange(1, n),
            {
                "ours": lambda m: log.consistency_proof(m, n),
                "ours, tiles from SQLite": lambda m: cold.consistency_proof(m, n),
                "SqliteTree": lambda m: tree.prove_consistency(m, n),
                UNCACHED: lambda m: uncached.prove_consistency(m, n),
            },
        ),
    }
    out: dict[str, dict[str, Timings]] = {}
    for kind, (draw, impls) in kinds.items():
        first = draw()
        firsts = {name: timed(lambda fn=fn, a=first: fn(a))[0] for name, fn in impls.items()}
        for _ in range(args.warmup):
            arg = draw()
            for name, fn in impls.items():
                if name != UNCACHED:
                    fn(arg)
        samples: dict[str, list[float]] = {name: [] for name in impls}
        for start in range(0, args.queries, args.block):
            block = [draw() for _ in range(min(args.block, args.queries - start))]
            results: dict[str, list[Any]] = {}
            for name, fn in impls.items():
                todo = block
                if name == UNCACHED:
                    todo = block[: max(0, args.uncached_queries - len(samples[name]))]
                results[name] = []
                for arg in todo:
                    seconds, result = timed(lambda fn=fn, a=arg: fn(a))
                    samples[name].append(seconds)
                    results[name].append(result)
            if kind == "inclusion":
                for arg, theirs, ours in zip(
                    block, results["SqliteTree"], results["ours"], strict=True
                ):
                    if theirs.path[1:] != ours:
                        raise SystemExit(f"the inclusion proofs of leaf {arg} in tree {n} differ")
        out[kind] = {name: Timings(firsts[name], samples[name]) for name in impls}
    return out


def report(n: int, results: dict[str, dict[str, Timings]]) -> None:
    """Print the latencies at size *n* and the ratio of SqliteTree's p50 to ours."""
    print(
        f"  {'':<12} {'implementation':<28} "
        f"{'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'first ms':>9}"
    )
    for kind, by_impl in results.items():
        for name, t in by_impl.items():
            print(f"  {kind:<12} {name:<28} {t.line()} {ms(t.first):>9}")
        ours = median(by_impl["ours"].samples)
        for name in ("SqliteTree", UNCACHED):
            ratio = median(by_impl[name].samples) / ours
            print(f"  {kind:<12} {name + ' / ours':<28} {ratio:>8.1f}x  (p50 / p50)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="stop at 10^5 entries")
    parser.add_argument("--queries", type=int, default=1000, help="timed queries per kind and size")
    parser.add_argument(
        "--warmup", type=int, default=200, help="untimed queries per kind and size first"
    )
    parser.add_argument(
        "--block",
        type=int,
        default=50,
        help="queries each implementation answers in a row before the next takes its turn",
    )
    parser.add_argument(
        "--uncached-queries",
        type=int,
        default=20,
        help="of the timed queries, how many also go to SqliteTree without its cache",
    )
    args = parser.parse_args()
    sizes = [10_000, 100_000] + ([] if args.quick else [1_000_000])

    print(f"machine: {machine()}; SQLite {sqlite_version()}")
    with tempfile.TemporaryDirectory(prefix="cunzheng-bench-") as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'log.db'}")
        signer = Signer.generate("bench/log")
        log = Log(store, signer).start()
        cold = Log(store, signer, tile_cache=16)
        tree = SqliteTree(str(Path(tmp) / "pymerkle.db"))
        uncached = SqliteTree(str(Path(tmp) / "pymerkle.db"), disable_cache=True)
        final: dict[str, dict[str, Timings]] = {}
        done = 0
        try:
            for n in sizes:
                ours_rate = fill_log(log, done, n)
                theirs_rate = fill_tree(tree, store, done, n)
                done = n
                print(
                    f"\n{n:,} entries (filled at {ours_rate:,.0f}/s through Log.add_all, "
                    f"SqliteTree at {theirs_rate:,.0f}/s through append_entries)"
                )
                final = measure(n, log, cold, tree, uncached, args)
                report(n, final)
                if tree.get_root(n) != log.root(n):
                    raise SystemExit(f"the roots of the two trees of size {n} differ")
        finally:
            log.stop()
            tree.close()
            uncached.close()
            store.close()

    top = sizes[-1]
    print(f"\nat {top:,} entries:")
    for kind, by_impl in final.items():
        ours = median(by_impl["ours"].samples)
        print(
            target_line(
                f"  {kind} proof p50 (ms)",
                ours * 1000,
                "ms",
                P50_TARGET_MS,
                at_least=False,
                fmt=".3f",
            )
        )
        for name in ("SqliteTree", UNCACHED):
            ratio = median(by_impl[name].samples) / ours
            print(
                target_line(
                    f"  {kind}: {name} p50 / ours",
                    ratio,
                    "x",
                    RATIO_TARGET,
                    at_least=True,
                    fmt=".1f",
                )
            )
    if top < 1_000_000:
        print("  (the targets are set at 10^6 entries; run without --quick to measure there)")


if __name__ == "__main__":
    main()
