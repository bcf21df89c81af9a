"""A witness: it cosigns a log's checkpoint only if it extends every checkpoint it cosigned before.

``Witness.add_checkpoint`` answers one C2SP tlog-witness add-checkpoint
request: it finds the log by the checkpoint's origin, checks the request
(``ledger.witness.state.check_add``), makes the new checkpoint durable and
returns the cosignature line. Checking the old size and storing the new
checkpoint happen under one lock, so two concurrent requests can never roll
the stored size back (the race the spec describes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from cunzheng.ledger.clock import Clock, utc_now
from cunzheng.ledger.cosignature import CosignatureSigner, CosignatureVerifier, cosign
from cunzheng.ledger.errors import InvalidProof, NotFound
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.witness.datadir import WitnessStore, witness_signer
from cunzheng.ledger.witness.state import Fork, LogHead, check_add, origin_of, parse_request

logger = logging.getLogger(__name__)


class Witness:
    """A witness for the logs whose keys it is given, keeping its state in a WitnessStore."""

    def __init__(
        self,
        store: WitnessStore,
        signer: CosignatureSigner,
        logs: Sequence[Verifier],
        *,
        now: Clock = utc_now,
    ) -> None:
        self.store = store
        self.signer = signer
        self._logs: dict[str, list[Verifier]] = {}
        for key in logs:
            # A log's key name is its origin (C2SP tlog-checkpoint: SHOULD); several keys may sign it.
            self._logs.setdefault(key.name, []).append(key)
        self._now = now
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls, data_dir: Path, *, name: str | None, logs: Sequence[Verifier], now: Clock = utc_now
    ) -> Witness:
        """Return the witness kept in *data_dir*, creating its key under *name* on first start."""
        signer = witness_signer(data_dir, name)
        return cls(WitnessStore(data_dir), signer, logs, now=now)

    @property
    def verifier(self) -> CosignatureVerifier:
        """Return the key that checks this witness's cosignatures."""
        return self.signer.verifier()

    @property
    def origins(self) -> list[str]:
        """Return the origins of the logs this witness follows."""
        return sorted(self._logs)

    def add_checkpoint(self, body: bytes) -> str:
        """Return the cosignature line(s) for the checkpoint in add-checkpoint request *body*."""
        request = parse_request(body)
        origin = origin_of(request.note)
        verifiers = self._logs.get(origin)
        if verifiers is None:
            raise NotFound(f"this witness does not follow a log with origin {origin[:100]!r}")
        with self._lock:
            head = self.store.head(origin)
            try:
                checkpoint, text = check_add(request, verifiers=verifiers, head=head)
            except (Fork, InvalidProof) as e:
                # The log signed it, so it is evidence (C2SP tlog-witness: the witness MAY log it).
                path = self.store.keep_evidence(origin, body, str(e))
                logger.warning("refused a checkpoint of %s, kept in %s: %s", origin, path, e)
                raise
            if head is None or checkpoint.size != head.size:
                self.store.save(origin, LogHead(checkpoint.size, checkpoint.root, request.note))
            return cosign(text, self.signer, at=self._now())

    def close(self) -> None:
        """Release the witness's data directory."""
        self.store.close()
