"""A monitor: audit a log as an outsider would, from its tiles alone.

``audit`` decides (pure); ``run`` fetches a log's tiles over HTTP and keeps
the monitor's state file between runs.
"""

from cunzheng.ledger.monitor.audit import Audit, Fetch, Misbehaviour, audit
from cunzheng.ledger.monitor.runner import http_fetch, load_state, run, save_state
from cunzheng.ledger.monitor.state import MonitorState

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
