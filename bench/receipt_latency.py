"""Receipt latency of single-statement requests offered open-loop at a fixed rate.

The script starts ``python -m cunzheng.cli serve`` on a fresh data directory
(SQLite, or a new PostgreSQL schema with --database-url), registers one
submitter key with it and signs every statement with that key beforehand.
Then it offers one ``POST /v1/statements`` of one statement every 1/rate
seconds (--rate, default 1,000/s) for --seconds (default 30), open-loop: a
request is sent at its scheduled time whether or not earlier ones have been
answered, over as many keep-alive connections as are needed (--connections
at most). A request's latency runs from its scheduled send time, not the
moment it left, to its receipt (HTTP 200 or 201 with the receipt in the
body), so that a server or a client that falls behind cannot hide the wait
it caused (coordinated omission). A request that is refused, fails or gets
no answer within --timeout seconds of leaving counts as an error, and as never
answered in the percentiles. The server keeps its default settings (batch_size 1024,
batch_wait 5 ms). Target: p99 <= 250 ms at 1,000 statements/s.

The client is a few lines of HTTP/1.1 on asyncio streams, each of its
--connections workers (default 256) keeping one connection alive and taking
the next request due; httpx's AsyncClient, tried first, spent so much CPU a
request that it fell behind the schedule by itself. Beyond that many requests
in flight, a request waits in the client for a free connection, and its
latency counts the wait.

The client runs on the same machine as the server and takes some of its CPU;
the script reports both processes' CPU time over the run, and the server's
busiest threads, so that a reader sees how busy the machine was.

    python bench/receipt_latency.py [--quick] [--rate 1000] [--seconds 30] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
from figures import percentile, target_line
from http_throughput import cpu_seconds, register, server
from workload import machine, postgres_schema, signed

TARGET_MS = 250.0
WARMUP_SECONDS = 2.0


@dataclass
class Run:
    """What one open-loop run offered and got back."""

    offered: int = 0
    # Seconds from each request's scheduled send time to its receipt; inf if it got none.
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    first_error: dict[str, str] = field(default_factory=dict)
    # How long after its scheduled time the client sent its most delayed request.
    send_lag: float = 0.0
    # From the first scheduled send to the last answer.
    wall: float = 0.0

    @property
    def receipts(self) -> int:
        return sum(1 for t in self.latencies if math.isfinite(t))

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        self.first_error.setdefault(kind, detail)


def _head(host: str, port: int, length: int) -> bytes:
    return (
        f"POST /v1/statements HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Read one HTTP/1.1 response; return its status, body and whether the server closes."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, closes = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            closes = value.strip().lower() == b"close"
        elif name == b"transfer-encoding":
            raise ValueError(f"a response with Transfer-Encoding {value.strip().decode()}")
    return status, await reader.readexactly(length), closes


async def offer(
    url: str, bodies: list[bytes], rate: float, *, connections: int, timeout: float
) -> Run:
    """POST each of *bodies* to ``/v1/statements`` at its scheduled time, *rate* a second.

    *connections* workers each keep one connection open and take the next
    request due from a queue; a request waiting for a free worker is late, and
    its latency says so.
    """
    run = Run(offered=len(bodies))
    parsed = httpx.URL(url)
    host, port = parsed.host, parsed.port or 80
    jobs: asyncio.Queue[tuple[bytes, float] | None] = asyncio.Queue()

    def failed(kind: str, detail: str) -> None:
        run.latencies.append(math.inf)
        run.error(kind, detail)

    async def exchange(
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], body: bytes, scheduled: float
    ) -> tuple[int, bytes, bool]:
        reader, writer = conn
        run.send_lag = max(run.send_lag, time.perf_counter() - scheduled)
        writer.write(_head(host, port, len(body)) + body)
        return await _answer(reader)

    async def worker() -> None:
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while (job := await jobs.get()) is not None:
            body, scheduled = job
            try:
                if conn is None:
                    conn = await asyncio.open_connection(host, port)
                status, payload, closes = await asyncio.wait_for(
                    exchange(conn, body, scheduled), timeout
                )
            except TimeoutError:
                failed("timeout", f"no answer within {timeout:g} s of sending the request")
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
                failed(type(e).__name__, repr(e))
            except ValueError as e:
                failed("unreadable answer", str(e))
            else:
                done = time.perf_counter()
                if status not in (200, 201):
                    failed(f"HTTP {status}", payload[:300].decode(errors="replace"))
                elif not _is_receipt(payload):
                    failed("no receipt in a 2xx answer", payload[:300].decode(errors="replace"))
                else:
                    run.latencies.append(done - scheduled)
                if not closes:
                    continue
            if conn is not None:  # failed or closed by the server: a new one for the next
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    t0 = time.perf_counter()
    for i, body in enumerate(bodies):
        scheduled = t0 + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        jobs.put_nowait((body, scheduled))
    for _ in workers:
        jobs.put_nowait(None)
    await asyncio.gather(*workers)
    run.wall = time.perf_counter() - t0
    return run


def _is_receipt(payload: bytes) -> bool:
    try:
        doc = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return False
    return isinstance(doc, dict) and isinstance(doc.get("index"), int) and "checkpoint" in doc


def thread_cpu(pid: int) -> dict[int, float]:
    """Return the CPU seconds each thread of process *pid* has used, by thread id (Linux)."""
    seconds = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # the thread ended
            continue
        seconds[int(task.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def ms(seconds: float) -> str:
    return "never" if math.isinf(seconds) else f"{seconds * 1000:,.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 seconds instead of 30")
    parser.add_argument(
        "--rate", type=float, default=1000.0, help="requests offered a second (default 1,000)"
    )
    parser.add_argument("--seconds", type=float, default=None, help="length of the measured run")
    parser.add_argument(
        "--connections",
        type=int,
        default=256,
        help="most keep-alive connections open at once (default 256)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds from sending a request to its answer before it counts as failed",
    )
    parser.add_argument(
        "--database-url", default=None, help="serve from a new schema in this PostgreSQL database"
    )
    args = parser.parse_args()
    seconds = args.seconds or (5.0 if args.quick else 30.0)
    warmup_count = int(args.rate * WARMUP_SECONDS)
    count = int(args.rate * seconds)

    print(f"machine: {machine()}")
    t = time.perf_counter()
    statements = signed(0, warmup_count + count)
    bodies = [s.canonical for s in statements]
    del statements
    print(f"signed {len(bodies):,} statements in {time.perf_counter() - t:.1f} s (not timed)")

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cunzheng-bench-")))
        db = stack.enter_context(postgres_schema(args.database_url)) if args.database_url else None
        url, proc = stack.enter_context(server(tmp / "data", db))
        register(url)
        warm = asyncio.run(
            offer(
                url,
                bodies[:warmup_count],
                args.rate,
                connections=args.connections,
                timeout=args.timeout,
            )
        )

        s0, c0, threads0 = cpu_seconds(proc.pid), time.process_time(), thread_cpu(proc.pid)
        run = asyncio.run(
            offer(
                url,
                bodies[warmup_count:],
                args.rate,
                connections=args.connections,
                timeout=args.timeout,
            )
        )
        server_cpu = cpu_seconds(proc.pid) - s0
        client_cpu = time.process_time() - c0
        threads1 = thread_cpu(proc.pid)
        info = httpx.get(f"{url}/log/info", timeout=60)
        if info.status_code != 200:
            raise SystemExit(f"GET /log/info after the run: {info.status_code} {info.text[:300]}")
        size = info.json()["size"]

    backend = "PostgreSQL" if args.database_url else "SQLite"
    lat = run.latencies
    sent_window = (run.offered - 1) / args.rate if run.offered > 1 else 0.0
    print(
        f"\n{backend}: {run.offered:,} single-statement requests offered open-loop over "
        f"{seconds:g} s, at most {args.connections} connections, after a {WARMUP_SECONDS:g} s "
        f"warm-up ({warm.receipts:,} receipts, {sum(warm.errors.values()):,} errors); "
        f"log size at the end {size:,}"
    )
    print(
        f"  offered rate {run.offered / seconds:,.0f}/s (scheduled), sent within "
        f"{sent_window:.2f} s; the latest request left {ms(run.send_lag)} after its scheduled time"
    )
    print(
        f"  achieved rate {run.receipts / run.wall:,.0f}/s "
        f"({run.receipts:,} receipts in {run.wall:.2f} s, first send to last answer)"
    )
    print(f"  receipts {run.receipts:,}, errors {sum(run.errors.values()):,}")
    for kind, n in run.errors.most_common():
        print(f"    {n:,} x {kind}, first: {run.first_error[kind]}")
    print(
        f"  latency from scheduled send to receipt        p50 {ms(percentile(lat, 50))}, "
        f"p90 {ms(percentile(lat, 90))}, p99 {ms(percentile(lat, 99))}, max {ms(max(lat))}"
    )
    busy = sorted(
        ((threads1.get(tid, 0.0) - threads0.get(tid, 0.0), tid) for tid in threads1),
        reverse=True,
    )
    top = ", ".join(
        f"{cpu:.1f} s ({'main' if tid == proc.pid else tid})" for cpu, tid in busy[:4] if cpu > 0
    )
    print(
        f"  CPU over the run: server {server_cpu:.1f} s ({server_cpu / run.wall:.2f} of "
        f"{os.cpu_count()} cores), client {client_cpu:.1f} s ({client_cpu / run.wall:.2f} cores)"
    )
    print(f"  server threads by CPU: {top}")
    print(
        target_line(
            f"  {backend} receipt latency p99 at {args.rate:,.0f}/s",
            percentile(lat, 99) * 1000,
            "ms",
            TARGET_MS,
            at_least=False,
        )
    )


if __name__ == "__main__":
    main()
