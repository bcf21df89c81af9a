"""Dependencies the routers share: the parts of the running log each route uses, and the settings."""

from __future__ import annotations

from fastapi import Request

from cunzheng.ledger.clock import Clock
from cunzheng.ledger.confidential import ConfidentialParticulars
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.sequencer import Sequencer
from cunzheng.ledger.settings import Settings
from cunzheng.ledger.store import ReadOnlyStore


def get_reader(request: Request) -> LogReader:
    """Return the reader of the log this app serves."""
    reader: LogReader = request.app.state.reader
    return reader


def get_sequencer(request: Request) -> Sequencer:
    """Return the sequencer that appends to the log this app serves."""
    sequencer: Sequencer = request.app.state.sequencer
    return sequencer


def get_registry(request: Request) -> ReadOnlyStore:
    """Return the registry's state, read-only, for the court's questions."""
    registry: ReadOnlyStore = request.app.state.registry
    return registry


def get_confidential(request: Request) -> ConfidentialParticulars:
    """Return the keeper of confidential particulars."""
    particulars: ConfidentialParticulars = request.app.state.confidential
    return particulars


def get_settings(request: Request) -> Settings:
    """Return the settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_clock(request: Request) -> Clock:
    """Return the clock the app was created with: "now" for defaults and signed-request windows."""
    now: Clock = request.app.state.now
    return now
