"""Whole-process start-up of the ``cunzheng`` command, and ``cunzheng hash`` of a large file.

Each figure is the median wall time of a fresh process, started the way a
user starts it (the ``cunzheng`` console script of this virtualenv), over
``--runs`` runs taken in turns so that a busy moment of the machine hits
every command alike:

- the baseline, ``python -c 'import cryptography, nacl'`` (the interpreter
  and the two libraries no command can do without),
- ``cunzheng --help``, ``cunzheng verify --help`` and ``cunzheng hash`` of a
  small file, each printed beside the baseline with the difference.
  Target: each within 0.15 s of the baseline.

Then ``cunzheng hash`` of one file of random bytes (1 GiB; ``--big-mib``
changes it), read once beforehand so that every run reads it from the page
cache, against a plain ``hashlib`` script that reads it in 1 MiB chunks,
each in a fresh process, ``--big-runs`` runs in turns. The ratio is the
plain script's time over ours. Target: >= 0.9.

    python bench/cli_startup.py [--runs 15] [--big-mib 1024] [--big-runs 5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from figures import median, target_line
from workload import machine, make_file

STARTUP_TARGET = 0.15
HASH_TARGET = 0.90

PLAIN_HASH = """
import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    while chunk := f.read(1 << 20):
        h.update(chunk)
print(h.hexdigest(), sys.argv[1])
"""


def timed(argv: list[str]) -> float:
    """Return the wall time in seconds of running *argv* to completion (output discarded)."""
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def in_turns(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Return each command's wall times over *runs* rounds, the order rotating every round."""
    names = list(commands)
    times: dict[str, list[float]] = {name: [] for name in names}
    for name in names:  # one unmeasured run each: the page cache and .pyc files
        timed(commands[name])
    for r in range(runs):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            times[name].append(timed(commands[name]))
    return times


def main() -> None:
    """Measure and print the start-up table and the large-file hashing ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per start-up command")
    parser.add_argument(
        "--big-mib", type=int, default=1024, help="size of the large file in MiB (multiple of 16)"
    )
    parser.add_argument("--big-runs", type=int, default=5, help="runs per large-file hash")
    args = parser.parse_args()
    if args.big_mib < 16 or args.big_mib % 16:
        parser.error("--big-mib must be a positive multiple of 16")

    cunzheng = str(Path(sys.executable).parent / "cunzheng")
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.txt"
        small.write_bytes(b"a small file\n")
        commands = {
            "baseline: python -c 'import cryptography, nacl'": [
                sys.executable,
                "-c",
                "import cryptography, nacl",
            ],
            "cunzheng --help": [cunzheng, "--help"],
            "cunzheng verify --help": [cunzheng, "verify", "--help"],
            "cunzheng hash SMALLFILE": [cunzheng, "hash", str(small)],
        }
        times = in_turns(commands, args.runs)
    medians = {name: median(t) for name, t in times.items()}
    base_name = next(iter(commands))
    base = medians[base_name]
    print(f"\nwhole-process wall time, median of {args.runs} runs in turns")
    print(f"{'command':<50} {'median s':>9} {'- base s':>9}")
    for name, value in medians.items():
        diff = "" if name == base_name else f"{value - base:+9.3f}"
        print(f"{name:<50} {value:9.3f} {diff:>9}")
    print()
    for name, value in medians.items():
        if name != base_name:
            print(
                target_line(
                    f"{name} - baseline",
                    value - base,
                    "s",
                    STARTUP_TARGET,
                    at_least=False,
                    fmt=".3f",
                )
            )

    big = make_file(args.big_mib << 20)
    with open(big, "rb") as f:  # into the page cache
        while f.read(16 << 20):
            pass
    hashing = in_turns(
        {
            "plain hashlib script": [sys.executable, "-c", PLAIN_HASH, str(big)],
            "cunzheng hash": [cunzheng, "hash", str(big)],
        },
        args.big_runs,
    )
    plain, ours = median(hashing["plain hashlib script"]), median(hashing["cunzheng hash"])
    print(f"\nhashing {args.big_mib} MiB, whole process, median of {args.big_runs} runs in turns")
    print(f"{'plain hashlib script':<50} {plain:9.3f} s")
    print(f"{'cunzheng hash':<50} {ours:9.3f} s")
    print(
        target_line(
            "ratio plain / cunzheng hash", plain / ours, "x", HASH_TARGET, at_least=True, fmt=".3f"
        )
    )


if __name__ == "__main__":
    main()
