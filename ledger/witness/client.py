"""The log's side of C2SP tlog-witness: ask witnesses to cosign a new checkpoint.

After the sequencer signs a checkpoint it calls ``gather``, which sends each
witness an add-checkpoint request with a consistency proof from the size that
witness last cosigned, checks the cosignature it answers with, and returns
the checkpoint note with every valid cosignature line appended. The size
each witness holds is remembered in ``old_sizes`` between calls; when it is
unknown or stale the witness says so with 409 and its size, and the request
is sent again from there (https://c2sp.org/tlog-witness).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from cunzheng.ledger.cosignature import (
    CosignatureVerifier,
    WitnessPolicy,
    checkpoint_body,
    parse_line,
    verify_cosignature,
)
from cunzheng.ledger.errors import InvalidSignature, LedgerError, MalformedInput
from cunzheng.ledger.note import Checkpoint
from cunzheng.ledger.witness.state import format_request

logger = logging.getLogger(__name__)

ProofFn = Callable[[int, int], Sequence[bytes]]
"""Return the RFC 9162 consistency proof from tree size old to tree size new."""

# A witness that answers 409 more often than this in one call is changing under us.
_ATTEMPTS = 3


@dataclass(frozen=True)
class WitnessEndpoint:
    """A witness: its submission prefix (POST <url>/add-checkpoint) and its cosignature key."""

    url: str
    verifier: CosignatureVerifier

    @property
    def name(self) -> str:
        """Return the witness's name, its key name."""
        return self.verifier.name


def gather(
    note: str,
    *,
    proof_fn: ProofFn,
    witnesses: Sequence[WitnessEndpoint],
    old_sizes: MutableMapping[str, int] | None = None,
    policy: WitnessPolicy | None = None,
    timeout: float = 10.0,
    client: httpx.Client | None = None,
) -> str:
    """Return *note* with the cosignature lines of every witness that cosigned it appended.

    *note* is the log's signed checkpoint. *proof_fn(old, new)* returns the
    consistency proof between two tree sizes of the log. *old_sizes* maps a
    witness name to the size it last cosigned (missing: try 0 and learn it
    from the 409 answer); it is updated in place, so pass the same mapping
    every time. Witnesses are asked in parallel, each within *timeout*
    seconds. A witness that refuses or fails is logged and left out; if
    *policy* is given and the cosignatures gathered do not meet it, raise
    InvalidSignature naming each witness that failed and why.
    """
    checkpoint = Checkpoint.parse(checkpoint_body(note))
    sizes: MutableMapping[str, int] = {} if old_sizes is None else old_sizes
    own = client is None
    http = client if client is not None else httpx.Client(timeout=timeout)
    try:

        def ask(endpoint: WitnessEndpoint) -> list[str] | str:
            try:
                return _ask(http, endpoint, note, checkpoint, proof_fn, sizes, timeout)
            except (LedgerError, httpx.HTTPError) as e:
                return str(e) or type(e).__name__

        with ThreadPoolExecutor(max_workers=max(1, len(witnesses))) as pool:
            answers = list(pool.map(ask, witnesses))
    finally:
        if own:
            http.close()
    cosigned = note
    failures = []
    for endpoint, answer in zip(witnesses, answers, strict=True):
        if isinstance(answer, str):
            logger.warning(
                "witness %s did not cosign size %d: %s", endpoint.name, checkpoint.size, answer
            )
            failures.append(f"{endpoint.name} ({endpoint.url}): {answer}")
            continue
        for line in answer:
            if line not in cosigned:
                cosigned += line
    if policy is not None:
        try:
            policy.check(cosigned)
        except InvalidSignature as e:
            raise InvalidSignature("; ".join([str(e), *failures])) from None
    return cosigned


def _ask(
    http: httpx.Client,
    endpoint: WitnessEndpoint,
    note: str,
    checkpoint: Checkpoint,
    proof_fn: ProofFn,
    sizes: MutableMapping[str, int],
    timeout: float,
) -> list[str]:
    """Return the witness's valid cosignature lines for *note*, retrying from the size it holds."""
    old = sizes.get(endpoint.name, 0)
    for _ in range(_ATTEMPTS):
        if old > checkpoint.size:
            raise LedgerError(
                f"the witness has cosigned a tree of {old} leaves, newer than this checkpoint "
                f"of {checkpoint.size}"
            )
        proof = list(proof_fn(old, checkpoint.size)) if 0 < old < checkpoint.size else []
        response = http.post(
            endpoint.url.rstrip("/") + "/add-checkpoint",
            content=format_request(old, proof, note),
            timeout=timeout,
        )
        if response.status_code == 200:
            lines = _cosignatures(response.text, note, endpoint.verifier)
            sizes[endpoint.name] = checkpoint.size
            return lines
        if response.status_code != 409:
            raise LedgerError(f"refused with {response.status_code}: {response.text.strip()[:300]}")
        known = _size(response.text)
        if known == old:
            raise LedgerError(
                f"refused with 409: it holds another checkpoint of size {old}: "
                f"{response.text.strip()[:300]}"
            )
        sizes[endpoint.name] = known
        old = known
    raise LedgerError(f"the size it holds kept changing after {_ATTEMPTS} attempts")


def _size(text: str) -> int:
    """Return the tree size in a 409 answer (text/x.tlog.size: a decimal and a newline)."""
    first = text.split("\n", 1)[0].strip()
    if not first.isdigit() or first != str(int(first)):
        raise MalformedInput(f"the 409 answer {text[:80]!r} does not hold a tree size")
    return int(first)


def _cosignatures(text: str, note: str, verifier: CosignatureVerifier) -> list[str]:
    """Return the lines of *text* that are valid cosignatures of *note* by *verifier*."""
    lines = []
    for line in text.split("\n"):
        if not line:
            continue
        signature = parse_line(line)
        # C2SP tlog-witness: the client MUST ignore cosignatures from unknown keys.
        if (signature.name, signature.key_id) != (verifier.name, verifier.key_id):
            continue
        verify_cosignature(note, line, verifier)
        lines.append(line + "\n")
    if not lines:
        raise InvalidSignature(f"the answer holds no cosignature by {verifier.to_string()}")
    return lines
