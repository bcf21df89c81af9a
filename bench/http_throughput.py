"""Statements per second through HTTP: batch requests to a running ``cunzheng serve``.

The script starts ``python -m cli serve`` on a fresh data directory (SQLite,
or a new PostgreSQL schema with --database-url), registers one submitter
key with it, signs every statement with that key beforehand, and encodes
them as JSON arrays of 1,000, the server's default request limit. Each
round, 3 client threads (--clients) POST those arrays to
``/v1/statements/batch`` until none is left; the figure is the number of
receipts received divided by the round's wall time. The server keeps its
default settings (batch_size 1024, batch_wait 5 ms). Rounds use distinct
statements, so the log grows round by round. Targets: 5,000 statements/s,
and at least 0.5 of the Ed25519 ceiling (verification alone on every core,
measured before each round while the server idles).

The clients run on the same machine as the server and take some of its CPU;
the script reports their share of CPU time, so that cost can be judged.

    python bench/http_throughput.py [--quick] [--clients 3] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import orjson
from figures import median, percentile, rounds_line, target_line
from workload import (
    ceiling_once,
    machine,
    postgres_schema,
    registration,
    signed,
    verify_checks,
)

ROOT = Path(__file__).resolve().parent.parent
TARGET = 5_000
# Of the Ed25519 ceiling (verification alone, every core) measured between the rounds.
RATIO_TARGET = 0.5
PER_REQUEST = 1000


def free_port() -> int:
    """Return a TCP port on loopback that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(
    data_dir: Path, database_url: str | None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Yield the base URL and process of a ``cunzheng serve`` that answers ``/log/info``."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if database_url:
        env["CUNZHENG_DATABASE_URL"] = database_url
    logfile = data_dir.parent / "server.log"
    with open(logfile, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cunzheng.cli",
                "serve",
                "--data-dir",
                str(data_dir),
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, proc, logfile)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_ready(url: str, proc: subprocess.Popen[bytes], logfile: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/log/info", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    raise SystemExit(f"the server did not start:\n{logfile.read_text()}")


def bodies(start: int, count: int) -> list[bytes]:
    """Return *count* request bodies of PER_REQUEST signed statements, numbered from *start*."""
    statements = signed(start, start + count * PER_REQUEST)
    return [
        orjson.dumps([s.to_json() for s in statements[i : i + PER_REQUEST]])
        for i in range(0, len(statements), PER_REQUEST)
    ]


def send_all(url: str, work: list[bytes], clients: int) -> tuple[float, int, list[float]]:
    """POST every body from *clients* threads; return wall time, receipts and latencies."""
    pending: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    for body in work:
        pending.put(body)
    counts: list[int] = []
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=url, timeout=300) as http:
            while True:
                try:
                    body = pending.get_nowait()
                except queue.Empty:
                    return
                t = time.perf_counter()
                r = http.post(
                    "/v1/statements/batch",
                    content=body,
                    headers={"Content-Type": "application/json"},
                )
                elapsed = time.perf_counter() - t
                with lock:
                    if r.status_code != 200:
                        errors.append(f"{r.status_code}: {r.text[:300]}")
                        return
                    counts.append(len(orjson.loads(r.content)["receipts"]))
                    latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"the server refused a batch: {errors[0]}")
    return wall, sum(counts), latencies


def register(url: str) -> None:
    """Register the submitter's key with the log at *url*."""
    r = httpx.post(
        f"{url}/v1/statements",
        content=orjson.dumps(registration().to_json()),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    if r.status_code != 201:
        raise SystemExit(f"the server refused to register the submitter: {r.status_code} {r.text}")


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds process *pid* has used (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="3 rounds of 5 requests instead of 5 of 20"
    )
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument(
        "--requests", type=int, default=None, help="requests of 1,000 statements per round"
    )
    parser.add_argument(
        "--clients", type=int, default=3, help="concurrent client threads (default 3)"
    )
    parser.add_argument(
        "--database-url", default=None, help="serve from a new schema in this PostgreSQL database"
    )
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    requests = args.requests or (5 if args.quick else 20)

    print(f"machine: {machine()}")
    t = time.perf_counter()
    warmup = bodies(0, 2)
    work = [bodies((2 + r * requests) * PER_REQUEST, requests) for r in range(rounds)]
    print(
        f"signed {(2 + rounds * requests) * PER_REQUEST:,} statements "
        f"in {time.perf_counter() - t:.1f} s (not timed)"
    )

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cunzheng-bench-")))
        db = stack.enter_context(postgres_schema(args.database_url)) if args.database_url else None
        url, proc = stack.enter_context(server(tmp / "data", db))
        register(url)
        send_all(url, warmup, args.clients)

        rates, latencies, ceilings = [], [], []
        server_cpu = client_cpu = wall_total = 0.0
        # The server idles between rounds: the ceiling is measured then, once per round.
        checks = verify_checks(signed(0, requests * PER_REQUEST))
        for batch in work:
            ceilings.append(ceiling_once(checks))
            s0, c0 = cpu_seconds(proc.pid), time.process_time()
            wall, receipts, lat = send_all(url, batch, args.clients)
            server_cpu += cpu_seconds(proc.pid) - s0
            client_cpu += time.process_time() - c0
            wall_total += wall
            if receipts != len(batch) * PER_REQUEST:
                raise SystemExit(f"expected {len(batch) * PER_REQUEST} receipts, got {receipts}")
            rates.append(receipts / wall)
            latencies.extend(lat)
        size = httpx.get(f"{url}/log/info").json()["size"]

    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\n{backend}: {rounds} rounds of {requests} requests x {PER_REQUEST} statements, "
        f"{args.clients} client threads; log size at the end {size:,}"
    )
    print(rounds_line("  statements/s (receipts / wall time)", rates, "/s"))
    print(
        f"  request latency (1,000 statements)           p50 {median(latencies) * 1000:,.0f} ms, "
        f"p90 {percentile(latencies, 90) * 1000:,.0f} ms"
    )
    per = rounds * requests
    print(
        f"  CPU seconds per 1,000 statements             server {server_cpu / per:.3f}, "
        f"clients {client_cpu / per:.3f} (wall {wall_total / per:.3f})"
    )
    print(rounds_line("  Ed25519 checks alone (the ceiling), each round", ceilings, "/s"))
    ratios = [r / c for r, c in zip(rates, ceilings, strict=True)]
    print(rounds_line("  ratio to the ceiling", ratios, "", fmt=".2f"))
    print(
        target_line(
            f"  {backend} through HTTP / ceiling",
            median(ratios),
            "",
            RATIO_TARGET,
            at_least=True,
            fmt=".2f",
        )
    )
    print(
        target_line(
            f"  {backend} statements per second through HTTP",
            median(rates),
            "/s",
            TARGET,
            at_least=True,
        )
    )


if __name__ == "__main__":
    main()
