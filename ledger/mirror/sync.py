"""Bringing a static copy of the log up to date: the tiles it lacks, then the checkpoint, only forward.

``mirror`` brings a store (a directory, an S3 bucket: an ``ObjectSink``) up
to the log's latest checkpoint. It reads the checkpoint the store holds,
writes the tiles of the log's tree that the held tree lacks, and only then
replaces the checkpoint, so that a reader of the store never meets a
checkpoint whose tiles are missing. A crash between the two leaves the old
checkpoint, whose tiles are all there, and tiles of the newer tree that no
checkpoint names yet; the next run writes them again and then the
checkpoint.

Several writers (the frontends of one PostgreSQL log) may mirror into one
store at once. Every object is derived from the committed tree, so two
writers put the same bytes at a path. The checkpoint is replaced by
compare-and-swap against the version read, and only by a larger one (or the
same one with more cosignatures), so the store never goes back. A held
checkpoint that is not this log's, or not in its history (a fork, another
log in the same place), is refused and never written over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cunzheng.ledger.errors import Conflict, InvalidProof
from cunzheng.ledger.mirror.layout import (
    PublishedCheckpoint,
    StaticObject,
    checkpoint_object,
    open_published,
    tile_object,
    tiles_between,
)
from cunzheng.ledger.reader import LogReader

# Compare-and-swap rounds lost to other writers before giving up for now.
ATTEMPTS = 5


class CheckpointChanged(Conflict):
    """The store's checkpoint is no longer the version read: another writer replaced it."""


@dataclass(frozen=True)
class Stored:
    """The checkpoint a store holds: its bytes and the version a conditional write names."""

    data: bytes
    version: str


class ObjectSink(Protocol):
    """Somewhere the static log is kept: a directory, an S3 bucket."""

    @property
    def where(self) -> str:
        """Return where the objects go, for messages (a path, ``s3://bucket/prefix``)."""
        ...

    def read_checkpoint(self) -> Stored | None:
        """Return the checkpoint held, or None if there is none yet."""
        ...

    def put(self, obj: StaticObject) -> None:
        """Write a tile (its path's bytes never change, so writing it twice is harmless)."""
        ...

    def replace_checkpoint(self, obj: StaticObject, *, expected: Stored | None) -> None:
        """Write the checkpoint if the one held is still *expected*; else raise CheckpointChanged."""
        ...


@dataclass(frozen=True)
class MirrorResult:
    """What a store holds after ``mirror``, what it held before, and how many objects were written."""

    size: int
    held_before: int | None
    written: int


def mirror(reader: LogReader, sink: ObjectSink) -> MirrorResult:
    """Bring *sink* up to the log's latest checkpoint: new tiles first, the checkpoint last."""
    latest = checkpoint_object(reader)
    written: set[str] = set()
    held_before: int | None = None
    for attempt in range(ATTEMPTS):
        stored = sink.read_checkpoint()
        held = None
        if stored is not None:
            held = open_published(stored.data, reader.verifier, where=sink.where)
            if held.checkpoint.size > latest.checkpoint.size:
                # Another writer may have published what was committed after `latest` was read.
                latest = checkpoint_object(reader)
            _check_history(reader, held, latest, where=sink.where)
        if attempt == 0:
            held_before = None if held is None else held.checkpoint.size
        if held is not None and held.rank >= latest.rank:
            return MirrorResult(held.checkpoint.size, held_before, len(written))
        old_size = 0 if held is None else held.checkpoint.size
        for ref in tiles_between(old_size, latest.checkpoint.size):
            if ref.path() not in written:
                sink.put(tile_object(reader, ref))
                written.add(ref.path())
        try:
            sink.replace_checkpoint(latest.object, expected=stored)
        except CheckpointChanged:
            continue
        return MirrorResult(latest.checkpoint.size, held_before, len(written) + 1)
    raise Conflict(
        f"the checkpoint in {sink.where} was replaced by other writers {ATTEMPTS} times "
        "while this one wrote; it is tried again with the next checkpoint"
    )


def _check_history(
    reader: LogReader, held: PublishedCheckpoint, latest: PublishedCheckpoint, *, where: str
) -> None:
    """Refuse a held checkpoint beyond the log, or one whose root is not the log's at its size."""
    size = held.checkpoint.size
    if size > latest.checkpoint.size:
        raise Conflict(
            f"{where} holds a checkpoint of size {size}, beyond this log's size "
            f"{latest.checkpoint.size}: the database was rolled back, or {where} holds "
            "another copy of the log key's history; nothing was written"
        )
    root = reader.root(size)
    if root != held.checkpoint.root:
        raise InvalidProof(
            f"{where} holds a checkpoint of size {size} with root {held.checkpoint.root.hex()}, "
            f"but this log's tree of that size has root {root.hex()}: the two histories fork; "
            "nothing was written over it"
        )
