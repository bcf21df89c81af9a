"""The app on a fresh database, driven in-process, on a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.api.app import create_app
from cunzheng.ledger.settings import Settings
from tests.conftest import FixedClock, registration


@pytest.fixture
def client(
    database_url: str, tmp_path: Path, holder: SigningKey, clock: FixedClock
) -> Iterator[TestClient]:
    """A client of the app, on a log whose operator is entry 0 and whose holder is entry 1.

    The log's clock is ``clock``: a test that needs time to pass moves it. A body sent
    to ``/v1/`` without a Content-Type goes as ``application/json``, as a client sends it;
    tests of the media type set theirs.
    """
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        batch_wait_ms=1,
        max_batch_request=300,
    )
    with TestClient(create_app(settings, now=clock)) as c:
        c.event_hooks = {"request": [_json_by_default]}
        assert c.post("/v1/statements", content=registration(holder).canonical).status_code == 201
        yield c


def _json_by_default(request: httpx.Request) -> None:
    if request.url.path.startswith("/v1/") and "content-type" not in request.headers:
        request.headers["Content-Type"] = "application/json"
