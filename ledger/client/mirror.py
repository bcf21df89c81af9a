"""A client's verified copy of the registry, rebuilt from the log's public tiles.

The mirror is what a monitor keeps (``ledger.monitor``): the signed
checkpoint it last checked and the parties, keys, assets, licences and
objections that the entries up to it built, replayed through the same rules
the log enforces. So the desk resolves names and says who must sign against
the log itself, not against anything the server merely asserts. Each
refresh reads only the entries added since the last one; the names of
assets (their ``name`` particular) are kept from the entries as they pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cunzheng.ledger.bodies import AssetApply, AssetChange
from cunzheng.ledger.monitor import Fetch, MonitorState, audit
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.registry.memory import MemoryRegistry
from cunzheng.ledger.statements import parse_leaf
from cunzheng.ledger.tiles import TILE_WIDTH, decode_entry_bundle, parse_tile_path

_ENTRIES = "tile/entries/"


@dataclass
class Mirror:
    """The registry as the log's latest verified checkpoint holds it, kept up to date by ``refresh``."""

    log_key: Verifier
    state: MonitorState | None = None
    names: dict[bytes, str] = field(default_factory=dict)
    latest: datetime | None = None
    """The ``logged_at`` of the last entry replayed: the log's time, as far as the mirror knows it."""

    @property
    def size(self) -> int:
        """Return how many entries of the log the mirror has replayed."""
        return 0 if self.state is None else self.state.checkpoint.size

    @property
    def registry(self) -> MemoryRegistry:
        """Return the registry the replayed entries built."""
        return MemoryRegistry() if self.state is None else self.state.registry

    def refresh(self, fetch: Fetch) -> None:
        """Replay the entries logged since the last refresh, read through *fetch*; raise if the log misbehaves."""
        bundles: dict[str, bytes] = {}
        result = audit(_capture(fetch, bundles), log_key=self.log_key, state=self.state)
        start = 0 if self.state is None or self.state.index is None else self.size
        for path, data in bundles.items():
            first = parse_tile_path(path[len("tile/") :]).index * TILE_WIDTH
            for offset, leaf in enumerate(decode_entry_bundle(data)):
                if first + offset >= start:
                    self._take(leaf)
        self.state = result.state

    def _take(self, leaf: bytes) -> None:
        statement, logged_at = parse_leaf(leaf)
        if self.latest is None or logged_at > self.latest:
            self.latest = logged_at
        content = statement.content
        if isinstance(content, AssetApply) and content.particulars.name is not None:
            self.names[statement.hash] = content.particulars.name
        elif isinstance(content, AssetChange) and content.particulars.name is not None:
            self.names[content.asset] = content.particulars.name


def _capture(fetch: Fetch, bundles: dict[str, bytes]) -> Callable[[str], bytes]:
    def capturing(path: str) -> bytes:
        data = fetch(path)
        if path.startswith(_ENTRIES):
            bundles[path] = data
        return data

    return capturing
