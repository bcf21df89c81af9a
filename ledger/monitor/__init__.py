"""A monitor: audit a log as an outsider would, from its tiles alone.

``audit`` decides (pure); ``run`` fetches a log's tiles over HTTP and keeps
the monitor's state file between runs. The HTTP side is imported when first
used, so that ``cunzheng rebuild``, which raises the same ``Misbehaviour``,
does not load an HTTP client.
"""

from typing import TYPE_CHECKING, Any

from cunzheng.ledger.monitor.audit import Audit, Fetch, audit
from cunzheng.ledger.monitor.misbehaviour import Misbehaviour
from cunzheng.ledger.monitor.state import MonitorState

if TYPE_CHECKING:
    from cunzheng.ledger.monitor.runner import http_fetch, load_state, run, save_state

_RUNNER = ("http_fetch", "load_state", "run", "save_state")


def __getattr__(name: str) -> Any:
    if name in _RUNNER:
        from cunzheng.ledger.monitor import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Audit",
    "Fetch",
    "Misbehaviour",
    "MonitorState",
    "audit",
    "http_fetch",
    "load_state",
    "run",
    "save_state",
]
