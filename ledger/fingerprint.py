"""Fingerprints: one digest that commits to a file, a directory tree or a table of records.

A file is committed by its SHA-256. A dataset is committed by the RFC 9162
Merkle root over one leaf per item, so that one item can later be disclosed
with an inclusion proof (``ledger.disclosure``) without revealing the others:

- directory: every regular file below it, sorted by relative path (POSIX
  separators, Unicode NFC, compared by code point); leaf
  ``{"path": <path>, "sha256": <hex>}``. Symbolic links, devices, sockets
  and pipes are refused; empty directories leave no trace.
- records (CSV, JSON Lines): leaf ``{"i": <index>, "sha256": <hex>}`` for
  record i. A JSON Lines record is a line's bytes without its LF or CRLF. A
  CSV record is a parsed row (RFC 4180 quoting, UTF-8 with an optional BOM),
  encoded as the canonical JSON array of its fields; the header row, if the
  file has one, is record 0 like any other row, and blank lines are skipped.

Leaves are RFC 8785 canonical JSON. Salting hides low-entropy content: a
salted digest is SHA-256(salt || content) with a random 32-byte salt, and in
a dataset item i gets its own salt HMAC-SHA256(master, uint64 big-endian i),
so that disclosing one item's salt reveals nothing about the others. A
salted directory leaf commits to SHA-256(salt_i || SHA-256(file)): so a
disclosure carries the file's plain SHA-256, which anyone can check against
the file, and its salt is bound by the proof.

Everything streams: memory stays constant in the size of the data (a
directory's file list excepted); per-item digests go to an ``on_item`` sink,
which the ``ManifestWriter`` writes out as they come.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import orjson

from cunzheng.ledger.canonical import canonical_json
from cunzheng.ledger.digest import CHUNK_SIZE, sha256_file
from cunzheng.ledger.errors import Conflict, MalformedInput
from cunzheng.ledger.merkle import Frontier, leaf_hash

if TYPE_CHECKING:  # the manifest model costs pydantic; `cunzheng hash FILE` needs none of it
    from cunzheng.schemas.fingerprints import Kind, Manifest, RecordFormat

SALT_SIZE = 32
Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in total) as hashing proceeds."""

