"""The static log: which objects a tree has, and bringing a copy of it forward, tiles before checkpoint."""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey

from cunzheng.ledger.errors import (
    Conflict,
    InvalidProof,
    InvalidSignature,
    LedgerError,
    Unavailable,
)
from cunzheng.ledger.log import Log
from cunzheng.ledger.mirror import (
    CHECKPOINT,
    CheckpointChanged,
    DirectorySink,
    MirrorPublisher,
    MirrorResult,
    S3Sink,
    StaticObject,
    Stored,
    mirror,
    retry_delay,
    tiles_between,
)
from cunzheng.ledger.note import Checkpoint, Signer, sign_checkpoint
from cunzheng.ledger.tiles import TileRef, decode_entry_bundle, tiles_for_size
from tests.conftest import evidence


def paths_of(size: int) -> set[str]:
    """Return every tile path of a tree of *size* leaves: its hash tiles and the bundles beside level 0."""
    hashes = tiles_for_size(size)
    bundles = [TileRef(None, ref.index, ref.width) for ref in hashes if ref.level == 0]
    return {ref.path() for ref in hashes + bundles}


def grow(log: Log, holder: SigningKey, count: int) -> int:
    """Log *count* more evidence statements; return the log's size."""
    first = log.size()
    log.add_all([evidence(holder, first + n) for n in range(count)]).result()
    return log.size()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """Where a test writes the static log: beside the test's SQLite database, not around it."""
    (tmp_path / "static").mkdir()
    return tmp_path / "static"


def files_in(root: Path) -> set[str]:
    """Return the paths of the files below *root*, the lock file left out."""
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


@given(st.integers(0, 70_000), st.integers(0, 70_000))
def test_tiles_between_are_the_tiles_the_larger_tree_adds(a: int, b: int) -> None:
    old, new = sorted((a, b))

    refs = tiles_between(old, new)

    assert len(refs) == len({ref.path() for ref in refs})
    assert {ref.path() for ref in refs} == paths_of(new) - paths_of(old)


def test_tiles_between_two_trees_name_each_new_tile_once() -> None:
    paths = [ref.path() for ref in tiles_between(300, 600)]

    assert paths == [
        "tile/entries/001",
        "tile/entries/002.p/88",
        "tile/0/001",
        "tile/0/002.p/88",
        "tile/1/000.p/2",
    ]
    assert tiles_between(600, 600) == []
    with pytest.raises(ValueError, match="tree size 601 is not between 0 and 600"):
        tiles_between(601, 600)


def test_mirror_writes_the_tree_and_then_its_checkpoint(
    log: Log, holder: SigningKey, out: Path
) -> None:
    size = grow(log, holder, 299)

    result = mirror(log, DirectorySink(out))

    assert result == MirrorResult(size=300, held_before=None, written=6)
    assert files_in(out) == paths_of(size) | {CHECKPOINT}
    assert (out / CHECKPOINT).read_text() == log.checkpoint()
    entries = decode_entry_bundle((out / "tile/entries/000").read_bytes())
    entries += decode_entry_bundle((out / "tile/entries/001.p/44").read_bytes())
    assert entries == log.records.leaves(0, size)


def test_mirror_again_writes_only_what_is_new(log: Log, holder: SigningKey, out: Path) -> None:
    sink = DirectorySink(out)
    old_size = grow(log, holder, 299)
    mirror(log, sink)
    full_tile = (out / "tile/0/000").stat()
    size = grow(log, holder, 300)

    result = mirror(log, sink)

    assert result == MirrorResult(size, old_size, len(tiles_between(old_size, size)) + 1)
    assert files_in(out) == paths_of(old_size) | paths_of(size) | {CHECKPOINT}
    assert (out / "tile/0/000").stat().st_mtime_ns == full_tile.st_mtime_ns
    assert mirror(log, sink) == MirrorResult(size, size, 0)


class CrashBeforeCheckpoint(DirectorySink):
    """A directory whose writer dies after the tiles and before the checkpoint."""

    def replace_checkpoint(self, obj: StaticObject, *, expected: Stored | None) -> None:
        raise SystemExit("killed between the tiles and the checkpoint")


def test_a_crash_before_the_checkpoint_leaves_the_old_tree_whole(
    log: Log, holder: SigningKey, out: Path
) -> None:
    old_size = grow(log, holder, 299)
    mirror(log, DirectorySink(out))
    old_checkpoint = (out / CHECKPOINT).read_bytes()
    size = grow(log, holder, 300)

    with pytest.raises(SystemExit):
        mirror(log, CrashBeforeCheckpoint(out))

    assert (out / CHECKPOINT).read_bytes() == old_checkpoint
    assert paths_of(old_size) <= files_in(out)
    assert mirror(log, DirectorySink(out)) == MirrorResult(
        size, old_size, len(tiles_between(old_size, size)) + 1
    )


