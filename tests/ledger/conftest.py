"""Fixtures of the ledger tests: a registry world on a started log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cunzheng.ledger.log import Log
from cunzheng.ledger.note import Signer
from cunzheng.ledger.store import Store
from tests.ledger.registry_world import Clock, World


@pytest.fixture
def world(store: Store, log_signer: Signer) -> Iterator[World]:
    clock = Clock()
    log = Log(store, log_signer, batch_size=32, batch_wait=0.001, now=clock).start()
    yield World(log, clock)
    log.stop()