# Records between progress reports: often enough to look smooth, rare enough to cost nothing.
_PROGRESS_EVERY = 4096
_SUFFIXES: dict[str, RecordFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def commit(content: bytes, salt: bytes | None = None) -> tuple[bytes, bytes]:
    """Return (SHA-256(salt || content), salt), drawing a random 32-byte salt if none is given."""
    if salt is None:
        salt = secrets.token_bytes(SALT_SIZE)
    elif len(salt) != SALT_SIZE:
        # The log accepts the deposit of a confidential particular only with a 32-byte salt.
        raise MalformedInput(
            f"a salt has {SALT_SIZE} bytes, not {len(salt)}: a commitment's salt must be "
            f"{SALT_SIZE} random bytes, kept to deposit the text, which no other salt could."
        )
    return hashlib.sha256(salt + content).digest(), salt


def item_salt(master: bytes, index: int) -> bytes:
    """Return the salt of item *index* of a dataset: HMAC-SHA256(master, uint64 big-endian index)."""
    return hmac.digest(_check_salt(master), index.to_bytes(8, "big"), "sha256")


def record_digest(record: bytes, salt: bytes | None) -> bytes:
    """Return the digest a record leaf commits to: SHA-256(salt || record), or SHA-256(record)."""
    h = hashlib.sha256() if salt is None else hashlib.sha256(salt)
    h.update(record)
    return h.digest()


def record_leaf(index: int, digest: bytes) -> bytes:
    """Return the leaf of record *index*: the canonical JSON of {"i": index, "sha256": hex}."""
    # Written out rather than via canonical_json: this is its output, at a fifth of the cost.
    return b'{"i":%d,"sha256":"%s"}' % (index, digest.hex().encode())


def file_commitment(file_sha256: bytes, salt: bytes | None) -> bytes:
    """Return the digest a directory leaf commits to: the file's SHA-256, or SHA-256(salt || it)."""
    return file_sha256 if salt is None else hashlib.sha256(salt + file_sha256).digest()


def file_leaf(path: str, digest: bytes) -> bytes:
    """Return the leaf of a directory's file: the canonical JSON of {"path": path, "sha256": hex}."""
    try:
        return canonical_json({"path": path, "sha256": digest.hex()})
    except TypeError:
        raise MalformedInput(f"path {path!r} is not valid Unicode text") from None


def file_digest(
    path: str | Path, *, salt: bytes | None = None, progress: Progress | None = None
) -> bytes:
    """Return SHA-256 of the file at *path* (of salt || its bytes, if salted), in constant memory."""
    if salt is None and progress is None:
        return sha256_file(path)
    digest = hashlib.sha256() if salt is None else hashlib.sha256(_check_salt(salt))
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    done = 0
    with open(path, "rb", buffering=0) as f:
        total = os.fstat(f.fileno()).st_size
        while n := f.readinto(buffer):
            digest.update(view[:n])
            done += n
            if progress is not None:
                progress(done, total)
    return digest.digest()


@dataclass(frozen=True)
class DirectoryFile:
    """A regular file found in a directory: its normalised relative path, location and size."""

    path: str
    location: Path
    size: int


def list_directory(top: str | Path) -> list[DirectoryFile]:
    """Return the regular files below *top* in leaf order, refusing links and special files."""
    top = Path(top)
    if not top.is_dir():
        raise MalformedInput(f"{top} is not a directory")
    found: dict[str, DirectoryFile] = {}
    pending = [(top, "")]
    while pending:
        directory, prefix = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                rel = prefix + _normalised_name(entry.name, entry.path)
                if entry.is_symlink():
                    raise MalformedInput(
                        f"{entry.path} is a symbolic link; a fingerprint covers regular files "
                        "only: replace the link by a copy of its target, or move it out"
                    )
                if entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), rel + "/"))
                elif entry.is_file(follow_symlinks=False):
                    if rel in found:
                        raise MalformedInput(
                            f"{entry.path} and {found[rel].location} have the same name once "
                            "normalised to Unicode NFC; rename one of them"
                        )
                    size = entry.stat(follow_symlinks=False).st_size
                    found[rel] = DirectoryFile(rel, Path(entry.path), size)
                else:
                    raise MalformedInput(
                        f"{entry.path} is not a regular file (a device, socket or pipe); "
                        "a fingerprint covers regular files only: move it out"
                    )
    return [found[p] for p in sorted(found)]


def iter_records(
    path: str | Path, record_format: RecordFormat, *, progress: Progress | None = None
) -> Iterator[bytes]:
    """Yield the bytes of each record of a CSV or JSON Lines file, in order."""
    with open(path, "rb") as f:
        total = os.fstat(f.fileno()).st_size
        if record_format == "jsonl":
            yield from _jsonl_records(f, total, progress)
        else:
            yield from _csv_records(f, total, progress, str(path))
        if progress is not None:
            progress(total, total)


def read_record(path: str | Path, record_format: RecordFormat, index: int) -> bytes:
    """Return the bytes of record *index* of a CSV or JSON Lines file."""
    count = 0
    for record in iter_records(path, record_format):
        if count == index:
            return record
        count += 1
    raise MalformedInput(f"{path} has no record {index}: it holds {count} records")


def detect_format(path: str | Path) -> Literal["file", "directory", "csv", "jsonl"]:
    """Return how *path* is fingerprinted by default: by kind for directories, else by suffix."""
    p = Path(path)
    if p.is_dir():
        return "directory"
    return _SUFFIXES.get(p.suffix.lower(), "file")


@dataclass(frozen=True)
class Fingerprint:
    """The commitment to a file or dataset: its root (a file's digest), size and master salt."""

    kind: Kind
    record_format: RecordFormat | None
    root: bytes
    count: int
    salt: bytes | None


