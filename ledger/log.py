"""One log in one object: a reader with its sequencer, for embedding, tests and benches.

The parts live apart: ``ledger.sequencer`` writes (queue, batches,
integration, checkpoints) and ``ledger.reader`` reads (checkpoints, entries,
tiles, proofs, receipts); they share a ``CommittedTree``. The API hands each
route the part it uses; ``Log`` wires both for callers that want the whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future

from cunzheng.ledger.clock import Clock, utc_now
from cunzheng.ledger.committed import CommittedTree, Logged, Outcome
from cunzheng.ledger.note import Signer
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.sequencer import Sequencer
from cunzheng.ledger.statements import Statement
from cunzheng.ledger.store import Store

__all__ = ["Log", "Logged", "Outcome"]


class Log(LogReader):
    """A verifiable log: its reads, and its sequencer behind ``add``."""

    def __init__(
        self,
        store: Store,
        signer: Signer,
        *,
        batch_size: int = 1024,
        batch_wait: float = 0.005,
        tile_cache: int = 4096,
        index: bool = True,
        now: Clock = utc_now,
    ) -> None:
        tree = CommittedTree(store.read_tiles, tile_cache=tile_cache)
        super().__init__(store, signer.verifier(), tree)
        self.store = store
        self.signer = signer
        self.sequencer = Sequencer(
            store,
            signer,
            tree,
            batch_size=batch_size,
            batch_wait=batch_wait,
            index=index,
            now=now,
        )

    @property
    def on_publish(self) -> list[Callable[[], None]]:
        """Return the listeners called after every commit that published a checkpoint."""
        return self.sequencer.on_publish

    def start(self) -> Log:
        """Start the sequencer (publishing the first checkpoint if there is none); return self."""
        self.sequencer.start()
        return self

    def stop(self) -> None:
        """Integrate what is queued, then stop the sequencer."""
        self.sequencer.stop()

    def add(self, statement: Statement) -> Future[Logged]:
        """Queue a checked statement; the future resolves once its entry is committed."""
        return self.sequencer.add(statement)

    def add_all(self, statements: Sequence[Statement]) -> Future[list[Outcome]]:
        """Queue checked statements together; the future gives each one's entry or refusal once committed."""
        return self.sequencer.add_all(statements)
