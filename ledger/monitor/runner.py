"""The monitor's I/O: reading a log's tiles over HTTP, and the state file kept between runs.

``ledger.monitor`` decides; this module only fetches and persists. The log
is read as C2SP tlog-tiles below ``<base URL>/log/``: a 404 becomes NotFound
(a partial tile may be gone once its full tile exists, which the monitor
handles), any other failure a LedgerError that says what could not be read.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from cunzheng.ledger.cosignature import WitnessPolicy
from cunzheng.ledger.durable import write_atomically
from cunzheng.ledger.errors import LedgerError, NotFound
from cunzheng.ledger.monitor.audit import Audit, Fetch, MonitorState, audit
from cunzheng.ledger.note import Verifier

# A full entry bundle is at most 256 entries of 2 + 65,535 bytes.
MAX_RESPONSE = 256 * (2 + 0xFFFF)


def http_fetch(client: httpx.Client, prefix: str) -> Fetch:
    """Return a Fetch that reads paths below the tlog-tiles *prefix* (e.g. ``http://host/log``)."""
    base = prefix.rstrip("/") + "/"

    def fetch(path: str) -> bytes:
        url = base + path
        try:
            with client.stream("GET", url) as response:
                if response.status_code == 404:
                    raise NotFound(f"{url} is not there (404)")
                if response.status_code != 200:
                    raise LedgerError(f"GET {url} answered {response.status_code}")
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_RESPONSE:
                        raise LedgerError(f"GET {url}: the answer is over {MAX_RESPONSE} bytes")
                return bytes(data)
        except httpx.HTTPError as e:
            raise LedgerError(f"cannot read {url}: {e}") from None

    return fetch


def load_state(path: Path, log_key: Verifier) -> MonitorState | None:
    """Return the monitor state in *path*, or None if there is no such file yet."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return MonitorState.from_json(data, log_key)


def save_state(path: Path, state: MonitorState, log_key: Verifier) -> None:
    """Write *state* to *path*, atomically."""
    write_atomically(path, state.to_json(log_key))


def run(
    url: str,
    *,
    log_key: Verifier,
    state_path: Path | None,
    policy: WitnessPolicy | None = None,
    timeout: float = 60.0,
) -> Audit:
    """Return the audit of the log at base *url*; on success save the new state to *state_path*."""
    state = load_state(state_path, log_key) if state_path is not None else None
    with httpx.Client(timeout=timeout) as client:
        result = audit(
            http_fetch(client, url.rstrip("/") + "/log"),
            log_key=log_key,
            state=state,
            policy=policy,
        )
    if state_path is not None:
        save_state(state_path, result.state, log_key)
    return result
