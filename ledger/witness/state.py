"""The witness's rule for one add-checkpoint request (C2SP tlog-witness), as pure functions.

A request body (https://c2sp.org/tlog-witness) is::

    old <size of the checkpoint the witness last cosigned>
    <zero to 63 consistency proof hashes, one base64 line each>
    <blank line>
    <the new checkpoint, a signed note>

``check_add`` decides it against what the witness holds for the log and
raises the error whose class the HTTP layer turns into the status code the
spec requires: ``MalformedInput`` 400, ``NotFound`` 404 (an origin the
witness does not follow), ``InvalidSignature`` 403 (no signature by a key
it trusts for the origin), ``SizeConflict`` 409 (``old`` is not the size it
holds, or the same size with another root: ``Fork``), ``InvalidProof`` 422
(the consistency proof does not verify).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cunzheng.ledger import merkle
from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import Conflict, InvalidProof, MalformedInput
from cunzheng.ledger.note import Checkpoint, Verifier, open_note, parse_tree_size

__all__ = [
    "MAX_PROOF_LINES",
    "AddCheckpoint",
    "Fork",
    "LogHead",
    "SizeConflict",
    "check_add",
    "format_request",
    "origin_of",
    "parse_request",
]

MAX_PROOF_LINES = 63


class SizeConflict(Conflict):
    """The request's old size is not the size of the checkpoint the witness last cosigned."""

    def __init__(self, size: int, message: str) -> None:
        super().__init__(message)
        self.size = size


class Fork(SizeConflict):
    """A validly signed checkpoint of the size the witness holds, but with another root."""


@dataclass(frozen=True)
class AddCheckpoint:
    """One add-checkpoint request: the old size, the consistency proof and the signed checkpoint."""

    old_size: int
    proof: tuple[bytes, ...]
    note: str


@dataclass(frozen=True)
class LogHead:
    """What a witness holds for one log: the size, root and note of the checkpoint it last cosigned."""

    size: int
    root: bytes
    note: str


def format_request(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    """Return the add-checkpoint request body for *note* with *proof* from *old_size*."""
    if len(proof) > MAX_PROOF_LINES:
        raise MalformedInput(f"a consistency proof has at most {MAX_PROOF_LINES} hashes")
    lines = [f"old {old_size}"] + [encode_base64(h) for h in proof]
    return ("\n".join(lines) + "\n\n" + note).encode("utf-8")


def parse_request(body: bytes) -> AddCheckpoint:
    """Return the add-checkpoint request in *body*, or raise MalformedInput saying what is wrong."""
    split = body.find(b"\n\n")
    if split < 0:
        raise MalformedInput(
            "malformed request: no blank line between the old size and proof and the checkpoint"
        )
    try:
        head = body[:split].decode("ascii")
        note = body[split + 2 :].decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInput("malformed request: it is not UTF-8 text") from None
    first, *hashes = head.split("\n")
    word, _, size = first.partition(" ")
    if word != "old":
        raise MalformedInput(
            f"malformed request: the first line {first[:40]!r} is not 'old <size>'"
        )
    old_size = parse_tree_size(size, what="malformed request: the old size")
    if len(hashes) > MAX_PROOF_LINES:
        raise MalformedInput(
            f"malformed request: {len(hashes)} proof lines; at most {MAX_PROOF_LINES} are allowed"
        )
    proof = []
    for number, line in enumerate(hashes, start=2):
        what = f"malformed request: proof hash on line {number}"
        proof.append(decode_base64(line, what=what, size=merkle.HASH_SIZE))
    return AddCheckpoint(old_size, tuple(proof), note)


def origin_of(note: str) -> str:
    """Return the origin line of a checkpoint note, to find the log's keys by."""
    origin, newline, _ = note.partition("\n")
    if not newline or origin == "":
        raise MalformedInput("malformed checkpoint: it has no origin line")
    return origin


def check_add(
    request: AddCheckpoint, *, verifiers: Sequence[Verifier], head: LogHead | None
) -> tuple[Checkpoint, str]:
    """Return the checkpoint to cosign and its note text, if the witness may cosign it."""
    opened = open_note(request.note, verifiers)
    checkpoint = Checkpoint.parse(opened.text)
    what = f"checkpoint {checkpoint.origin} of size {checkpoint.size}"
    if request.old_size > checkpoint.size:
        raise MalformedInput(f"old size {request.old_size} is larger than the size of the {what}")
    known = head.size if head is not None else 0
    if request.old_size != known:
        raise SizeConflict(
            known,
            f"old size {request.old_size} is not the size of the latest checkpoint this "
            f"witness cosigned for {checkpoint.origin}, {known}",
        )
    if head is not None and checkpoint.size == head.size and checkpoint.root != head.root:
        raise Fork(
            known,
            f"{what} has root {checkpoint.root.hex()}, but this witness cosigned a "
            f"checkpoint of the same size with root {head.root.hex()}: the log has forked",
        )
    try:
        merkle.verify_consistency(
            old_size=request.old_size,
            new_size=checkpoint.size,
            old_root=head.root if head is not None else merkle.EMPTY_ROOT,
            new_root=checkpoint.root,
            proof=request.proof,
        )
    except InvalidProof as e:
        raise InvalidProof(
            f"{what} is not consistent with the one this witness holds: {e}"
        ) from None
    return checkpoint, opened.text
