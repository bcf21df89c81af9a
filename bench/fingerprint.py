"""Fingerprint throughput: one large file against raw hashlib, and records per second for CSV.

File: one file of random bytes (1 GiB; 256 MiB with --quick), the same one
``hashing.py`` keeps in the temporary directory, read once so that every
round reads it from the page cache. Each round hashes it with

- ``fingerprint_file(path)`` (ours, as the library runs it),
- ``fingerprint_file(path, progress=...)`` (ours, as ``cunzheng hash`` runs
  it: a progress callback per 1 MiB chunk, silent off a terminal),
- ``hashlib.file_digest(f, "sha256")`` and a plain loop of 1 MiB reads,

in a rotating order, and checks that all agree. Target: ours >= 90% of the
faster hashlib baseline, on medians. Rates are printed by wall clock and by
the process's CPU time: on a shared machine the second is far less noisy,
since hashing a cached file is all CPU (user time for SHA-256, system time
for the copy from the page cache).

Records: a CSV file of N rows (1,000,000; 200,000 with --quick) of four
short fields, about 35 bytes a row, fingerprinted per round unsalted and
salted, beside a loop that only parses it with ``csv.reader`` (the floor for
any record scheme in Python); a JSON Lines file of the same rows likewise.
Printed: median records/s and MB/s.

    python bench/fingerprint.py [--quick] [--rounds 5] [--skip-file] [--skip-records]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from figures import median, rounds_line, target_line
from workload import machine, make_file

from cunzheng.ledger.fingerprint import fingerprint_file, fingerprint_records

TARGET = 0.90
CHUNK = 1 << 20
SALT = hashlib.sha256(b"bench salt").digest()


def make_records(rows: int) -> tuple[Path, Path]:
    """Return a CSV and a JSON Lines file of *rows* rows each, made if missing."""
    base = Path(tempfile.gettempdir()) / f"cunzheng-bench-{rows}-rows"
    paths = base.with_suffix(".csv"), base.with_suffix(".jsonl")
    if not all(p.exists() for p in paths):
        with open(paths[0], "w", newline="", encoding="utf-8") as c, open(paths[1], "w") as j:
            w = csv.writer(c)
            w.writerow(["id", "name", "city", "amount"])
            for i in range(rows):
                w.writerow([i, f"holder {i:07}", "上海", i * 7 % 100_000])
                j.write(
                    f'{{"id":{i},"name":"holder {i:07}","city":"上海","amount":{i * 7 % 100_000}}}\n'
                )
    return paths


def file_rates(path: Path, rounds: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Return MB/s per round of each way of hashing *path*, by wall clock and by CPU time."""
    size = path.stat().st_size

    def ours(p: Path) -> bytes:
        return fingerprint_file(p).root

    def ours_progress(p: Path) -> bytes:
        return fingerprint_file(p, progress=lambda done, total: None).root

    def file_digest(p: Path) -> bytes:
        with open(p, "rb") as f:
            return hashlib.file_digest(f, "sha256").digest()

    def read_loop(p: Path) -> bytes:
        digest = hashlib.sha256()
        with open(p, "rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        return digest.digest()

    methods: list[tuple[str, Callable[[Path], bytes]]] = [
        ("fingerprint_file (ours)", ours),
        ("fingerprint_file + progress (terminal)", ours_progress),
        ("hashlib.file_digest", file_digest),
        ("hashlib read loop", read_loop),
    ]
    wall: dict[str, list[float]] = {name: [] for name, _ in methods}
    cpu: dict[str, list[float]] = {name: [] for name, _ in methods}
    for r in range(rounds):
        order = methods[r % len(methods) :] + methods[: r % len(methods)]
        digests = set()
        for name, fn in order:
            t, c = time.perf_counter(), time.process_time()
            digests.add(fn(path))
            wall[name].append(size / (time.perf_counter() - t) / 1e6)
            cpu[name].append(size / (time.process_time() - c) / 1e6)
        if len(digests) != 1:
            raise SystemExit("the ways of hashing the file disagree")
    return wall, cpu


def record_rates(csv_path: Path, jsonl_path: Path, rounds: int) -> dict[str, list[float]]:
    """Return records/s per round of each record workload."""

    def parse_only(p: Path) -> int:
        with open(p, newline="", encoding="utf-8") as f:
            return sum(1 for row in csv.reader(f) if row)

    methods: list[tuple[str, Callable[[], int]]] = [
        ("csv.reader, parse only", lambda: parse_only(csv_path)),
        ("csv records (ours)", lambda: fingerprint_records(csv_path, "csv").count),
        ("csv records salted", lambda: fingerprint_records(csv_path, "csv", salt=SALT).count),
        ("jsonl records (ours)", lambda: fingerprint_records(jsonl_path, "jsonl").count),
    ]
    rates: dict[str, list[float]] = {name: [] for name, _ in methods}
    for r in range(rounds):
        order = methods[r % len(methods) :] + methods[: r % len(methods)]
        for name, fn in order:
            t = time.perf_counter()
            n = fn()
            rates[name].append(n / (time.perf_counter() - t))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="256 MiB and 200,000 rows")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-file", action="store_true")
    parser.add_argument("--skip-records", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}")

    if not args.skip_file:
        size = (256 if args.quick else 1024) << 20
        path = make_file(size)
        with open(path, "rb") as f:
            while f.read(16 << 20):
                pass
        wall, cpu = file_rates(path, args.rounds)
        print(f"\n{path} ({size >> 20} MiB, page-cached), {args.rounds} rounds, rotating order")
        for clock, rates in (("wall clock", wall), ("CPU time", cpu)):
            print(f"by {clock}:")
            for name, values in rates.items():
                print(rounds_line(f"  {name} MB/s", values, "MB/s"))
            best = max(median(rates["hashlib.file_digest"]), median(rates["hashlib read loop"]))
            for name in ("fingerprint_file (ours)", "fingerprint_file + progress (terminal)"):
                ratio = median(rates[name]) / best * 100
                print(
                    target_line(
                        f"  {name.split(' (')[0]} / best hashlib",
                        ratio,
                        "%",
                        TARGET * 100,
                        at_least=True,
                        fmt=".1f",
                    )
                )

    if not args.skip_records:
        rows = 200_000 if args.quick else 1_000_000
        csv_path, jsonl_path = make_records(rows)
        mb = csv_path.stat().st_size / 1e6
        rates = record_rates(csv_path, jsonl_path, args.rounds)
        print(f"\n{csv_path} ({rows + 1:,} records, {mb:.0f} MB), {args.rounds} rounds")
        for name, values in rates.items():
            print(rounds_line(f"  {name} records/s", values, "rec/s"))
        csv_rate = median(rates["csv records (ours)"])
        print(f"  csv records (ours) MB/s {csv_rate * mb / (rows + 1):>35,.1f} MB/s")


if __name__ == "__main__":
    main()
