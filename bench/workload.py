"""What the benchmarks feed the log: signed statements, databases to put them in, the machine.

Every statement is signed by one submitter key, ``SUBMITTER``, derived from a
fixed seed so that worker processes share it. The log accepts a statement
only from a registered key, so a benchmark first logs ``registration()``,
the submitter's self-signed ``party.register`` as a rights holder. Evidence
statements are ``evidence.timestamp`` statements over distinct digests, so
no two are the same statement and none is deduplicated. Signing costs about
40 us a statement; large workloads are signed on a process pool.
"""

from __future__ import annotations

import base64
import hashlib
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from nacl.signing import SigningKey, VerifyKey
from sqlalchemy import create_engine, text

from cunzheng.ledger.clock import utc_now
from cunzheng.ledger.statements import Statement, sign_statement

# Statements signed per pool task: large enough that pickling, not scheduling, is the overhead.
CHUNK = 10_000
SUBMITTER = SigningKey(hashlib.sha256(b"cunzheng bench submitter").digest())


def registration() -> Statement:
    """Return the statement that registers ``SUBMITTER`` as a rights holder, signed by itself."""
    key = base64.b64encode(bytes(SUBMITTER.verify_key)).decode()
    body = {"kind": "rights_holder", "name": "Benchmark submitter", "key": key}
    return sign_statement(type="party.register", body=body, key=SUBMITTER, signed_at=utc_now())


def statement(n: int) -> Statement:
    """Return an evidence.timestamp statement by ``SUBMITTER`` over the digest whose value is *n*."""
    body = {"sha256": f"{n:064x}"}
    return sign_statement(type="evidence.timestamp", body=body, key=SUBMITTER, signed_at=utc_now())


def _sign_range(start: int, stop: int) -> list[Statement]:
    return [statement(n) for n in range(start, stop)]


def signed_chunks(
    start: int, stop: int, *, processes: int | None = None
) -> Iterator[list[Statement]]:
    """Yield the statements numbered [*start*, *stop*) in chunks, signed on a process pool."""
    bounds = [(i, min(i + CHUNK, stop)) for i in range(start, stop, CHUNK)]
    if len(bounds) <= 1:
        for lo, hi in bounds:
            yield _sign_range(lo, hi)
        return
    with ProcessPoolExecutor(max_workers=processes or os.cpu_count() or 2) as pool:
        yield from pool.map(_sign_range, *zip(*bounds, strict=True))


def signed(start: int, stop: int) -> list[Statement]:
    """Return the statements numbered [*start*, *stop*), signed."""
    return [s for chunk in signed_chunks(start, stop) for s in chunk]


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """Yield the URL of a new schema in the PostgreSQL database *url*; drop it afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def machine() -> str:
    """Return one line naming the CPU, core count, memory, Python and the time of the run."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / (1 << 20):.1f} GiB"
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{model}, {os.cpu_count()} CPUs{memory}, Python {platform.python_version()}{load}, {when}"
    )


def sqlite_version() -> str:
    """Return the version of the SQLite library Python links."""
    import sqlite3

    return sqlite3.sqlite_version


def make_file(size: int) -> Path:
    """Return a file of *size* random bytes in the temporary directory, made if missing."""
    path = Path(tempfile.gettempdir()) / f"cunzheng-bench-{size >> 20}MiB.bin"
    if not path.exists() or path.stat().st_size != size:
        partial = path.with_suffix(".part")
        with open(partial, "wb") as f:
            for _ in range(size // (16 << 20)):
                f.write(os.urandom(16 << 20))
        partial.replace(path)
    return path


def verify_checks(statements: Sequence[Statement]) -> list[tuple[bytes, bytes, bytes]]:
    """Return the (key, message, signature) of each statement, for ``ceiling_once``."""
    return [(s.signer, s.signed_message(), s.signature) for s in statements]


def ceiling_once(checks: Sequence[tuple[bytes, bytes, bytes]]) -> float:
    """Return the rate of Ed25519 checks alone, one thread per core: the most any design that
    checks every signature can integrate on this CPU now (decisions/0006)."""
    threads = os.cpu_count() or 1
    share = -(-len(checks) // threads)
    parts = [checks[i : i + share] for i in range(0, len(checks), share)]

    def verify(part: Sequence[tuple[bytes, bytes, bytes]]) -> None:
        for key, message, signature in part:
            VerifyKey(key).verify(message, signature)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        t = time.perf_counter()
        list(pool.map(verify, parts))
        return len(checks) / (time.perf_counter() - t)
