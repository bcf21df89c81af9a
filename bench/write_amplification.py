"""Bytes written to disk per statement logged, against the bytes each entry needs, on SQLite.

A SQLite log is filled through the library (``Log.add_all``, as
``bench/proofs.py`` fills it) to n entries (default 10^6), in steps; at each
step the script reads the bytes this process wrote to disk (``write_bytes``
of ``/proc/self/io``: the WAL, the checkpoints of the WAL into the database,
fsyncs' data) and compares them with the bytes stored: the leaves themselves
(each entry's logged text, what a log must keep). It also prints the
database's size on disk per entry. Target: bytes written per statement <= 5x
the bytes stored, at 10^6.

    python bench/write_amplification.py [--size 1000000] [--steps 4]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from figures import target_line
from proofs import fill_log
from workload import machine, sqlite_version

from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.store import Store

TARGET = 5.0


def written() -> int:
    """Return the bytes this process has caused to be written to storage."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    raise SystemExit("/proc/self/io has no write_bytes: this needs Linux with task I/O accounting")


def on_disk(path: Path) -> int:
    """Return the size of the database with its WAL and shared-memory files."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="entries at the end")
    parser.add_argument("--steps", type=int, default=4, help="steps to print on the way")
    args = parser.parse_args()
    print(f"machine: {machine()}; SQLite {sqlite_version()}")
    print(
        f"{'entries':>10} {'stored B/entry':>15} {'written B/entry':>16} {'ratio':>7} {'db B/entry':>11}"
    )
    with tempfile.TemporaryDirectory(prefix="cunzheng-bench-") as tmp:
        path = Path(tmp) / "log.db"
        store = Store.open(f"sqlite:///{path}")
        log = Log(store, Signer.generate("bench/log")).start()
        done, stored, ratio = 0, 0, 0.0
        try:
            for step in range(1, args.steps + 1):
                stop = args.size * step // args.steps
                before = written()
                fill_log(log, done, stop)
                spent = written() - before
                added = sum(len(leaf) for leaf in store.leaves(done, stop))
                stored += added
                ratio = spent / added
                print(
                    f"{stop:>10,} {added / (stop - done):>15,.0f} {spent / (stop - done):>16,.0f} "
                    f"{ratio:>6.1f}x {on_disk(path) / stop:>11,.0f}"
                )
                done = stop
        finally:
            log.stop()
            store.close()
    print(
        target_line(
            f"written / stored, last step to {args.size:,}",
            ratio,
            "x",
            TARGET,
            at_least=False,
            fmt=".1f",
        )
    )


if __name__ == "__main__":
    main()
