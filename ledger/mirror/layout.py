"""The log as static objects: the C2SP tlog-tiles files of a tree, and their bytes.

A static host serves a log with no code of its own if it holds, below the
log's prefix, what ``/log/...`` serves (https://c2sp.org/tlog-tiles):
``checkpoint``, and every hash tile ``tile/<L>/<N>[.p/<W>]`` and entry
bundle ``tile/entries/<N>[.p/<W>]`` of the tree the checkpoint names. A
tile's path names its width, so the bytes at a tile path never change: a
tree of *size* leaves adds to one of *old_size* leaves only the tiles that
one lacks (``tiles_between``), and ``checkpoint`` is the one object ever
replaced.

The bytes are the read API's own (``LogReader.hash_tile``, ``entry_bundle``
and ``served_checkpoint``), so an object in a bucket or an export directory
is what ``/log/<its path>`` answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from cunzheng.ledger.errors import InvalidProof, InvalidSignature, MalformedInput
from cunzheng.ledger.note import Checkpoint, Verifier, open_checkpoint
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.tiles import TileRef, tile_width_at, tiles_for_size

CHECKPOINT = "checkpoint"
CHECKPOINT_TYPE = "text/plain; charset=utf-8"
TILE_TYPE = "application/octet-stream"
# A full tile never changes; a partial one is replaced by a wider one as the log grows.
IMMUTABLE = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=60"
# A reader must see a new checkpoint as soon as it is there.
NO_CACHE = "no-cache"


@dataclass(frozen=True)
class StaticObject:
    """One object of the static log: its path below the log's prefix, bytes and HTTP headers."""

    path: str
    data: bytes
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class PublishedCheckpoint:
    """A signed checkpoint as a static log holds it, with how many signatures its note carries."""

    checkpoint: Checkpoint
    signatures: int
    object: StaticObject

    @property
    def rank(self) -> tuple[int, int]:
        """Return what orders two checkpoints of one log: size, then signatures (cosignatures come later)."""
        return self.checkpoint.size, self.signatures


def cache_control(ref: TileRef) -> str:
    """Return the Cache-Control of tile *ref*: immutable once full."""
    return IMMUTABLE if ref.is_full else PARTIAL


def tiles_between(old_size: int, size: int) -> list[TileRef]:
    """Return the entry bundles and hash tiles of a tree of *size* leaves that one of *old_size* lacks."""
    if not 0 <= old_size <= size:
        raise ValueError(f"tree size {old_size} is not between 0 and {size}")
    hashes = [
        ref
        for ref in tiles_for_size(size)
        if ref.level is not None and tile_width_at(ref.level, ref.index, old_size) < ref.width
    ]
    bundles = [TileRef(None, ref.index, ref.width) for ref in hashes if ref.level == 0]
    return bundles + hashes


def tile_object(reader: LogReader, ref: TileRef) -> StaticObject:
    """Return the hash tile or entry bundle *ref* as an object, read as ``/log/tile/...`` reads it."""
    data = reader.entry_bundle(ref) if ref.level is None else reader.hash_tile(ref)
    return StaticObject(ref.path(), data, TILE_TYPE, cache_control(ref))


def checkpoint_object(reader: LogReader) -> PublishedCheckpoint:
    """Return the log's latest checkpoint as ``/log/checkpoint`` serves it."""
    _, note = reader.served_checkpoint()
    return open_published(note.encode(), reader.verifier, where="the log")


def open_published(data: bytes, verifier: Verifier, *, where: str) -> PublishedCheckpoint:
    """Return the checkpoint held as *data* at *where*, which *verifier* must have signed."""
    try:
        checkpoint, note = open_checkpoint(data, verifier)
    except (MalformedInput, InvalidSignature, InvalidProof) as e:
        raise type(e)(f"the checkpoint in {where} is not one of this log's: {e}") from e
    signatures = len(note.signatures) + len(note.unverified)
    return PublishedCheckpoint(
        checkpoint, signatures, StaticObject(CHECKPOINT, data, CHECKPOINT_TYPE, NO_CACHE)
    )
