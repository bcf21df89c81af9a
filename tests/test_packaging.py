"""The wheel installs one import package, ``cunzheng``, and nothing generic beside it.

The folders ledger/, api/, schemas/ and cli/ sit at the repository's top
level; a user's site-packages must gain ``cunzheng`` alone (and its
dist-info), so our ``api`` or ``cli`` never shadows another project's.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from this checkout."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("cunzheng-*.whl")
    return built


def _site_packages(venv: Path) -> Path:
    (site,) = venv.glob("lib/python*/site-packages")
    return site


def test_the_wheel_adds_one_import_package_to_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = _site_packages(venv)
    before = set(os.listdir(site))
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
        + ["--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    added = set(os.listdir(site)) - before
    assert added == {"cunzheng", "cunzheng-0.1.0.dist-info"}
    assert (venv / "bin" / "cunzheng").exists()


def test_the_wheel_holds_the_migrations_and_the_published_schemas(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"cunzheng"}
    assert "cunzheng/ledger/store/migrations/env.py" in names
    assert "cunzheng/ledger/store/migrations/script.py.mako" in names
    assert any(n.startswith("cunzheng/ledger/store/migrations/versions/0001_") for n in names)
    assert "cunzheng/schemas/bundle.schema.json" in names


def test_the_installed_package_runs_apart_from_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
        + ["--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    probe = (
        "import cunzheng, cunzheng.api.app, cunzheng.cli.main, cunzheng.ledger.store as s; "
        "st = s.Store.open('sqlite:///' + __import__('sys').argv[1]); st.close(); "
        "print(cunzheng.__file__)"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "t.db")],
        env={**os.environ, "PYTHONPATH": str(target)},
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    assert run.stdout.strip().startswith(str(target))


def test_nothing_imports_the_folders_by_their_bare_names() -> None:
    bare = {"ledger", "api", "schemas", "cli"}
    offenders = []
    for folder in ("ledger", "api", "schemas", "cli", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                offenders += [f"{path}:{node.lineno}" for n in names if n.split(".")[0] in bare]
    assert offenders == []
