"""Statements integrated per second through the library, signature checks included.

N statements (100,000; 10,000 with --quick) are signed beforehand by one
submitter key and serialised to their canonical bytes. A round starts a log
on a fresh database and registers the submitter's key (untimed), then times
what a server does with the statements: ``admission.admit_all`` (parse and
check each signature, on the admission thread pool), ``Log.add`` for each,
and waiting until every future has resolved, i.e. until the sequencer has
checked each against the registry rules and committed it. The figure is N
divided by that time; the target is 20,000/s, and at least 0.65 of the
ceiling below, measured in the same round (the ratio is what compares
machines).

Each round also reports its two phases alone (admission, then integration
of already-checked statements), and a pipelined variant admits the same
statements 1,000 at a time, as the batch endpoint receives them, adding each
chunk before admitting the next so the sequencer works while admission runs.

Before the rounds the script measures the ceiling this CPU puts on any
design that checks every signature: libsodium's Ed25519 verification alone,
on one thread per core, with nothing parsed, hashed or stored. The library
rate can approach that figure, never exceed it (decisions/0006).

SQLite always; PostgreSQL as well with --database-url (each round gets a new
schema, dropped afterwards).

Last, the cost of the verifiable index: integration alone (add -> committed,
statements already admitted) with the index and without it (``Log(index=
False)``, which exists for this measurement only), side by side, round by
round, for the evidence workload and for a registry-heavy one
(``registry_workload``: asset applications and licence grants, each changing
three or four index keys). The target is that the index costs at most 15% of
integration throughput. ``--index-only`` runs just this part.

    python bench/integrate.py [--quick] [--index-only] [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from figures import median, rounds_line, target_line
from registry_workload import REGISTERED_AT, BenchClock, RegistryWorkload, registry_workload
from workload import (
    ceiling_once,
    machine,
    postgres_schema,
    registration,
    signed,
    sqlite_version,
    verify_checks,
)

from cunzheng.ledger.admission import admit_all
from cunzheng.ledger.clock import Clock, utc_now
from cunzheng.ledger.log import Log, Logged, Outcome
from cunzheng.ledger.note import Signer
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.store import Store

TARGET = 20_000
# Of the Ed25519 ceiling measured in the same round.
RATIO_TARGET = 0.65
# The most of integration throughput the verifiable index may cost.
INDEX_COST_TARGET = 0.15
# The batch endpoint's limit on statements per request.
REQUEST = 1000


@dataclass(frozen=True)
class Round:
    """The timings of one round, in seconds."""

    admission: float
    integration: float

    @property
    def total(self) -> float:
        """Return the time from the first byte admitted to the last entry committed."""
        return self.admission + self.integration


@contextmanager
def fresh_log(
    database: str,
    *,
    batch_size: int,
    batch_wait: float,
    index: bool = True,
    now: Clock = utc_now,
    setup: Callable[[Log], None] | None = None,
) -> Iterator[Log]:
    """Yield a started log on a new database, set up by *setup* (default: register the submitter)."""
    with _fresh_url(database) as url:
        store = Store.open(url)
        log = Log(
            store,
            Signer.generate("bench/log"),
            batch_size=batch_size,
            batch_wait=batch_wait,
            index=index,
            now=now,
        ).start()
        if setup is None:
            log.add(registration()).result()
        else:
            setup(log)
        try:
            yield log
        finally:
            log.stop()
            store.close()


@contextmanager
def _fresh_url(database: str) -> Iterator[str]:
    if database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="cunzheng-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'log.db'}"
    else:
        with postgres_schema(database) as url:
            yield url


def whole(log: Log, raw: Sequence[bytes]) -> Round:
    """Admit every statement in one call, then add them all and wait for every commit."""
    t0 = time.perf_counter()
    statements = admit_all(raw)
    t1 = time.perf_counter()
    futures = [log.add_all(statements[i : i + REQUEST]) for i in range(0, len(statements), REQUEST)]
    _check(futures, len(raw))
    t2 = time.perf_counter()
    return Round(t1 - t0, t2 - t1)


def pipelined(log: Log, raw: Sequence[bytes]) -> Round:
    """Admit and add REQUEST statements at a time, then wait for every commit."""
    t0 = time.perf_counter()
    futures: list[Future[list[Outcome]]] = []
    for i in range(0, len(raw), REQUEST):
        futures.append(log.add_all(admit_all(raw[i : i + REQUEST])))
    t1 = time.perf_counter()
    _check(futures, len(raw))
    t2 = time.perf_counter()
    return Round(t1 - t0, t2 - t1)


def _check(futures: Sequence[Future[list[Outcome]]], n: int) -> None:
    results = [r for f in futures for r in f.result() if isinstance(r, Logged)]
    if {r.index for r in results} != set(range(1, n + 1)) or any(r.existed for r in results):
        raise SystemExit(f"the log did not place {n} new entries at indexes 1..{n}")


def verification_ceiling(raw: Sequence[bytes], rounds: int) -> float:
    """Print and return the median rate of Ed25519 checks alone, one thread per core."""
    checks = verify_checks(admit_all(raw))
    rates = [ceiling_once(checks) for _ in range(rounds)]
    threads = os.cpu_count() or 1
    print(rounds_line(f"Ed25519 checks alone, {threads} threads (the ceiling)", rates, "/s"))
    return median(rates)


def run(database: str, label: str, raw: Sequence[bytes], args: argparse.Namespace) -> float:
    """Print the rounds of both variants on *database*, each beside the ceiling measured in
    the same round; return the median whole-batch rate."""
    variants: list[tuple[str, Callable[[Log, Sequence[bytes]], Round]]] = [
        ("whole", whole),
        ("pipelined", pipelined),
    ]
    results: dict[str, list[Round]] = {name: [] for name, _ in variants}
    ceilings: list[float] = []
    checks = verify_checks(admit_all(raw))
    for _ in range(args.rounds):
        ceilings.append(ceiling_once(checks))
        for name, fn in variants:
            with fresh_log(database, batch_size=args.batch_size, batch_wait=args.batch_wait) as log:
                results[name].append(fn(log, raw))
    n = len(raw)
    print(
        f"\n{label}: {n:,} statements, batch_size={args.batch_size}, "
        f"batch_wait={args.batch_wait * 1000:g} ms"
    )
    print(rounds_line("  Ed25519 checks alone (the ceiling), this round", ceilings, "/s"))
    for name, rounds in results.items():
        print(
            rounds_line(f"  {name}: statements/s end to end", [n / r.total for r in rounds], "/s")
        )
    whole_rounds = results["whole"]
    print(
        rounds_line(
            "  whole: admission alone (parse + signature)",
            [n / r.admission for r in whole_rounds],
            "/s",
        )
    )
    print(
        rounds_line(
            "  whole: integration alone (add -> committed)",
            [n / r.integration for r in whole_rounds],
            "/s",
        )
    )
    for name, rounds in results.items():
        ratios = [n / r.total / c for r, c in zip(rounds, ceilings, strict=True)]
        print(rounds_line(f"  {name}: ratio to the ceiling", ratios, "", fmt=".2f"))
        print(
            target_line(
                f"  {label} {name}: / ceiling",
                median(ratios),
                "",
                RATIO_TARGET,
                at_least=True,
                fmt=".2f",
            )
        )
    rate = median([n / r.total for r in whole_rounds])
    print(
        target_line(
            f"  {label} statements integrated per second", rate, "/s", TARGET, at_least=True
        )
    )
    return rate


def integrate_only(log: Log, statements: Sequence[Statement]) -> float:
    """Return the rate at which *log* integrates already-admitted *statements*, all accepted."""
    t = time.perf_counter()
    futures = [log.add_all(statements[i : i + REQUEST]) for i in range(0, len(statements), REQUEST)]
    results = [r for f in futures for r in f.result()]
    elapsed = time.perf_counter() - t
    refused = [r for r in results if not isinstance(r, Logged) or r.existed]
    if refused:
        raise SystemExit(f"{len(refused)} statements were not newly logged: {refused[0]}")
    return len(statements) / elapsed


def _set_up_registry(workload: RegistryWorkload, clock: BenchClock) -> Callable[[Log], None]:
    def setup(log: Log) -> None:
        for statements in (workload.before, workload.after):
            if statements is workload.after:
                clock.now = REGISTERED_AT  # publicity is over: register, then the timed part
            outcomes = log.add_all(statements).result()
            refused = [o for o in outcomes if not isinstance(o, Logged)]
            if refused:
                raise SystemExit(f"setting up the registry world failed: {refused[0]}")

    return setup


def index_cost(
    database: str,
    label: str,
    evidence: Sequence[Statement],
    workload: RegistryWorkload,
    args: argparse.Namespace,
) -> None:
    """Print integration rates with the index and without it, for both workloads, side by side."""
    n = len(evidence)
    print(
        f"\n{label}: the verifiable index's cost, integration alone (add -> committed), "
        f"{n:,} statements a round, batch_size={args.batch_size}"
    )
    for name in ("evidence", "registry"):
        rates: dict[bool, list[float]] = {True: [], False: []}
        for n_round in range(args.rounds):
            # Alternate which goes first: on this machine the first log of a pair is
            # sometimes a third slower whichever it is, so a fixed order biases the ratio.
            for index in (True, False) if n_round % 2 == 0 else (False, True):
                if name == "evidence":
                    kw: dict[str, object] = {}
                    statements = evidence
                else:
                    clock = BenchClock()
                    kw = {"now": clock, "setup": _set_up_registry(workload, clock)}
                    statements = workload.timed
                with fresh_log(
                    database,
                    batch_size=args.batch_size,
                    batch_wait=args.batch_wait,
                    index=index,
                    **kw,  # type: ignore[arg-type]
                ) as log:
                    rates[index].append(integrate_only(log, statements))
        print(rounds_line(f"  {name}: with the index", rates[True], "/s"))
        print(rounds_line(f"  {name}: without the index", rates[False], "/s"))
        cost = 1 - median(rates[True]) / median(rates[False])
        verdict = "met" if cost <= INDEX_COST_TARGET else "NOT met"
        print(
            f"  {name}: the index costs {cost:.1%} of integration throughput "
            f"(target <= {INDEX_COST_TARGET:.0%}: {verdict})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 statements instead of 100,000")
    parser.add_argument("-n", type=int, default=None, help="statements per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--batch-size", type=int, default=1024, help="the sequencer's batch size (default 1024)"
    )
    parser.add_argument(
        "--batch-wait", type=float, default=0.005, help="the sequencer's batch wait, seconds"
    )
    parser.add_argument("--database-url", default=None, help="also run on this PostgreSQL database")
    parser.add_argument(
        "--index-only", action="store_true", help="measure only what the verifiable index costs"
    )
    args = parser.parse_args()
    n = args.n or (10_000 if args.quick else 100_000)

    print(f"machine: {machine()}; SQLite {sqlite_version()}")
    t = time.perf_counter()
    raw = [s.canonical for s in signed(0, n)]
    warmup = [s.canonical for s in signed(n, n + 2 * REQUEST)]
    print(f"signed {n:,} statements in {time.perf_counter() - t:.1f} s (not timed below)")
    with fresh_log("sqlite", batch_size=args.batch_size, batch_wait=args.batch_wait) as log:
        whole(log, warmup)

    if not args.index_only:
        verification_ceiling(raw, args.rounds)
        run("sqlite", "SQLite", raw, args)
        if args.database_url:
            run(args.database_url, "PostgreSQL", raw, args)
    t = time.perf_counter()
    workload = registry_workload(n)
    print(f"signed the registry workload in {time.perf_counter() - t:.1f} s (not timed)")
    evidence = admit_all(raw)
    index_cost("sqlite", "SQLite", evidence, workload, args)
    if args.database_url:
        index_cost(args.database_url, "PostgreSQL", evidence, workload, args)


if __name__ == "__main__":
    main()
