"""A hostile body: a 64 MiB JSON array of numbers POSTed to ``/v1/statements/batch``.

The script starts ``cunzheng serve`` on a fresh data directory (default
settings: batches of at most 1,000 statements, so the route takes at most
1,000 x 64 KiB), and while a client thread polls ``GET /log/checkpoint``
without pause, it sends the hostile request over a raw socket, feeding the
body in 64 KiB chunks until the server answers:

- declared: ``Content-Length: 67108864``; the server should refuse at once.
  Targets: refused in < 100 ms, < 10 MB more server memory, and
  ``/log/checkpoint`` p99 < 50 ms meanwhile.
- chunked: no length to judge by; the server refuses once the bytes read pass
  the route's limit, so the whole limit crosses loopback first (no target).
- within the limit: a 60 MiB array of numbers, declared, under the limit: it is
  read, then refused by the batch's shape check without parsing (no target).

Server memory is its RSS (``/proc/<pid>/status``) sampled every 2 ms, less its
RSS just before the request. Figures are printed, not asserted.

    python bench/hostile_body.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import select
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx
from figures import median, percentile, target_line
from http_throughput import server
from workload import machine

CHUNK = 64 * 1024
DECLARED = 64 * 1024 * 1024
WITHIN = 60 * 1024 * 1024


def rss_mb(pid: int) -> float:
    """Return the resident set size of process *pid* in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS in /proc: Linux only")


class Sampler:
    """Background sampling of a process's RSS and of ``/log/checkpoint`` latency."""

    def __init__(self, url: str, pid: int) -> None:
        self.url, self.pid = url, pid
        self.peak_rss = 0.0
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._rss, daemon=True),
            threading.Thread(target=self._poll, daemon=True),
        ]

    def __enter__(self) -> Sampler:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()

    def _rss(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, rss_mb(self.pid))
            time.sleep(0.002)

    def _poll(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as http:
            while not self._stop.is_set():
                t = time.perf_counter()
                http.get("/log/checkpoint").raise_for_status()
                self.latencies.append(time.perf_counter() - t)


def hostile(url: str, headers: bytes, chunks: Callable[[], bytes]) -> tuple[float, int, bytes]:
    """Send *headers*, then chunks until the server answers; return (seconds, bytes sent, status line)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        t = time.perf_counter()
        sock.sendall(headers)
        sent = 0
        while not select.select([sock], [], [], 0)[0]:
            chunk = chunks()
            if not chunk:  # the whole declared body is sent: wait for the answer
                select.select([sock], [], [], 60)
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        answer = sock.recv(4096)
        elapsed = time.perf_counter() - t
    return elapsed, sent, answer.split(b"\r\n", 1)[0]


def numbers(total: int | None) -> Callable[[], bytes]:
    """Return a source of body chunks ``[1,1,1,...``: *total* bytes, or chunked frames without end if None."""
    state = {"left": total, "first": True}

    def next_chunk() -> bytes:
        data = (b"[" if state["first"] else b"") + b"1," * (CHUNK // 2)
        state["first"] = False
        if total is None:
            return b"%x\r\n%s\r\n" % (len(data), data)
        data = data[: state["left"]]
        state["left"] -= len(data)
        return data

    return next_chunk


def request_head(*, length: int | None) -> bytes:
    """Return the request line and headers of the hostile POST."""
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        "POST /v1/statements/batch HTTP/1.1\r\nHost: bench\r\n"
        f"Content-Type: application/json\r\n{framing}\r\n\r\n"
    ).encode()


def scenario(url: str, pid: int, head: bytes, body: Callable[[], Callable[[], bytes]], rounds: int):  # type: ignore[no-untyped-def]
    """Run *rounds* hostile requests while sampling; return per-round times, bytes, RSS growth and latencies."""
    times, sent, growth, latencies, statuses = [], [], [], [], set()
    for _ in range(rounds):
        time.sleep(0.3)  # let the server settle and the poller take a baseline
        before = rss_mb(pid)
        with Sampler(url, pid) as sampler:
            elapsed, n, status = hostile(url, head, body())
            time.sleep(0.05)  # catch memory held just after the answer
        times.append(elapsed)
        sent.append(n)
        growth.append(max(0.0, sampler.peak_rss - before))
        latencies.extend(sampler.latencies)
        statuses.add(status.decode(errors="replace"))
    return times, sent, growth, latencies, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="hostile requests per scenario")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cunzheng-bench-")))
        url, proc = stack.enter_context(server(tmp / "data", None))
        with Sampler(url, proc.pid) as idle:
            time.sleep(2)
        print(
            f"/log/checkpoint with no hostile request: p50 {median(idle.latencies) * 1000:.1f} ms, "
            f"p99 {percentile(idle.latencies, 99) * 1000:.1f} ms ({len(idle.latencies)} requests)"
        )
        runs = [
            ("declared 64 MiB", request_head(length=DECLARED), lambda: numbers(DECLARED)),
            ("chunked, no length", request_head(length=None), lambda: numbers(None)),
            (
                "declared 60 MiB, within the limit",
                request_head(length=WITHIN),
                lambda: numbers(WITHIN),
            ),
        ]
        for name, head, body in runs:
            times, sent, growth, latencies, statuses = scenario(
                url, proc.pid, head, body, args.rounds
            )
            print(f"\n{name}: {args.rounds} requests, answered {', '.join(sorted(statuses))}")
            print(
                f"  body bytes sent before the answer             median {median(sent) / 1e6:,.1f} MB"
            )
            print(
                f"  /log/checkpoint meanwhile                     p50 "
                f"{median(latencies) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} ms "
                f"({len(latencies)} requests)"
            )
            if name.startswith("declared 64"):
                print(
                    target_line(
                        "  refused in (median)",
                        median(times) * 1000,
                        "ms",
                        100,
                        at_least=False,
                        fmt=",.1f",
                    )
                )
                print(
                    target_line(
                        "  server RSS growth (max)",
                        max(growth),
                        "MB",
                        10,
                        at_least=False,
                        fmt=",.1f",
                    )
                )
                print(
                    target_line(
                        "  /log/checkpoint p99",
                        percentile(latencies, 99) * 1000,
                        "ms",
                        50,
                        at_least=False,
                        fmt=",.1f",
                    )
                )
            else:
                print(
                    f"  refused in                                    median {median(times) * 1000:,.1f} ms, max {max(times) * 1000:,.1f} ms"
                )
                print(
                    f"  server RSS growth                             median {median(growth):,.1f} MB, max {max(growth):,.1f} MB"
                )


if __name__ == "__main__":
    main()
