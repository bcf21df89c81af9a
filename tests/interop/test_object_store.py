"""The log read from object storage alone: published to a real S3 server, audited by Go's tlog client.

The service publishes to SeaweedFS (``tests/interop/seaweedfs.py``), an S3
server started for the session; the Go client of ``test_go_tlog_client``
(``golang.org/x/mod/sumdb/tlog`` and ``note``, nothing of Cunzheng's) then
reads the bucket anonymously over plain HTTP, as a reader behind a static
host or CDN would, and never the service: it checks the checkpoint's
signature, the tiles against its root, every entry's inclusion and the
consistency of an earlier checkpoint with the newer one. The same client
audits ``cunzheng export``'s directory served by a plain file server.
"""

from __future__ import annotations

import functools
import logging
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from nacl.signing import SigningKey

from cunzheng.ledger.committed import CommittedTree
from cunzheng.ledger.keyfiles import LOG_KEY_FILE, OPERATOR_KEY_FILE, read_key
from cunzheng.ledger.mirror import (
    CHECKPOINT,
    MirrorResult,
    S3Sink,
    StaticObject,
    Stored,
    mirror,
    tiles_between,
)
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.store import Store
from tests.conftest import (
    PG_URL,
    LiveServer,
    log_through_app,
    run_cli,
    serve_in_thread,
    server_settings,
    stop_server,
)
from tests.interop import seaweedfs as s3_server
from tests.interop import test_go_tlog_client as go_tlog
from tests.interop.seaweedfs import ACCESS_KEY, SECRET_KEY, S3Server
from tests.interop.test_go_tlog_client import GoClient, submit

# The session's fixtures: the S3 server and the Go client, built once.
seaweedfs = s3_server.seaweedfs
tlogclient = go_tlog.tlogclient
# The log's objects lie below <bucket>/log/, where the Go client looks for them.
PREFIX = "log"


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The S3 server's credentials in the usual AWS variables, and no AWS configuration of the host's."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


def publishing(
    data_dir: Path, s3: S3Server, bucket: str, *, database_url: str = "sqlite"
) -> Settings:
    """Return the settings of a log in *data_dir* (default: on SQLite there) that publishes to *bucket*."""
    return server_settings(
        data_dir, database_url, s3_bucket=bucket, s3_prefix=PREFIX, s3_endpoint=s3.endpoint
    )


def served_checkpoint(server: LiveServer) -> bytes:
    """Return the service's latest checkpoint, as it serves it."""
    return httpx.get(f"{server.url}/log/checkpoint", timeout=10).content


def wait_for_checkpoint(s3: S3Server, bucket: str, note: bytes) -> None:
    """Return once the bucket holds the checkpoint *note*."""
    deadline = time.monotonic() + 30
    while (held := s3.read(bucket, f"{PREFIX}/{CHECKPOINT}")) != note:
        assert time.monotonic() < deadline, f"the bucket holds {held!r}, not {note!r}"
        time.sleep(0.1)


def bucket_client(binary: Path, s3: S3Server, bucket: str, vkey: str) -> GoClient:
    """Return the Go client pointed at the bucket's public URL (it adds ``/log``)."""
    return GoClient(binary, f"{s3.endpoint}/{bucket}", vkey)


def tree_size(note: bytes) -> int:
    """Return the tree size a checkpoint note names (its second line)."""
    return int(note.split(b"\n")[1])


