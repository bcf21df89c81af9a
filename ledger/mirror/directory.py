"""A directory as the static log: an export that any file server can serve and anyone can audit.

Each object is a file at its path below the directory, written whole or not
at all (a temporary file, fsync, rename, fsync of the directory), and so are
the directories a new tile needs, so that after a crash or a power cut the
checkpoint never names a tile that is not on disk. The checkpoint is
replaced under an exclusive lock on ``.checkpoint.lock``, so two exports
into one directory at once take turns.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cunzheng.ledger.durable import fsync_path, write_atomically
from cunzheng.ledger.mirror.layout import CHECKPOINT, StaticObject
from cunzheng.ledger.mirror.sync import CheckpointChanged, Stored

LOCK_FILE = ".checkpoint.lock"
# Served to anyone: readable by all, like any file of a web root.
PUBLIC = 0o644


class DirectorySink:
    """The static log in the files of a directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def where(self) -> str:
        """Return the directory's path."""
        return str(self.root)

    def read_checkpoint(self) -> Stored | None:
        """Return the checkpoint file's bytes, versioned by their SHA-256, or None if there is none."""
        try:
            data = (self.root / CHECKPOINT).read_bytes()
        except FileNotFoundError:
            return None
        return Stored(data, hashlib.sha256(data).hexdigest())

    def put(self, obj: StaticObject) -> None:
        """Write the tile's file, with any directory it needs."""
        path = self.root / obj.path
        _make_directories(path.parent)
        write_atomically(path, obj.data, mode=PUBLIC)

    def replace_checkpoint(self, obj: StaticObject, *, expected: Stored | None) -> None:
        """Write the checkpoint file if it still holds *expected*; else raise CheckpointChanged."""
        _make_directories(self.root)
        with self._locked():
            if self.read_checkpoint() != expected:
                raise CheckpointChanged(f"the checkpoint in {self.root} changed while it was read")
            write_atomically(self.root / CHECKPOINT, obj.data, mode=PUBLIC)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, PUBLIC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _make_directories(path: Path) -> None:
    """Create *path* and its missing parents, each name flushed to disk in its parent."""
    if path.is_dir():
        return
    _make_directories(path.parent)
    try:
        path.mkdir(mode=0o755)
    except FileExistsError:
        if not path.is_dir():
            raise
        return
    fsync_path(path.parent)
