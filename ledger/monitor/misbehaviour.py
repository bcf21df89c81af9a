"""Evidence that a log misbehaved, and the check of the index root a checkpoint commits to.

``Misbehaviour.kind`` names what the log did wrong; the index's reasons are
``index_root_mismatch`` (the checkpoint commits to another index root than
the log's entries make), ``index_missing`` (no index line on a checkpoint
after one that had it) and ``index_malformed`` (an index line that does not
parse, or more than one). ``cunzheng monitor`` and ``cunzheng rebuild`` both
raise them.
"""

from __future__ import annotations

from cunzheng.ledger.errors import InvalidProof, MalformedInput
from cunzheng.ledger.index import checkpoint_index_root
from cunzheng.ledger.note import Checkpoint

__all__ = ["INDEX_MALFORMED", "INDEX_MISSING", "INDEX_ROOT_MISMATCH", "Misbehaviour", "check_index"]

INDEX_ROOT_MISMATCH = "index_root_mismatch"
INDEX_MISSING = "index_missing"
INDEX_MALFORMED = "index_malformed"


class Misbehaviour(InvalidProof):
    """Evidence that the log served something that does not hold; ``kind`` names what."""

    def __init__(self, kind: str, message: str, evidence: tuple[str, ...] = ()) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.evidence = evidence


def check_index(
    checkpoint: Checkpoint, root: bytes, *, required: bool, evidence: tuple[str, ...]
) -> bool:
    """Return whether *checkpoint* commits to an index; raise Misbehaviour unless it is to *root*.

    *root* is the index recomputed from the log's first ``checkpoint.size``
    entries; *required* says the log has committed to its index before, so
    that a checkpoint without an index line is misbehaviour too.
    """
    try:
        signed = checkpoint_index_root(checkpoint)
    except MalformedInput as e:
        raise Misbehaviour(INDEX_MALFORMED, str(e), evidence) from None
    if signed is None:
        if required:
            raise Misbehaviour(
                INDEX_MISSING,
                f"the checkpoint of size {checkpoint.size} commits to no index root, "
                "though an earlier checkpoint of the log did",
                evidence,
            )
        return False
    if signed != root:
        raise Misbehaviour(
            INDEX_ROOT_MISMATCH,
            f"the checkpoint of size {checkpoint.size} commits to index root {signed.hex()}, "
            f"but the log's first {checkpoint.size} entries make index root {root.hex()}: "
            "the operator's index omits, adds or changes what the log's entries say",
            evidence,
        )
    return True
