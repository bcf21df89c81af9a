"""C2SP tlog-checkpoint: a signed note naming a log, its tree size and its root hash.

The note text is ``<origin>\\n<size>\\n<base64 root>\\n`` followed by optional
extension lines (https://c2sp.org/tlog-checkpoint). Parsing is strict, so
that ``Checkpoint.parse(body).body() == body``: a decimal size below 2**64
without leading zeros and a root hash in canonical base64.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import InvalidProof, InvalidSignature, MalformedInput
from cunzheng.ledger.note._text import CONTROL, is_utf8, shorten
from cunzheng.ledger.note.keys import Signer, Verifier, key_label
from cunzheng.ledger.note.signed import Note, describe_keys, read_note, sign_note

MAX_TREE_SIZE = (1 << 64) - 1

_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")


def _check_line(what: str, value: str) -> None:
    if not isinstance(value, str) or value == "":
        raise MalformedInput(f"{what} must be a non-empty string")
    if CONTROL.search(value) is not None or not is_utf8(value):
        raise MalformedInput(
            f"{what} {shorten(value)} contains a newline, a control character or a lone surrogate"
        )


def parse_tree_size(text: str, *, what: str = "checkpoint tree size (line 2)") -> int:
    """Return the tree size written in *text*: decimal, no sign or leading zeros, below 2**64."""
    if _DECIMAL.fullmatch(text) is None:
        raise MalformedInput(
            f"{what} {shorten(text)} is not a decimal number without sign or leading zeros"
        )
    size = int(text)
    if size > MAX_TREE_SIZE:
        raise MalformedInput(f"{what} {text} is over 2**64-1")
    return size


def _parse_root(text: str) -> bytes:
    return decode_base64(text, what=f"checkpoint root hash (line 3) {shorten(text)}", size=32)


@dataclass(frozen=True)
class Checkpoint:
    """A log's signed claim of its tree size and root hash (C2SP tlog-checkpoint)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line("checkpoint origin", self.origin)
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise MalformedInput("checkpoint tree size must be an integer")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise MalformedInput(f"checkpoint tree size {self.size} is not within 0..2**64-1")
        if not isinstance(self.root, bytes) or len(self.root) != 32:
            raise MalformedInput("checkpoint root hash must be 32 bytes")
        if not isinstance(self.extensions, tuple):
            raise MalformedInput("checkpoint extensions must be a tuple of lines")
        for number, line in enumerate(self.extensions, start=4):
            _check_line(f"checkpoint extension line {number}", line)

    def body(self) -> str:
        """Return the checkpoint's note text: origin, size, base64 root, extension lines."""
        head = f"{self.origin}\n{self.size}\n{encode_base64(self.root)}\n"
        return head + "".join(line + "\n" for line in self.extensions)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Return the checkpoint whose note text is *body*."""
        if not body.endswith("\n"):
            raise MalformedInput("checkpoint text must end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedInput(
                f"checkpoint text has {len(lines)} line(s); it needs an origin, "
                "a tree size and a root hash"
            )
        origin, size, root, *extensions = lines
        if origin == "":
            raise MalformedInput("checkpoint origin (line 1) is empty")
        for number, line in enumerate(extensions, start=4):
            if line == "":
                raise MalformedInput(
                    f"checkpoint line {number} is empty; extension lines may not be"
                )
        return cls(origin, parse_tree_size(size), _parse_root(root), tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """Return *checkpoint* as a note signed by *signer*."""
    return sign_note(checkpoint.body(), [signer])


def open_checkpoint(
    note: str | bytes, verifier: Verifier, *, origin: str | None = None
) -> tuple[Checkpoint, Note]:
    """Return the checkpoint in *note* and the note, if *verifier* signed it.

    Signatures by other keys (witness cosignatures, say) are kept in the
    note's ``unverified``. C2SP tlog-checkpoint says the log's key name
    SHOULD equal the origin line, but logs such as sum.golang.org (key
    ``sum.golang.org``, origin ``go.sum database tree``) differ, so that is
    not required; pass *origin* to pin the log the checkpoint must be from.
    A note that does not parse, or a checkpoint text that does not, raises
    MalformedInput; a missing or failing signature by *verifier* raises
    InvalidSignature; another origin than *origin* raises InvalidProof.
    """
    opened = read_note(note, [verifier])
    if not opened.signatures:
        raise InvalidSignature(
            f"checkpoint is not signed by {key_label(verifier.name, verifier.key_id)}; "
            f"it is signed by {describe_keys(opened.unverified)}"
        )
    checkpoint = Checkpoint.parse(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise InvalidProof(
            f"checkpoint is from log {shorten(checkpoint.origin)}, "
            f"not the expected {shorten(origin)}"
        )
    return checkpoint, opened
