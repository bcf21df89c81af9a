"""The verifier corpus: bundles and receipts, genuine and tampered, each with what `cunzheng verify` says.

The browser verifier (api/web/js) must give the verdict and the reason
codes the CLI gives. ``build_corpus(outdir)`` builds real logs in this
process (``tests.web.corpus_worlds``), writes each case of
``tests.web.corpus_cases`` into ``outdir/<name>/`` and runs the real
``cunzheng verify ... --json`` on it in that directory, so that every file
is named by its plain name: every case in one fresh process
(``tests.web.corpus_cli``), through the console script's entry point. What the CLI printed is the
case's ``expected``: nothing here is written by hand.

``outdir/cases.json`` lists every case as ``Case.to_json`` gives it:

- ``name``, ``kind`` ("bundle" or "receipt");
- ``paths``: the case's files, relative to ``outdir``: ``bundle`` or
  ``receipt`` (and, for a receipt, ``file``: the file it is checked against);
- ``options``: what the verifier was given, with paths relative to the
  case's directory: ``log_key`` (verifier key string or null), ``files`` and
  ``disclosures`` (the presented files), ``tsa_roots`` (PEM files),
  ``witnesses`` (``{"keys": [...], "threshold": n}`` or null);
- ``argv``: the arguments given to ``cunzheng``;
- ``exit``: its exit status; ``expected``: the JSON it printed.

Run as ``python tests/web/corpus.py OUTDIR`` to build it from the shell.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: make the repository's tests package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # noqa: E402

from tests.web.corpus_cases import (
    Spec,
    evidence_cases,
    receipt_cases,
    registry_cases,
    settings_cases,
    timed_cases,
)
from tests.web.corpus_worlds import evidence_world, registry_world, settings_world, timed_world

_REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Case:
    """One case of the corpus as written to disk, with what `cunzheng verify` printed for it."""

    name: str
    kind: str
    paths: dict[str, str]
    options: dict[str, Any]
    argv: list[str]
    exit: int
    expected: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """Return the case as the JSON object cases.json lists."""
        return {
            "name": self.name,
            "kind": self.kind,
            "paths": self.paths,
            "options": self.options,
            "argv": self.argv,
            "exit": self.exit,
            "expected": self.expected,
        }


def build_corpus(outdir: Path) -> list[Case]:
    """Build every case into *outdir*, run `cunzheng verify` on each, write cases.json; return the cases."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        root = Path(home)
        e, t = evidence_world(root), timed_world(root)
        r, s = registry_world(root), settings_world(root)
    specs = [
        *evidence_cases(e),
        *timed_cases(t),
        *registry_cases(r),
        *settings_cases(s),
        *receipt_cases(e, t),
    ]
    names = [spec.name for spec in specs]
    assert len(set(names)) == len(names), "case names repeat"
    runs = [(_write(outdir, spec), _argv(spec)) for spec in specs]
    results = _verify_all(runs)
    cases = [_case(spec, argv, r) for spec, (_, argv), r in zip(specs, runs, results, strict=True)]
    listing = [c.to_json() for c in cases]
    (outdir / "cases.json").write_text(json.dumps(listing, indent=1, ensure_ascii=False))
    return cases


def _write(outdir: Path, spec: Spec) -> str:
    """Write *spec*'s files into its own directory and return that directory."""
    home = outdir / spec.name
    home.mkdir(exist_ok=True)
    for name, data in spec.inputs.items():
        (home / name).write_bytes(data)
    return str(home)


def _verify_all(runs: list[tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """Return what `cunzheng` printed for each (directory, argv), all run in one fresh process."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.web.corpus_cli"],
        input=json.dumps(runs).encode(),
        cwd=_REPO,
        capture_output=True,
        timeout=300,
        check=True,
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def _case(spec: Spec, argv: list[str], result: dict[str, Any]) -> Case:
    try:
        expected = json.loads(result["stdout"])
    except ValueError:
        raise AssertionError(f"{spec.name}: cunzheng {argv} printed no JSON: {result}") from None
    main = "bundle.json" if spec.kind == "bundle" else "receipt.json"
    paths = {spec.kind: f"{spec.name}/{main}"}
    if spec.kind == "receipt":
        paths["file"] = f"{spec.name}/{spec.files[0]}"
    return Case(spec.name, spec.kind, paths, _options(spec), argv, result["exit"], expected)


def _argv(spec: Spec) -> list[str]:
    args = ["verify"]
    if spec.kind == "receipt":
        args += [spec.files[0], "receipt.json"]
    else:
        args.append("bundle.json")
        for name in spec.files:
            args += ["--file", name]
        for name in spec.disclosures:
            args += ["--disclosure", name]
    if spec.log_key is not None:
        args += ["--log-key", spec.log_key]
    for name in spec.tsa_roots:
        args += ["--tsa-root", name]
    if spec.witnesses is not None:
        for key in spec.witnesses.keys:
            args += ["--witness", key]
        if spec.witnesses.threshold is not None:
            args += ["--witness-threshold", str(spec.witnesses.threshold)]
    return [*args, "--json"]


def _options(spec: Spec) -> dict[str, Any]:
    witnesses = None
    if spec.witnesses is not None:
        keys = list(spec.witnesses.keys)
        threshold = spec.witnesses.threshold
        witnesses = {"keys": keys, "threshold": len(keys) if threshold is None else threshold}
    return {
        "log_key": spec.log_key,
        "files": list(spec.files),
        "disclosures": list(spec.disclosures),
        "tsa_roots": list(spec.tsa_roots),
        "witnesses": witnesses,
    }


def main(argv: list[str]) -> int:
    """Build the corpus into the directory *argv* names and say how many cases it holds."""
    if len(argv) != 1:
        print("usage: python tests/web/corpus.py OUTDIR", file=sys.stderr)
        return 2
    cases = build_corpus(Path(argv[0]))
    refused = sum(not c.expected["ok"] for c in cases)
    print(f"{len(cases)} cases ({refused} not verified) in {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