def test_the_service_publishes_what_it_serves_and_the_bucket_alone_is_audited(
    database_url: str,
    tmp_path: Path,
    seaweedfs: S3Server,
    aws_credentials: None,
    tlogclient: Path,
    holder: SigningKey,
) -> None:
    bucket = seaweedfs.new_bucket()
    server = serve_in_thread(
        publishing(tmp_path / "data", seaweedfs, bucket, database_url=database_url)
    )
    try:
        go = bucket_client(tlogclient, seaweedfs, bucket, server.vkey)
        submit(server, holder, 0, 300)
        wait_for_checkpoint(seaweedfs, bucket, served_checkpoint(server))
        first = go.ok("audit", "-save", str(tmp_path / "first"))

        submit(server, holder, 300, 300)
        latest = served_checkpoint(server)
        wait_for_checkpoint(seaweedfs, bucket, latest)

        consistency = go.ok("consistency", "-old", str(tmp_path / "first"))
        audit = go.ok("audit")
        keys = seaweedfs.keys(bucket)
        for key in keys:
            public = httpx.get(f"{seaweedfs.endpoint}/{bucket}/{key}", timeout=10)
            served = httpx.get(f"{server.url}/{key}", timeout=10)
            assert (public.status_code, served.status_code) == (200, 200), key
            assert public.content == served.content, key
            for header in ("Content-Type", "Cache-Control"):
                assert public.headers[header] == served.headers[header], (key, header)
    finally:
        stop_server(server)

    size = tree_size(latest)
    assert (first["size"], first["verified"]) == (300, 300)
    assert (consistency["old_size"], consistency["size"], consistency["consistent"]) == (
        300,
        size,
        True,
    )
    assert (audit["size"], audit["verified"]) == (size, size)
    assert {f"{PREFIX}/{ref.path()}" for ref in tiles_between(0, size)} < set(keys)


class DiesBeforeCheckpoint(S3Sink):
    """A bucket whose writer dies after uploading the tiles and before the checkpoint."""

    def replace_checkpoint(self, obj: StaticObject, *, expected: Stored | None) -> None:
        raise SystemExit("killed between the tiles and the checkpoint")


@contextmanager
def log_reader(settings: Settings) -> Iterator[LogReader]:
    """Yield a reader of the log of *settings*, as ``cunzheng export`` opens one."""
    store = Store.open(settings.resolved_database_url())
    try:
        verifier = read_key(settings.data_dir / LOG_KEY_FILE).verifier()
        yield LogReader(store, verifier, CommittedTree(store.read_tiles))
    finally:
        store.close()


