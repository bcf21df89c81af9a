"""Inclusion proofs from the first query after a restart: with the tile cache warmed at start, and without.

A SQLite log is filled to n entries (default 10^6) through the library, as
``bench/proofs.py`` fills it, and closed. It is then opened again two
ways, each a fresh ``Store`` and ``CommittedTree`` as ``cunzheng serve``
builds them on start:

- **cold**: the default cache (4,096 tiles), not warmed: the first proofs
  read their tiles from SQLite;
- **warmed**: ``CommittedTree.warm`` at start, as the service does before
  ``/readyz`` says it is ready (its time is printed): every proof reads
  memory from the first on.

Each answers the same random queries (inclusion of leaf i in the tree of
size n) from the first on; the figures are p50, p90 and p99 over all of
them, the first query apart. Target: p50 <= 0.1 ms from the first query
after a restart, at 10^6.

    python bench/proofs_restart.py [--size 1000000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from figures import median, percentile, target_line
from proofs import fill_log, ms
from workload import machine, sqlite_version

from cunzheng.ledger.committed import CommittedTree
from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.store import Store

P50_TARGET_MS = 0.1


def restart(
    path: Path, signer: Signer, *, warm_limit: int | None
) -> tuple[Store, LogReader, float]:
    """Open the log at *path* as a fresh process would; return it and how long warming took."""
    store = Store.open(f"sqlite:///{path}")
    tree = CommittedTree(store.read_tiles)
    reader = LogReader(store, signer.verifier(), tree)
    t = time.perf_counter()
    if warm_limit is not None:
        tree.warm(reader.size(), limit=warm_limit)
    return store, reader, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="entries in the log")
    parser.add_argument("--queries", type=int, default=2000, help="queries after each restart")
    args = parser.parse_args()
    n = args.size
    rng = random.Random(20261130)
    queries = [rng.randrange(n) for _ in range(args.queries)]

    print(f"machine: {machine()}; SQLite {sqlite_version()}")
    with tempfile.TemporaryDirectory(prefix="cunzheng-bench-") as tmp:
        path = Path(tmp) / "log.db"
        signer = Signer.generate("bench/log")
        store = Store.open(f"sqlite:///{path}")
        log = Log(store, signer).start()
        try:
            rate = fill_log(log, 0, n)
        finally:
            log.stop()
            store.close()
        print(
            f"{n:,} entries, filled at {rate:,.0f}/s; {args.queries:,} inclusion proofs after each restart"
        )
        print(
            f"{'after a restart':<26} {'warm-up':>9} {'first':>8} {'p50':>8} {'p90':>8} {'p99':>8}  (ms)"
        )
        p50s = {}
        for name, limit in (
            ("cold (cache 4,096)", None),
            ("warmed", 65_536),
            ("warmed, limit 1,024", 1_024),
        ):
            store, reader, warming = restart(path, signer, warm_limit=limit)
            try:
                samples = []
                for i in queries:
                    t = time.perf_counter()
                    reader.inclusion_proof(i, n)
                    samples.append(time.perf_counter() - t)
            finally:
                store.close()
            p50s[name] = median(samples)
            print(
                f"{name:<26} {warming:>8.2f}s {ms(samples[0]):>8} {ms(median(samples)):>8} "
                f"{ms(percentile(samples, 90)):>8} {ms(percentile(samples, 99)):>8}"
            )
        p50 = p50s["warmed"] * 1000
        print(
            target_line(
                "p50 after a restart, warmed", p50, "ms", P50_TARGET_MS, at_least=False, fmt=".3f"
            )
        )


if __name__ == "__main__":
    main()