class OvertakenOnce(DirectorySink):
    """A directory where another writer publishes a larger tree just before this one's checkpoint."""

    def __init__(self, root: Path, overtake: Log, holder: SigningKey) -> None:
        super().__init__(root)
        self.overtake: tuple[Log, SigningKey] | None = (overtake, holder)

    def replace_checkpoint(self, obj: StaticObject, *, expected: Stored | None) -> None:
        if self.overtake is not None:
            log, holder = self.overtake
            self.overtake = None
            grow(log, holder, 10)
            mirror(log, DirectorySink(self.root))
        super().replace_checkpoint(obj, expected=expected)


def test_a_writer_overtaken_by_another_leaves_the_larger_checkpoint(
    log: Log, holder: SigningKey, out: Path
) -> None:
    grow(log, holder, 99)

    result = mirror(log, OvertakenOnce(out, log, holder))

    # Its own two tiles of the tree of 100; the other writer's checkpoint of 110 stays.
    assert result == MirrorResult(110, None, written=2)
    assert (out / CHECKPOINT).read_text() == log.checkpoint()
    assert log.open(log.checkpoint()).size == 110


def test_a_stale_checkpoint_write_is_refused(log: Log, out: Path) -> None:
    sink = DirectorySink(out)
    mirror(log, sink)
    stale = Stored(b"what another writer read", hashlib.sha256(b"x").hexdigest())
    before = (out / CHECKPOINT).read_bytes()

    with pytest.raises(CheckpointChanged, match="changed while it was read"):
        sink.replace_checkpoint(
            StaticObject(CHECKPOINT, b"new", "text/plain", "no-cache"), expected=stale
        )

    assert (out / CHECKPOINT).read_bytes() == before


def forged(signer: Signer, size: int, what: bytes) -> bytes:
    """Return a checkpoint of *size* signed by *signer* over a root no log made."""
    return sign_checkpoint(
        Checkpoint(signer.name, size, hashlib.sha256(what).digest()), signer
    ).encode()


@pytest.mark.parametrize(
    ("held", "error", "message"),
    [
        pytest.param(
            lambda signer: forged(signer, 5, b"another history"),
            InvalidProof,
            r"holds a checkpoint of size 5 with root .*, but this log's tree of that size has "
            r"root .*: the two histories fork; nothing was written over it",
            id="forked-root",
        ),
        pytest.param(
            lambda signer: forged(signer, 1000, b"the future"),
            Conflict,
            r"holds a checkpoint of size 1000, beyond this log's size 11: the database was "
            r"rolled back",
            id="beyond-the-log",
        ),
        pytest.param(
            lambda signer: forged(Signer.generate(signer.name), 5, b"another log"),
            InvalidSignature,
            r"the checkpoint in .* is not one of this log's: checkpoint is not signed by",
            id="another-logs-key",
        ),
    ],
)
def test_mirror_never_writes_over_a_checkpoint_of_another_history(
    log: Log,
    log_signer: Signer,
    holder: SigningKey,
    out: Path,
    held: Callable[[Signer], bytes],
    error: type[Exception],
    message: str,
) -> None:
    grow(log, holder, 10)
    (out / CHECKPOINT).write_bytes(held(log_signer))

    with pytest.raises(error, match=message):
        mirror(log, DirectorySink(out))

    assert files_in(out) == {CHECKPOINT}


class FailsTwice(DirectorySink):
    """A directory whose store is unreachable for the first two reads."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.failures = 0

    def read_checkpoint(self) -> Stored | None:
        if self.failures < 2:
            self.failures += 1
            raise Unavailable(f"{self.root} is unreachable")
        return super().read_checkpoint()


def test_the_publisher_tries_again_until_the_store_answers(
    log: Log, holder: SigningKey, out: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sink = FailsTwice(out)
    publisher = MirrorPublisher(log, sink, retry_initial=0.01).start()
    log.on_publish.append(publisher.notify)
    try:
        grow(log, holder, 10)
        deadline = time.monotonic() + 30
        while not (out / CHECKPOINT).exists() or (out / CHECKPOINT).read_text() != log.checkpoint():
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.01)
    finally:
        publisher.stop()

    assert sink.failures == 2
    assert f"publishing to {out} failed (2 in a row), trying again in 0.0 s" in caplog.text


def test_the_retry_delay_doubles_up_to_its_bound() -> None:
    delays = [retry_delay(n, first=0.5, most=60) for n in (1, 2, 3, 8, 9, 10_000)]

    assert delays == [0.5, 1.0, 2.0, 60, 60, 60]


def test_the_publisher_looks_again_unasked(log: Log, holder: SigningKey, out: Path) -> None:
    publisher = MirrorPublisher(log, DirectorySink(out), refresh=0.05).start()
    try:
        grow(log, holder, 10)
        deadline = time.monotonic() + 30
        while not (out / CHECKPOINT).exists() or (out / CHECKPOINT).read_text() != log.checkpoint():
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        publisher.stop()

    assert log.open(log.checkpoint()).size == 11


def test_a_bucket_without_boto3_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)

    with pytest.raises(LedgerError) as refused:
        S3Sink(bucket="log")

    assert str(refused.value) == (
        "publishing to S3 needs boto3, which is not installed: pip install 'cunzheng[s3]'"
    )
