"""What the sequencer counts, as Prometheus metrics in a registry of its own.

Each ``Sequencer`` keeps one ``SequencerMetrics``, whose ``CollectorRegistry``
is not the process-wide default: two logs in one process (tests create many
apps) never register a metric twice. The API renders ``registry`` in the
Prometheus text exposition format at ``/metrics`` (docs/operations.md lists
every metric). Gauges that describe state (the log's size, the checkpoint's
age) are read when scraped, never pushed.

The checkpoint's age is that of the log's latest checkpoint, whichever process
signed it: a service started on an existing log reports it before it signs
one of its own. The time is held, and read again from the store only once the
log has grown past the checkpoint it dates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from cunzheng.ledger.clock import Clock
from cunzheng.ledger.committed import Outcome
from cunzheng.ledger.errors import RuleViolation
from cunzheng.ledger.store import ReadOnlyStore

__all__ = ["SequencerMetrics"]

logger = logging.getLogger(__name__)

# Powers of two up to the largest batch a CUNZHENG_BATCH_SIZE of 1024 closes, and beyond
# it for add_all's batches, which are never split.
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, float("inf"))
# One transaction: SQLite commits in milliseconds, a remote PostgreSQL in tens of them.
_LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    float("inf"),
)


class SequencerMetrics:
    """The sequencer's queue, batches, integration time, refusals, log size and checkpoint age."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.queue_depth = Gauge(
            "cunzheng_sequencer_queue_depth",
            "Statements queued and not yet taken into a batch.",
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "cunzheng_sequencer_batch_statements",
            "Statements in each committed batch.",
            buckets=_BATCH_BUCKETS,
            registry=self.registry,
        )
        self.integration = Histogram(
            "cunzheng_sequencer_integration_seconds",
            "Seconds from a batch's close to the commit of its transaction.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.logged = Counter(
            "cunzheng_statements_logged",
            "Statements that became new entries of the log.",
            registry=self.registry,
        )
        self.refused = Counter(
            "cunzheng_statements_refused",
            "Statements refused by a registry rule, by the rule's reason code.",
            ["reason"],
            registry=self.registry,
        )
        self.log_size = Gauge(
            "cunzheng_log_size",
            "Entries in the log as this process last committed or saw it.",
            registry=self.registry,
        )
        self.checkpoint_age = Gauge(
            "cunzheng_checkpoint_age_seconds",
            "Seconds since the log's latest checkpoint was signed, by this process or another "
            "(NaN while the log has none).",
            registry=self.registry,
        )
        # When this process last signed a checkpoint.
        self._signed_at: datetime | None = None
        # The size and signing time of the latest checkpoint read from the store.
        self._seen: tuple[int, datetime] | None = None
        self._size: Callable[[], int] = lambda: 0
        self._records: ReadOnlyStore | None = None

    def watch(
        self, *, size: Callable[[], int], now: Clock, records: ReadOnlyStore | None = None
    ) -> None:
        """Read the log's size from *size* and the checkpoint's age on *now* whenever scraped.

        With *records*, the age is that of the latest checkpoint in the store,
        whichever process signed it; without, of the latest this process signed.
        """
        self._size, self._records = size, records
        self.log_size.set_function(lambda: float(size()))
        self.checkpoint_age.set_function(lambda: self._age(now))

    def signed(self, at: datetime) -> None:
        """Record that a checkpoint signed at *at* has committed."""
        self._signed_at = at

    def committed(self, outcomes: Sequence[Outcome], *, seconds: float) -> None:
        """Record a committed batch: its size, how long it took and what each statement became."""
        self.batch_size.observe(len(outcomes))
        self.integration.observe(seconds)
        new: set[int] = set()  # a statement sent twice in one batch is one entry
        for outcome in outcomes:
            if isinstance(outcome, RuleViolation):
                self.refused.labels(reason=outcome.reason_code).inc()
            elif not outcome.existed:
                new.add(outcome.index)
        self.logged.inc(len(new))

    def _age(self, now: Clock) -> float:
        self._refresh()
        seen = None if self._seen is None else self._seen[1]
        times = [t for t in (self._signed_at, seen) if t is not None]
        if not times:
            return float("nan")
        return max(0.0, (now() - max(times)).total_seconds())

    def _refresh(self) -> None:
        """Read the latest checkpoint's time from the store, unless the one held dates the log as this process knows it."""
        if self._records is None or (self._seen is not None and self._seen[0] >= self._size()):
            return
        try:
            latest = self._records.latest_checkpoint_time()
        except Exception:  # a scrape answers with what is held rather than fail
            logger.warning("the latest checkpoint's time could not be read", exc_info=True)
            return
        if latest is not None and (self._seen is None or latest[0] > self._seen[0]):
            self._seen = latest
