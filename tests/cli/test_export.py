"""``cunzheng export``: the log as static tiles in a directory, brought up to date run after run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.keyfiles import LOG_KEY_FILE
from cunzheng.ledger.mirror import CHECKPOINT, tiles_between
from cunzheng.ledger.settings import Settings
from tests.conftest import log_through_app, run_cli


@pytest.fixture
def data_dir(tmp_path: Path, holder: SigningKey) -> Path:
    """A stopped log on SQLite with a registration and 20 evidence statements."""
    settings = Settings(data_dir=tmp_path / "data")
    log_through_app(settings, holder, 20)
    return settings.data_dir


def export(data_dir: Path, out: Path) -> tuple[int, str, str]:
    """Run ``cunzheng export`` and return its status and what it printed."""
    result = run_cli("export", "--data-dir", str(data_dir), "--out", str(out))
    return result.returncode, result.stdout, result.stderr


def size_of(out: Path) -> int:
    """Return the tree size of the checkpoint an export holds."""
    return int((out / CHECKPOINT).read_text().split("\n")[1])


def test_export_writes_the_log_then_only_what_is_new(
    data_dir: Path, tmp_path: Path, holder: SigningKey
) -> None:
    out = tmp_path / "export" / "log"

    first = export(data_dir, out)
    size = size_of(out)
    again = export(data_dir, out)
    grown = log_through_app(Settings(data_dir=data_dir), holder, 300, first=20)
    later = export(data_dir, out)

    assert first == (
        0,
        f"exported the log's tree of size {size} to {out} (a new export): "
        f"{len(tiles_between(0, size)) + 1} files written, the checkpoint last\n",
        "",
    )
    assert again == (
        0,
        f"{out} already holds the log's checkpoint of size {size}: nothing to write\n",
        "",
    )
    assert later[0] == 0
    assert later[1] == (
        f"exported the log's tree of size {grown} to {out} (up from size {size}): "
        f"{len(tiles_between(size, grown)) + 1} files written, the checkpoint last\n"
    )
    assert size_of(out) == grown
    assert (out / "tile" / "0" / "001.p" / str(grown - 256)).is_file()


def test_export_refuses_a_directory_holding_another_logs_checkpoint(
    data_dir: Path, tmp_path: Path, holder: SigningKey
) -> None:
    other = tmp_path / "other"
    log_through_app(Settings(data_dir=other), holder, 5)
    out = tmp_path / "export"
    export(other, out)
    before = sorted(out.rglob("*"))

    status, stdout, stderr = export(data_dir, out)

    assert (status, stdout) == (1, "")
    assert stderr.startswith(f"cunzheng export: the checkpoint in {out} is not one of this log's:")
    assert stderr.count("\n") == 1
    assert sorted(out.rglob("*")) == before


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        pytest.param(
            lambda data_dir: (data_dir / LOG_KEY_FILE).unlink(),
            "there is no log key in {data_dir}: give the data directory of the log to export (--data-dir)",
            id="no-log-key",
        ),
        pytest.param(
            lambda data_dir: (data_dir / "cunzheng.db").unlink(),
            "there is no database in {data_dir}: the log holds nothing yet",
            id="no-database",
        ),
    ],
)
def test_export_says_in_one_line_what_is_missing(
    data_dir: Path, tmp_path: Path, arrange: Callable[[Path], None], message: str
) -> None:
    for suffix in ("-wal", "-shm"):
        (data_dir / f"cunzheng.db{suffix}").unlink(missing_ok=True)
    arrange(data_dir)

    status, stdout, stderr = export(data_dir, tmp_path / "export")

    assert (status, stdout) == (1, "")
    assert stderr == f"cunzheng export: {message.format(data_dir=data_dir)}\n"
    assert not (tmp_path / "export").exists()


def test_export_to_a_file_is_refused_in_one_line(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("not a directory\n")

    status, stdout, stderr = export(data_dir, target)

    assert (status, stdout) == (1, "")
    assert stderr.startswith("cunzheng export: Not a directory")
    assert stderr.count("\n") == 1
    assert target.read_text() == "not a directory\n"
