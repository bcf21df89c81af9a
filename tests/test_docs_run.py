"""Docs that run: the ```sh blocks of README.md and docs/*.md, run against a live server.

Every ```sh block must say, in an HTML comment on the last non-blank line
before its fence, whether it runs:

    <!-- doc-test: run -->
    <!-- doc-test: run
    printf 'contract\\n' > contract.pdf
    -->
    <!-- doc-test: skip (why it cannot run as written) -->

A ``run`` comment may carry setup lines after ``run`` (shell, run before the
block, in the same script: files the reader would bring). The blocks of one
file run in order, each in its own ``bash -euo pipefail``, in one temporary
directory, against one ``cunzheng serve --data-dir ./cunzheng-data`` started
there; ``http://127.0.0.1:8000`` in a block or its setup becomes that
server's URL, and the virtualenv's ``bin`` comes first on PATH. A block with
no marker fails the test, so a new example has to choose.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, launch, stop_process

ROOT = Path(__file__).resolve().parent.parent
DOC_URL = "http://127.0.0.1:8000"
FENCE = re.compile(r"^(?P<indent>[ \t]*)```sh[ \t]*$")
MARKER = re.compile(r"<!--\s*doc-test:\s*(?P<body>.*?)\s*-->\s*$", re.DOTALL)
SKIP = re.compile(r"^skip \((?P<reason>.+)\)$", re.DOTALL)
BLOCK_TIMEOUT_S = 60


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    code: str
    action: str | None  # "run", "skip", or None when unmarked
    setup: str = ""
    reason: str = ""

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(path: Path) -> Iterator[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start = i
        indent = m.group("indent")
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        yield _marked(path, start, lines, "\n".join(body) + "\n")


def _marked(path: Path, start: int, lines: list[str], code: str) -> Block:
    """The block at *start* with the marker in the comment that ends just above it."""
    j = start - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j < 0 or not lines[j].rstrip().endswith("-->"):
        return Block(path, start + 1, code, None)
    k = j
    while k >= 0 and "<!--" not in lines[k]:
        k -= 1
    comment = "\n".join(line.strip() for line in lines[max(k, 0) : j + 1])
    m = MARKER.search(comment)
    if k < 0 or not m:
        return Block(path, start + 1, code, None)
    first, _, rest = m.group("body").partition("\n")
    if first.strip() == "run":
        return Block(path, start + 1, code, "run", setup=rest.strip())
    skip = SKIP.match(m.group("body"))
    if skip and skip.group("reason").strip():
        return Block(path, start + 1, code, "skip", reason=skip.group("reason").strip())
    return Block(path, start + 1, code, None)


ALL_BLOCKS = [b for p in doc_files() for b in blocks(p)]
RUN_FILES = sorted({b.path for b in ALL_BLOCKS if b.action == "run"})


def test_every_sh_block_says_whether_it_runs() -> None:
    unmarked = [b.where for b in ALL_BLOCKS if b.action is None]
    assert not unmarked, (
        "these ```sh blocks have no '<!-- doc-test: run -->' or "
        "'<!-- doc-test: skip (reason) -->' on the line before the fence: " + ", ".join(unmarked)
    )
    # The convention is in force: something runs, and the README's flows are among it.
    assert any(b.action == "run" and b.path.name == "README.md" for b in ALL_BLOCKS)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNZHENG_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["LC_ALL"] = env["LANG"] = "C.UTF-8"
    return env


@pytest.mark.parametrize("doc", RUN_FILES, ids=[str(p.relative_to(ROOT)) for p in RUN_FILES])
def test_doc_blocks_run(doc: Path, tmp_path: Path) -> None:
    env = _environment()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "cunzheng.cli", "serve"]
    argv += ["--data-dir", str(tmp_path / "cunzheng-data"), "--port", str(port)]
    _, proc = launch(
        argv,
        tmp_path / "server.log",
        lambda: httpx.get(f"{url}/readyz", timeout=1).raise_for_status(),
        env,
    )
    try:
        for block in blocks(doc):
            if block.action != "run":
                continue
            script = "set -euo pipefail\n"
            if block.setup:
                script += textwrap.dedent(block.setup) + "\n"
            script += block.code
            script = script.replace(DOC_URL, url)
            done = subprocess.run(
                ["bash", "-c", script],
                cwd=tmp_path,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=BLOCK_TIMEOUT_S,
            )
            if done.returncode != 0:
                pytest.fail(
                    f"{block.where}: the block exited {done.returncode}\n"
                    f"--- script ---\n{script}\n--- stdout ---\n{done.stdout}\n"
                    f"--- stderr ---\n{done.stderr}",
                    pytrace=False,
                )
    finally:
        stop_process(proc)
