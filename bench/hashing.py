"""SHA-256 file hashing throughput of ``ledger.digest.sha256_file`` against plain hashlib.

One file of random bytes (1 GiB; 256 MiB with --quick) is written once to
the temporary directory and kept for later runs, then read once so that
every round reads it from the page cache: the figure is hashing plus copying
from the cache, not the disk. Each round hashes the file with each of

- ``sha256_file(path)`` (ours: 1 MiB ``readinto`` into one reused buffer),
- ``hashlib.file_digest(f, "sha256")`` (the standard library's own loop),
- a plain loop of ``f.read(1 MiB)`` and ``update``,

in a rotating order, and checks that all three agree. The script prints the
median MB/s (10^6 bytes per second) of each and our ratio to each baseline.
Target: ours >= 90% of the baselines.

    python bench/hashing.py [--quick] [--rounds 7]
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Callable
from pathlib import Path

from figures import median, rounds_line, target_line
from workload import machine, make_file

from cunzheng.ledger.digest import sha256_file

TARGET = 0.90
LOOP_CHUNK = 1 << 20


def ours(path: Path) -> bytes:
    """Return the file's SHA-256 through the library."""
    return sha256_file(path)


def file_digest(path: Path) -> bytes:
    """Return the file's SHA-256 through ``hashlib.file_digest``."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").digest()


def read_loop(path: Path) -> bytes:
    """Return the file's SHA-256 through a loop of 1 MiB reads."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(LOOP_CHUNK):
            digest.update(chunk)
    return digest.digest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="256 MiB instead of 1 GiB")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    size = (256 if args.quick else 1024) << 20

    print(f"machine: {machine()}; {hashlib.sha256().name} from {_openssl()}")
    path = make_file(size)
    read_loop(path)
    methods: list[tuple[str, Callable[[Path], bytes]]] = [
        ("sha256_file (ours)", ours),
        ("hashlib.file_digest", file_digest),
        ("hashlib read loop", read_loop),
    ]
    rates: dict[str, list[float]] = {name: [] for name, _ in methods}
    for r in range(args.rounds):
        order = methods[r % len(methods) :] + methods[: r % len(methods)]
        digests = set()
        for name, fn in order:
            t = time.perf_counter()
            digests.add(fn(path))
            rates[name].append(size / (time.perf_counter() - t) / 1e6)
        if len(digests) != 1:
            raise SystemExit("the three ways of hashing the file disagree")

    print(f"\n{path} ({size >> 20} MiB, page-cached), {args.rounds} rounds, rotating order")
    for name, values in rates.items():
        print(rounds_line(f"  {name} MB/s", values, "MB/s"))
    mine = median(rates["sha256_file (ours)"])
    for name in ("hashlib.file_digest", "hashlib read loop"):
        print(
            target_line(
                f"  ours / {name}",
                mine / median(rates[name]) * 100,
                "%",
                TARGET * 100,
                at_least=True,
                fmt=".1f",
            )
        )


def _openssl() -> str:
    import ssl

    return ssl.OPENSSL_VERSION


if __name__ == "__main__":
    main()
