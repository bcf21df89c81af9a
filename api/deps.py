"""Dependencies the routers share: the running log and the settings."""

from __future__ import annotations

from fastapi import Request

from cunzheng.ledger.log import Log
from cunzheng.ledger.settings import Settings


def get_log(request: Request) -> Log:
    """Return the log this app serves."""
    log: Log = request.app.state.log
    return log


def get_settings(request: Request) -> Settings:
    """Return the settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings
