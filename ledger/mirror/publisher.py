"""Publishing the log to object storage as checkpoints are made, in the background.

After the sequencer commits a checkpoint it notifies the publisher, a thread
that brings the store up to the log's latest checkpoint (``mirror``: new
tiles, then the checkpoint). Checkpoints made while it uploads are taken
together by its next run. Every ``refresh`` seconds it also looks without
being told, for what no notification announces: witness cosignatures
gathered after the checkpoint was signed, and checkpoints committed by
another process sharing the database. A failure (the store unreachable, a bucket
missing, credentials refused) is logged and tried again after a delay that
doubles up to ``retry_max`` seconds, new checkpoints or not; the sequencer
never waits for it, and what it has not published yet is still in the
database, so a restart publishes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from cunzheng.ledger.background import BackgroundLoop
from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.mirror.sync import ObjectSink, mirror
from cunzheng.ledger.reader import LogReader

logger = logging.getLogger(__name__)


def retry_delay(failures: int, *, first: float, most: float) -> float:
    """Return the seconds to wait after *failures* failures in a row: *first*, doubling up to *most*."""
    # The exponent is bounded, so that days of failures never overflow a float.
    return min(most, first * 2.0 ** min(failures - 1, 32))


@dataclass
class MirrorPublisher:
    """Keeps an object store at the log's latest checkpoint from a background thread."""

    reader: LogReader
    sink: ObjectSink
    refresh: float = 5.0
    retry_initial: float = 0.5
    retry_max: float = 60.0
    _loop: BackgroundLoop = field(default_factory=lambda: BackgroundLoop("cunzheng-object-store"))

    def start(self) -> MirrorPublisher:
        """Start the background thread, which publishes what the log holds now; return self."""
        self._loop.start(self._run)
        return self

    def stop(self) -> None:
        """Stop the background thread (an upload under way finishes first)."""
        self._loop.stop()

    def notify(self) -> None:
        """Say that a new checkpoint may have been committed."""
        self._loop.notify()

    def _run(self) -> None:
        failures = 0
        # After a failure the retry delay was waited already: look again at once.
        while self._loop.wake_or_stop(self.refresh if failures == 0 else 0):
            try:
                mirror(self.reader, self.sink)
            except Exception as e:  # the store's failure must not end publishing
                failures += 1
                delay = retry_delay(failures, first=self.retry_initial, most=self.retry_max)
                logger.warning(
                    "publishing to %s failed (%d in a row), trying again in %.1f s: %s",
                    self.sink.where,
                    failures,
                    delay,
                    e,
                    # A store's failure is told in one line; anything else is a bug to trace.
                    exc_info=not isinstance(e, LedgerError),
                )
                self._loop.rest(delay)
            else:
                failures = 0