def test_a_crash_between_tiles_and_checkpoint_leaves_a_bucket_the_client_accepts(
    tmp_path: Path,
    seaweedfs: S3Server,
    aws_credentials: None,
    tlogclient: Path,
    holder: SigningKey,
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    bucket = seaweedfs.new_bucket()
    old_size = log_through_app(settings, holder, 298)
    with log_reader(settings) as reader:
        go = bucket_client(tlogclient, seaweedfs, bucket, reader.verifier.to_string())
        target = {"bucket": bucket, "prefix": PREFIX, "endpoint": seaweedfs.endpoint}
        mirror(reader, S3Sink(**target))
        go.ok("audit", "-save", str(tmp_path / "before"))
        size = log_through_app(settings, holder, 300, first=298)

        with pytest.raises(SystemExit):
            mirror(reader, DiesBeforeCheckpoint(**target))
        after_crash = go.ok("audit")
        resumed = mirror(reader, S3Sink(**target))

    new_tiles = {f"{PREFIX}/{ref.path()}" for ref in tiles_between(old_size, size)}
    assert new_tiles <= set(seaweedfs.keys(bucket))
    assert (after_crash["size"], after_crash["verified"]) == (old_size, old_size)
    assert resumed == MirrorResult(size, old_size, len(new_tiles) + 1)
    assert go.ok("consistency", "-old", str(tmp_path / "before"))["size"] == size
    assert go.ok("audit")["verified"] == size


def test_the_publisher_retries_until_the_bucket_is_there(
    tmp_path: Path,
    seaweedfs: S3Server,
    aws_credentials: None,
    holder: SigningKey,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bucket = seaweedfs.bucket_name()
    caplog.set_level(logging.WARNING, logger="cunzheng.ledger.mirror.publisher")
    server = serve_in_thread(publishing(tmp_path / "data", seaweedfs, bucket))
    try:
        submit(server, holder, 0, 20)
        deadline = time.monotonic() + 30
        while "NoSuchBucket" not in caplog.text:
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.05)
        seaweedfs.client.create_bucket(Bucket=bucket)
        wait_for_checkpoint(seaweedfs, bucket, served_checkpoint(server))
    finally:
        stop_server(server)

    assert f"publishing to s3://{bucket}/{PREFIX} failed (1 in a row), trying again" in caplog.text


@pytest.mark.skipif(PG_URL is None, reason="several frontends share a PostgreSQL log")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_frontends_on_one_database_publish_one_bucket_that_never_goes_back(
    database_url: str,
    tmp_path: Path,
    seaweedfs: S3Server,
    aws_credentials: None,
    tlogclient: Path,
    holder: SigningKey,
) -> None:
    bucket = seaweedfs.new_bucket()
    first = serve_in_thread(
        publishing(tmp_path / "a", seaweedfs, bucket, database_url=database_url)
    )
    (tmp_path / "b").mkdir()
    for key in (LOG_KEY_FILE, OPERATOR_KEY_FILE):
        shutil.copy2(tmp_path / "a" / key, tmp_path / "b" / key)
    second = serve_in_thread(
        publishing(tmp_path / "b", seaweedfs, bucket, database_url=database_url)
    )
    seen: list[int] = []
    with watching(seaweedfs, bucket, seen):
        try:
            submit(first, holder, 0, 150)
            for round_ in range(1, 5):
                submit((first, second)[round_ % 2], holder, 150 * round_, 150)
            latest = served_checkpoint(second)
            assert served_checkpoint(first) == latest
            wait_for_checkpoint(seaweedfs, bucket, latest)
        finally:
            stop_server(second)
            stop_server(first)

    audit = bucket_client(tlogclient, seaweedfs, bucket, first.vkey).ok("audit")
    assert (audit["size"], audit["verified"]) == (tree_size(latest), tree_size(latest))
    assert seen == sorted(seen), "the bucket's checkpoint went back"
    assert len(set(seen)) > 1


@contextmanager
def watching(s3: S3Server, bucket: str, seen: list[int]) -> Iterator[None]:
    """Record the size of the bucket's checkpoint, as often as it can be read, while the block runs."""
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            note = s3.read(bucket, f"{PREFIX}/{CHECKPOINT}")
            if note is not None:
                seen.append(tree_size(note))

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@contextmanager
def file_server(root: Path) -> Iterator[str]:
    """Serve the files below *root* on loopback, as any static host would; yield its URL."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_an_export_directory_is_audited_from_a_plain_file_server(
    tmp_path: Path,
    tlogclient: Path,
    holder: SigningKey,
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    old_size = log_through_app(settings, holder, 298)
    root = tmp_path / "www"
    export = ["export", "--data-dir", str(settings.data_dir), "--out", str(root / "log")]
    vkey = read_key(settings.data_dir / LOG_KEY_FILE).verifier().to_string()

    with file_server(root) as url:
        go = GoClient(tlogclient, url, vkey)
        assert run_cli(*export).returncode == 0
        before = go.ok("audit", "-save", str(tmp_path / "before"))
        size = log_through_app(settings, holder, 300, first=298)
        again = run_cli(*export)
        consistency = go.ok("consistency", "-old", str(tmp_path / "before"))
        audit = go.ok("audit")

    assert (before["size"], before["verified"]) == (old_size, old_size)
    assert again.stdout == (
        f"exported the log's tree of size {size} to {root / 'log'} (up from size {old_size}): "
        f"{len(tiles_between(old_size, size)) + 1} files written, the checkpoint last\n"
    )
    assert (consistency["old_size"], consistency["size"]) == (old_size, size)
    assert (audit["size"], audit["verified"]) == (size, size)
