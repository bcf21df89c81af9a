"""The newest checkpoint the log has signed, remembered in its data directory, outside the database.

A database restored from an older backup, or an SQLite file copied without
its ``-wal`` file, holds a shorter log than the one the log has already
signed and handed out in receipts; served, it would fork the log. So the
data directory keeps the newest signed checkpoint in ``latest-checkpoint``
and the service compares the database with it on start
(``ledger.startup``). The file is written atomically (a temporary file,
fsync, rename, fsync of the directory) and only ever moves forward, by
``CheckpointKeeper``: a background thread woken after each commit that
publishes a checkpoint, so that ingestion never waits for the write; a
burst of commits makes one write of the newest.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from cunzheng.ledger.durable import fsync_path, write_atomically
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.note import Checkpoint, Verifier, open_checkpoint, read_note

logger = logging.getLogger(__name__)

LATEST_CHECKPOINT_FILE = "latest-checkpoint"


def read_latest(data_dir: Path, verifier: Verifier) -> Checkpoint | None:
    """Return the checkpoint remembered in *data_dir*, checked against the log key *verifier*, if any."""
    path = data_dir / LATEST_CHECKPOINT_FILE
    try:
        note = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        checkpoint, _ = open_checkpoint(note, verifier)
    except LedgerError as e:
        raise LedgerError(
            f"{path} does not hold a checkpoint of this log ({e}); if this data directory "
            "now serves another log, move the file away (docs/operations.md)"
        ) from None
    return checkpoint


def write_latest(data_dir: Path, note: str) -> bool:
    """Remember the signed checkpoint *note* in *data_dir* unless a larger one is; return whether it was written."""
    path = data_dir / LATEST_CHECKPOINT_FILE
    size = _size(note)
    with _locked(data_dir):
        held = _size_on_disk(path)
        if held is not None and held >= size:
            return False
        write_atomically(path, note.encode(), mode=0o644)
    return True


def set_aside(data_dir: Path, *, tag: str) -> Path | None:
    """Rename the remembered checkpoint to ``latest-checkpoint.<tag>`` and return its new path, if there was one."""
    path = data_dir / LATEST_CHECKPOINT_FILE
    with _locked(data_dir):
        if not path.exists():
            return None
        aside = path.with_name(f"{LATEST_CHECKPOINT_FILE}.{tag}")
        os.replace(path, aside)
        fsync_path(data_dir)
    return aside


class CheckpointKeeper:
    """Writes the newest checkpoint to the data directory in the background, after commits that publish one."""

    def __init__(self, data_dir: Path, latest: Callable[[], str | None]) -> None:
        self._data_dir = data_dir
        self._latest = latest
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> CheckpointKeeper:
        """Remember the latest checkpoint now and start the background thread; return self."""
        self.keep()
        self._thread = threading.Thread(
            target=self._run, name="cunzheng-checkpoint-file", daemon=True
        )
        self._thread.start()
        return self

    def notify(self) -> None:
        """Say that a commit published a checkpoint (a ``Sequencer.on_publish`` listener)."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the thread and write the latest checkpoint once more, if started."""
        if self._thread is None:
            return
        self._stopping = True
        self._wake.set()
        self._thread.join()
        self._thread = None
        self.keep()

    def keep(self) -> None:
        """Write the latest checkpoint of the log to the data directory unless a larger one is there."""
        note = self._latest()
        if note is not None:
            write_latest(self._data_dir, note)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            try:
                self.keep()
            except Exception:  # a full disk must not stop the log; the next commit tries again
                logger.exception("remembering the latest checkpoint in %s failed", self._data_dir)


def _size(note: str) -> int:
    return Checkpoint.parse(read_note(note, []).text).size


def _size_on_disk(path: Path) -> int | None:
    try:
        return _size(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except LedgerError:  # an unreadable file is replaced; the start-up check reports it
        return None


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    # Processes sharing a data directory must not put an older checkpoint over a newer one.
    with open(data_dir / f".{LATEST_CHECKPOINT_FILE}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
