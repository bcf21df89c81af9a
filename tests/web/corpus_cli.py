"""Runs `cunzheng` once per corpus case, in one fresh process, and prints what each run printed.

Started by ``tests.web.corpus`` as ``python -m tests.web.corpus_cli`` with a
JSON list of ``[directory, argv]`` on stdin; for each, it changes to the
directory and calls the console script's entry point (``cunzheng.cli.main``)
with *argv*, as `cunzheng` would run, and prints one JSON list of
``{"exit", "stdout", "stderr"}``. One process for every case, not one each:
starting Python and importing the verifier is most of a run's time.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys

from cunzheng.cli.main import main as cli_main


def run_one(directory: str, argv: list[str]) -> dict[str, object]:
    """Return the exit status and output of `cunzheng *argv*` run in *directory*."""
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        contextlib.chdir(directory),
    ):
        try:
            code = cli_main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
    return {"exit": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def main() -> int:
    """Run every case given on stdin and print the results as one JSON list."""
    runs = json.load(sys.stdin)
    results = [run_one(directory, argv) for directory, argv in runs]
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
