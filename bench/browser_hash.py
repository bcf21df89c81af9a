"""A large file hashed in the browser verifier's page against ``cunzheng hash``.

Makes one file of random bytes (1 GiB; ``--mib`` changes it), read once
beforehand so that every run reads it from the page cache, then takes in
turns, ``--runs`` times each:

- ``cunzheng hash FILE``, a fresh process (wall time);
- the page's own hashing, ``CZ.ui.hashFile`` (what the page runs when a judge
  drops a file: a file up to 1 GiB is read whole and hashed by the browser's
  WebCrypto SHA-256, a larger one streamed through ``CZ.Sha256`` in
  ``File.slice`` chunks), in Debian's Chromium driven by Playwright, on the
  saved single-file page, the file given to its input as a judge gives it;
  timed inside the page from the call to the digest;
- the same with the streaming path forced, as for a file over 1 GiB.

Both digests must agree. Prints each median, the page's time to read the
file alone (the same chunks, not hashed: what the browser's file reading
costs) and the ratio of the page's time over the command's. Target: <= 3x.

    python bench/browser_hash.py [--mib 1024] [--runs 3] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from figures import median, rounds_line, target_line
from playwright.sync_api import Page, sync_playwright
from workload import machine, make_file

from cunzheng.api.pages import build_page

RATIO_TARGET = 3.0
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def cli_hash(cunzheng: str, path: Path) -> tuple[float, str]:
    """Return the wall time of ``cunzheng hash *path*`` and the digest it printed."""
    start = time.perf_counter()
    done = subprocess.run([cunzheng, "hash", str(path)], capture_output=True, check=True, text=True)
    return time.perf_counter() - start, done.stdout.split()[0]


def page_hash(page: Page, *, streamed: bool = False) -> tuple[float, str]:
    """Return the page's time to hash the file chosen in its input, and the digest.

    *streamed* forces the path of a file larger than ``CZ.ui.WHOLE_FILE_BYTES``.
    """
    result = page.evaluate(
        """async (streamed) => {
          const file = document.getElementById("files-input").files[0];
          const limit = CZ.ui.WHOLE_FILE_BYTES;
          if (streamed) CZ.ui.WHOLE_FILE_BYTES = 0;
          try {
            const start = performance.now();
            const digest = await CZ.ui.hashFile(file);
            return { seconds: (performance.now() - start) / 1000, hex: CZ.bytes.hex(digest) };
          } finally {
            CZ.ui.WHOLE_FILE_BYTES = limit;
          }
        }""",
        streamed,
    )
    return float(result["seconds"]), str(result["hex"])


def page_read(page: Page) -> float:
    """Return the page's time to read the file in its hashing chunks, not hashing them."""
    seconds = page.evaluate(
        """async () => {
          const file = document.getElementById("files-input").files[0];
          const start = performance.now();
          for (let at = 0; at < file.size; at += CZ.ui.CHUNK_BYTES) {
            await file.slice(at, at + CZ.ui.CHUNK_BYTES).arrayBuffer();
          }
          return (performance.now() - start) / 1000;
        }"""
    )
    return float(seconds)


def main() -> None:
    """Measure and print both medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="file size in MiB (multiple of 16)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the browser to drive")
    args = parser.parse_args()
    if args.mib < 16 or args.mib % 16:
        parser.error("--mib must be a positive multiple of 16")
    print(f"machine: {machine()}")
    path = make_file(args.mib << 20)
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # into the page cache
    cunzheng = str(Path(sys.executable).parent / "cunzheng")
    times: dict[str, list[float]] = {
        "cunzheng hash": [],
        "page (Chromium)": [],
        "page, streamed (a file over 1 GiB)": [],
        "page, reading only": [],
    }
    digests: set[str] = set()
    with tempfile.TemporaryDirectory() as home, sync_playwright() as pw:
        saved = Path(home) / "verify.html"
        saved.write_text(build_page().html, encoding="utf-8")
        browser = pw.chromium.launch(executable_path=args.chromium, args=LAUNCH_ARGS)
        page = browser.new_page()
        page.goto(saved.as_uri())
        page.set_input_files("#files-input", str(path))
        version = browser.version
        for _ in range(args.runs):
            for name, run in (
                ("cunzheng hash", lambda: cli_hash(cunzheng, path)),
                ("page (Chromium)", lambda: page_hash(page)),
                ("page, streamed (a file over 1 GiB)", lambda: page_hash(page, streamed=True)),
            ):
                seconds, digest = run()
                times[name].append(seconds)
                digests.add(digest)
            times["page, reading only"].append(page_read(page))
        browser.close()
    if len(digests) != 1:
        raise SystemExit(f"the digests differ: {sorted(digests)}")
    print(f"file: {args.mib} MiB, SHA-256 {digests.pop()}; Chromium {version}")
    for name, values in times.items():
        print(rounds_line(f"{name} (s)", values, "s", fmt=".2f"))
    cli, browser_s = median(times["cunzheng hash"]), median(times["page (Chromium)"])
    print(
        f"throughput: cunzheng hash {args.mib / cli:,.0f} MiB/s, page {args.mib / browser_s:,.0f} "
        f"MiB/s (reading alone {args.mib / median(times['page, reading only']):,.0f} MiB/s)"
    )
    print(
        target_line(
            "page / cunzheng hash (median)",
            browser_s / cli,
            "x",
            RATIO_TARGET,
            at_least=False,
            fmt=".2f",
        )
    )
    print(json.dumps({"cli_s": cli, "page_s": browser_s, "ratio": browser_s / cli}))


if __name__ == "__main__":
    main()
