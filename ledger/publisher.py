"""The publisher: independent evidence of when each checkpoint existed and that others saw it.

After the sequencer commits a checkpoint, the publisher (a background
thread, at most once per ``interval``) takes the latest checkpoint and

1. obtains RFC 3161 time-stamp tokens over it from the log's own TSA and from
   every configured external TSA; a token's message imprint is the SHA-256 of
   the signed checkpoint note as the log signed it (``checkpoint_imprint``);
2. submits it to every configured witness (C2SP tlog-witness) and keeps the
   cosigned note (C2SP tlog-cosignature).

Both are stored beside the checkpoint and served with it; receipts and
evidence bundles carry them. A TSA or witness that fails is logged and
tried again with the next checkpoint: it never holds up the sequencer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cunzheng.ledger.background import BackgroundLoop
from cunzheng.ledger.cosignature import CosignatureVerifier
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.store import Store
from cunzheng.ledger.tsa.authority import TimeStampAuthority
from cunzheng.ledger.tsa.client import fetch_token
from cunzheng.ledger.verify import checkpoint_imprint
from cunzheng.ledger.witness.client import WitnessEndpoint, gather

logger = logging.getLogger(__name__)


def witness_endpoints(specs: Sequence[str]) -> list[WitnessEndpoint]:
    """Return the witnesses named by settings entries of the form ``<url> <verifier key>``."""
    endpoints = []
    for spec in specs:
        url, _, vkey = spec.strip().partition(" ")
        if not url or not vkey:
            raise LedgerError(f"witness setting {spec!r} must be '<url> <witness verifier key>'")
        endpoints.append(WitnessEndpoint(url, CosignatureVerifier.from_string(vkey.strip())))
    return endpoints


@dataclass
class Publisher:
    """Time-stamps and cosigns the latest checkpoint in the background."""

    store: Store
    proof_fn: Callable[[int, int], Sequence[bytes]]
    tsa: TimeStampAuthority | None = None
    external_tsas: Sequence[str] = ()
    witnesses: Sequence[WitnessEndpoint] = ()
    interval: float = 1.0
    _loop: BackgroundLoop = field(default_factory=lambda: BackgroundLoop("cunzheng-publisher"))
    _old_sizes: dict[str, int] = field(default_factory=dict)
    _done: int = -1

    def start(self) -> Publisher:
        """Start the background thread; return self."""
        self._loop.start(self._run)
        return self

    def stop(self) -> None:
        """Stop the background thread."""
        self._loop.stop()

    def notify(self) -> None:
        """Say that a new checkpoint may have been published."""
        self._loop.notify()

    def _run(self) -> None:
        while self._loop.wake_or_stop():
            try:
                self.publish_latest()
            except Exception:  # a failing TSA or witness must not stop publishing
                logger.exception("publishing the latest checkpoint failed")
            self._loop.rest(self.interval)

    def publish_latest(self) -> None:
        """Time-stamp and cosign the latest checkpoint, unless that was already done."""
        latest = self.store.latest_checkpoint_row()
        if latest is None or latest[0] == self._done:
            return
        size, note = latest
        tokens = self._tokens(note)
        cosigned = self._cosigned(note)
        self.store.put_checkpoint_evidence(size, tokens=tokens, cosigned=cosigned)
        self._done = size

    def _tokens(self, note: str) -> list[bytes]:
        digest = checkpoint_imprint(note)
        tokens = [self.tsa.issue_for_digest(digest)] if self.tsa is not None else []
        for url in self.external_tsas:
            try:
                tokens.append(fetch_token(url, digest))
            except Exception as e:
                logger.warning("external TSA %s gave no token: %s", url, e)
        return tokens

    def _cosigned(self, note: str) -> str | None:
        if not self.witnesses:
            return None
        try:
            return gather(
                note, proof_fn=self.proof_fn, witnesses=self.witnesses, old_sizes=self._old_sizes
            )
        except Exception as e:
            logger.warning("gathering cosignatures failed: %s", e)
            return None