ItemSink = Callable[[str | None, bytes], None]
"""Receives, in leaf order, a file's path and plain SHA-256, or None and a record's digest."""


def fingerprint_file(
    path: str | Path, *, salt: bytes | None = None, progress: Progress | None = None
) -> Fingerprint:
    """Return the fingerprint of one file: its (salted) SHA-256."""
    if Path(path).is_dir():
        raise MalformedInput(f"{path} is a directory; fingerprint it as a directory")
    return Fingerprint("file", None, file_digest(path, salt=salt, progress=progress), 1, salt)


def fingerprint_directory(
    path: str | Path,
    *,
    salt: bytes | None = None,
    progress: Progress | None = None,
    on_item: ItemSink | None = None,
) -> Fingerprint:
    """Return the fingerprint of a directory: the Merkle root over its regular files."""
    files = list_directory(path)
    total = sum(f.size for f in files)
    frontier = Frontier.empty()
    done = 0
    for i, f in enumerate(files):
        watch = None
        if progress is not None and f.size >= CHUNK_SIZE:
            watch = _shifted(progress, done, total)
        digest = file_digest(f.location, progress=watch)
        salt_i = None if salt is None else item_salt(salt, i)
        frontier.append(leaf_hash(file_leaf(f.path, file_commitment(digest, salt_i))))
        done += f.size
        if on_item is not None:
            on_item(f.path, digest)
        if progress is not None:
            progress(done, total)
    return Fingerprint("directory", None, frontier.root(), frontier.size, salt)


def fingerprint_records(
    path: str | Path,
    record_format: RecordFormat,
    *,
    salt: bytes | None = None,
    progress: Progress | None = None,
    on_item: ItemSink | None = None,
) -> Fingerprint:
    """Return the fingerprint of a CSV or JSON Lines file: the Merkle root over its records."""
    frontier = Frontier.empty()
    if salt is not None:
        _check_salt(salt)
    for i, record in enumerate(iter_records(path, record_format, progress=progress)):
        digest = record_digest(record, None if salt is None else item_salt(salt, i))
        frontier.append(leaf_hash(record_leaf(i, digest)))
        if on_item is not None:
            on_item(None, digest)
    return Fingerprint("records", record_format, frontier.root(), frontier.size, salt)


def dataset_body(manifest: Fingerprint | Manifest) -> dict[str, Any]:
    """Return the statement body that commits to a dataset: root, scheme, count and format."""
    if manifest.kind == "file":
        raise MalformedInput('a single file is stamped by its digest, {"sha256": ...}')
    body: dict[str, Any] = {
        "root": manifest.root.hex(),
        "scheme": manifest.kind,
        "count": manifest.count,
    }
    if manifest.record_format is None:
        return body
    return body | {"format": manifest.record_format}


def statement_body(manifest: Fingerprint | Manifest) -> dict[str, Any]:
    """Return the statement body to stamp: {"sha256": ...} for a file, else dataset_body."""
    if manifest.kind == "file":
        return {"sha256": manifest.root.hex()}
    return dataset_body(manifest)


