"""Offline bundle verification time: median of many runs of ``ledger.verify.verify_bundle``.

The log is filled through the library on SQLite: the submitter's
registration, then pre-signed evidence statements (``workload.py``) up to
--entries. Bundles of 1, 10 and 100 evidence entries spread over the log are
built with ``ledger.bundles.build_bundle``, each with one earlier checkpoint
(a receipt's), and written to bytes as ``cunzheng bundle`` writes them. Each
bundle is then verified --runs times with the log key given and one
presented file per evidence entry's digest, the way a judge runs
``cunzheng verify``; the figure is the median wall time of one call, which
includes parsing the JSON, every Ed25519 signature check, every inclusion
proof, the replay of the party rules and the report. Rendering the report
is timed apart. Nothing here touches the network or the database while the
clock runs.

Targets: a one-evidence bundle verifies in <= 10 ms, a 100-evidence bundle
in <= 250 ms.

    python bench/verify.py [--quick] [--runs 200] [--entries 100000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from figures import median, percentile, target_line
from workload import machine, registration, signed_chunks, sqlite_version

from cunzheng.ledger.bundles import build_bundle
from cunzheng.ledger.log import Log, Logged
from cunzheng.ledger.note import Signer
from cunzheng.ledger.store import Store
from cunzheng.ledger.verify import bundle_json, render_text, verify_bundle
from cunzheng.schemas.bundles import BundleRequest
from cunzheng.schemas.receipts import Receipt

TARGETS_MS = {1: 10.0, 10: 50.0, 100: 250.0}


def fill(log: Log, entries: int) -> Logged:
    """Log the submitter's registration and evidence up to *entries*; return a middle entry."""
    log.add(registration()).result()
    middle: Logged | None = None
    for chunk in signed_chunks(0, entries - 1):
        futures = [log.add(s) for s in chunk]
        for f in futures:
            logged = f.result()
            if middle is None and logged.index >= entries // 2:
                middle = logged
    assert middle is not None
    return middle


def time_calls(call: Callable[[], object], runs: int) -> list[float]:
    """Return the wall time of each of *runs* calls of *call*, in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def measure(log: Log, receipt: Receipt, count: int, runs: int) -> None:
    """Build a bundle of *count* evidence entries spread over the log, time its verification, print it."""
    size = log.size()
    step = max(1, (size - 1) // count)
    indexes = list(range(1, size, step))[:count]
    bundle = build_bundle(log, BundleRequest(indexes=indexes, receipts=[receipt]))
    data = bundle_json(bundle)
    files = {
        f"file-{e.index}": bytes.fromhex(e.statement["body"]["sha256"])
        for e in bundle.entries
        if e.role == "evidence"
    }
    key = log.signer.verifier()
    report = verify_bundle(data, log_key=key, files=files)
    if not report.ok:
        raise SystemExit(f"the bundle of {count} does not verify: {report.failed()}")
    samples = time_calls(lambda: verify_bundle(data, log_key=key, files=files), runs)
    text = time_calls(lambda: render_text(report, lang="zh"), runs)
    name = f"verify, {count} evidence ({len(data) / 1024:,.0f} KiB, {len(report.checks)} checks)"
    print(target_line(name, median(samples), "ms", TARGETS_MS[count], at_least=False, fmt=",.2f"))
    print(
        f"{'':<44} p90 {percentile(samples, 90):,.2f} ms; report text (zh) {median(text):,.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a log of 10,000 entries, 50 runs")
    parser.add_argument("--runs", type=int, default=200, help="timed verifications per bundle")
    parser.add_argument("--entries", type=int, default=100_000, help="entries in the log")
    args = parser.parse_args()
    entries, runs = (10_000, 50) if args.quick else (args.entries, args.runs)

    print(f"machine: {machine()}; SQLite {sqlite_version()}")
    with tempfile.TemporaryDirectory(prefix="cunzheng-bench-") as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'log.db'}")
        log = Log(store, Signer.generate("bench/log")).start()
        try:
            receipt = log.receipt(fill(log, entries))
            print(f"log of {log.size():,} entries; {runs} verifications per bundle\n")
            for count in sorted(TARGETS_MS):
                measure(log, receipt, count, runs)
        finally:
            log.stop()
            store.close()


if __name__ == "__main__":
    main()