class ManifestWriter:
    """Writes a manifest as its items arrive; the file appears, mode 0600, only once finished."""

    def __init__(
        self,
        out: str | Path,
        *,
        kind: Kind,
        record_format: RecordFormat | None,
        source: str | None,
        salt: bytes | None,
    ) -> None:
        self._out = Path(out)
        if self._out.exists():
            raise Conflict(
                f"{out} already exists; a manifest may hold the only copy of a salt, so it is "
                "never overwritten: choose another --manifest or move the old one away"
            )
        self._part = self._out.with_name(self._out.name + ".part")
        # 0600: the salts in a manifest are what keeps low-entropy content from being guessed.
        fd = os.open(self._part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._f = io.BufferedWriter(io.FileIO(fd, "wb", closefd=True), CHUNK_SIZE)
        self._kind = kind
        self._first = True
        from cunzheng.schemas.fingerprints import MANIFEST_FORMAT

        head = {
            "format": MANIFEST_FORMAT,
            "kind": kind,
            "record_format": record_format,
            "source": source,
            "salt": None if salt is None else salt.hex(),
        }
        self._f.write(b"{\n" + b"".join(b"  %s: %s,\n" % _pair(k, v) for k, v in head.items()))
        if kind != "file":
            self._f.write(b'  "files": [' if kind == "directory" else b'  "records": [')

    def item(self, path: str | None, digest: bytes) -> None:
        """Append one item's entry: a file's path and digest, or a record's digest."""
        entry = digest.hex() if path is None else {"path": path, "sha256": digest.hex()}
        self._f.write((b"\n    " if self._first else b",\n    ") + orjson.dumps(entry))
        self._first = False

    def finish(self, fingerprint: Fingerprint) -> None:
        """Write the count and root, then move the manifest into place."""
        if self._kind != "file":
            self._f.write(b"],\n" if self._first else b"\n  ],\n")
        count, root = fingerprint.count, fingerprint.root.hex().encode()
        self._f.write(b'  "count": %d,\n  "root": "%s"\n}\n' % (count, root))
        self._f.flush()
        os.fsync(self._f.fileno())
        self._f.close()
        if self._out.exists():
            raise Conflict(f"{self._out} appeared while hashing; the manifest is in {self._part}")
        self._part.replace(self._out)

    def __enter__(self) -> ManifestWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._f.closed:
            self._f.close()
            self._part.unlink(missing_ok=True)


def _shifted(progress: Progress, base: int, total: int) -> Progress:
    def report(done: int, _: int) -> None:
        progress(base + done, total)

    return report


def _pair(key: str, value: Any) -> tuple[bytes, bytes]:
    try:
        return orjson.dumps(key), orjson.dumps(value)
    except orjson.JSONEncodeError:
        raise MalformedInput(f"the manifest's {key} {value!r} is not valid Unicode text") from None


def _check_salt(salt: bytes) -> bytes:
    if len(salt) != SALT_SIZE:
        raise MalformedInput(f"a salt has {SALT_SIZE} bytes, not {len(salt)}")
    return salt


def _normalised_name(name: str, where: str) -> str:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedInput(
            f"{where!r}: the file name is not valid UTF-8; rename it so that the path can "
            "be written in the fingerprint"
        ) from None
    return unicodedata.normalize("NFC", name)


def _jsonl_records(f: io.BufferedReader, total: int, progress: Progress | None) -> Iterator[bytes]:
    done = 0
    for n, line in enumerate(f, 1):
        done += len(line)
        if line.endswith(b"\n"):
            line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        yield line
        if progress is not None and n % _PROGRESS_EVERY == 0:
            progress(done, total)


def _csv_records(
    f: io.BufferedReader, total: int, progress: Progress | None, name: str
) -> Iterator[bytes]:
    rows = csv.reader(_text_lines(f, total, progress, name), strict=True)
    try:
        for row in rows:
            if row:
                # A list of str is within the subset canonical_json checks: orjson's output is JCS.
                yield orjson.dumps(row)
    except csv.Error as e:
        reason = str(e)
        if reason.startswith("new-line character seen in unquoted field"):
            reason = "a line ends with a bare CR; rows must end with LF or CRLF"
        raise MalformedInput(f"{name}: CSV line {rows.line_num}: {reason}") from None


def _text_lines(
    f: io.BufferedReader, total: int, progress: Progress | None, name: str
) -> Iterator[str]:
    """Yield the file's lines as text, decoded one by one so that an error names its line."""
    done = 0
    for n, raw in enumerate(f, 1):
        line = raw.removeprefix(b"\xef\xbb\xbf") if n == 1 else raw
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as e:
            at = done + len(raw) - len(line) + e.start
            raise MalformedInput(
                f"{name} is not UTF-8 text: line {n}, byte {at}: {e.reason}; "
                "convert it to UTF-8, or fingerprint it with --format file"
            ) from None
        done += len(raw)
        if progress is not None and n % _PROGRESS_EVERY == 0:
            progress(done, total)
