"""A monitor's checks: audit a log's new entries from its tiles, as an outsider would.

``audit`` reads the log through a ``Fetch`` function (paths below the log's
C2SP tlog-tiles prefix: ``checkpoint``, ``tile/<L>/<N>[.p/<W>]``,
``tile/entries/<N>[.p/<W>]``), so this module does no I/O itself; the network
side is ``ledger.monitor_io``. Given the state of the last run (the signed
checkpoint it verified and the registry built so far) it:

1. opens the log's checkpoint with the log's key;
2. refuses a smaller tree than the one verified before (a shrink) and the
   same size with another root (a fork), then checks the witness policy, if
   one is given, so that a fork is named as such even when it is unwitnessed;
3. rebuilds the tree from the right edge of the old tree, read from hash
   tiles and authenticated by the old signed root, and the leaf hash of each
   new entry in the entry bundles; every hash tile node this completes must
   equal the node served, the rebuilt old tree must have the old root and the
   rebuilt new tree the new signed root. So every new entry is included in
   the signed tree, and the new tree extends the old one: no separate
   consistency proof is needed;
4. parses each new leaf, checks its statement's signatures and replays the
   registry's rules (``ledger.registry.check``) over it;
5. recomputes the verifiable index from the effects the rules return
   (``ledger.index.entries``) and checks the root the checkpoint commits to
   (``index_root_mismatch``), that a checkpoint after one with an index line
   has one too (``index_missing``), and that the line parses
   (``index_malformed``). A state kept by a monitor that did not keep the
   index yet has no index leaves: that run replays every entry from the
   first, still checking the new tree against the old checkpoint.

Whatever the log served that fails a check raises ``Misbehaviour``, whose
``kind`` names it and whose ``evidence`` holds the signed notes that prove it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from cunzheng.ledger import merkle
from cunzheng.ledger.cosignature import WitnessPolicy
from cunzheng.ledger.errors import (
    InvalidProof,
    InvalidSignature,
    LedgerError,
    MalformedInput,
    NotFound,
)
from cunzheng.ledger.index import IndexChanges, checkpoint_index_root, root_of
from cunzheng.ledger.monitor.misbehaviour import Misbehaviour, check_index
from cunzheng.ledger.monitor.state import MonitorState, copy_registry
from cunzheng.ledger.note import Checkpoint, Verifier, open_checkpoint
from cunzheng.ledger.registry.memory import MemoryRegistry
from cunzheng.ledger.statements import check_signature, parse_leaf
from cunzheng.ledger.tilecache import TileCache
from cunzheng.ledger.tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    TileRef,
    decode_entry_bundle,
    tile_width_at,
)

__all__ = ["Audit", "Fetch", "Misbehaviour", "MonitorState", "audit"]

Fetch = Callable[[str], bytes]
"""Return the bytes at a path below the log's tlog-tiles prefix, or raise NotFound."""


@dataclass(frozen=True)
class Audit:
    """What one run verified: the checkpoint, the entries it added and who cosigned it."""

    state: MonitorState
    previous_size: int
    statement_types: dict[str, int]
    cosigned: tuple[tuple[str, datetime], ...]
    indexed: bool = False
    """Whether the checkpoint commits to an index root (checked against the recomputed index)."""

    @property
    def new_entries(self) -> int:
        """Return how many entries this run audited."""
        return self.state.checkpoint.size - self.previous_size


def audit(
    fetch: Fetch,
    *,
    log_key: Verifier,
    state: MonitorState | None,
    policy: WitnessPolicy | None = None,
) -> Audit:
    """Return what the log's latest checkpoint and new entries prove, or raise Misbehaviour."""
    note = _text(fetch("checkpoint"), "the checkpoint")
    checkpoint = _open(note, log_key)
    old = (
        state.checkpoint
        if state is not None
        else Checkpoint(checkpoint.origin, 0, merkle.EMPTY_ROOT)
    )
    evidence = (state.note, note) if state is not None else (note,)
    if checkpoint.size < old.size:
        raise Misbehaviour(
            "shrink",
            f"the log's checkpoint has {checkpoint.size} entries, fewer than the {old.size} "
            "of the checkpoint verified before",
            evidence,
        )
    if checkpoint.size == old.size and checkpoint.root != old.root:
        raise Misbehaviour(
            "fork",
            f"two checkpoints of size {old.size} with different roots: {old.root.hex()} "
            f"verified before, {checkpoint.root.hex()} now",
            evidence,
        )
    cosigned: tuple[tuple[str, datetime], ...] = ()
    if policy is not None:
        try:
            cosigned = tuple(policy.check(note))
        except (InvalidSignature, MalformedInput) as e:
            raise Misbehaviour(
                "unwitnessed", f"checkpoint of size {checkpoint.size}: {e}", (note,)
            ) from None
    # A state without index leaves (kept before the index) is replayed from entry 0.
    known = state is not None and state.index is not None
    view = copy_registry(state.registry) if state is not None and known else MemoryRegistry()
    leaves = dict(state.index or {}) if state is not None else {}
    changes = IndexChanges(leaves.get)
    types: Counter[str] = Counter()
    start = old.size if known else 0
    if checkpoint.size > start:
        _Rebuild(fetch, old, checkpoint, evidence, view, types, changes, start).run()
    leaves.update(changes.changed())
    required = state is not None and _commits_to_index(state.checkpoint)
    indexed = check_index(checkpoint, root_of(leaves), required=required, evidence=(note,))
    new_state = MonitorState(note, checkpoint, view, leaves)
    return Audit(new_state, old.size, dict(types), cosigned, indexed)


def _commits_to_index(checkpoint: Checkpoint) -> bool:
    try:
        return checkpoint_index_root(checkpoint) is not None
    except MalformedInput:
        return True


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Misbehaviour("malformed", f"{what} is not UTF-8 text") from None


def _open(note: str, log_key: Verifier) -> Checkpoint:
    try:
        checkpoint, _ = open_checkpoint(note, log_key, origin=log_key.name)
    except InvalidSignature as e:
        raise Misbehaviour("bad_signature", str(e), (note,)) from None
    except (MalformedInput, InvalidProof) as e:
        raise Misbehaviour("malformed", f"the checkpoint: {e}", (note,)) from None
    return checkpoint


class _Rebuild:
    """Rebuild the tree from the old checkpoint's right edge and the new entries, checking as it goes."""

    def __init__(
        self,
        fetch: Fetch,
        old: Checkpoint,
        new: Checkpoint,
        evidence: tuple[str, ...],
        view: MemoryRegistry,
        types: Counter[str],
        changes: IndexChanges,
        start: int,
    ) -> None:
        self.fetch = fetch
        self.old = old
        self.new = new
        self.evidence = evidence
        self.view = view
        self.types = types
        self.changes = changes
        # The first entry to replay: the old size, or 0 to replay what was verified before too.
        self.start = start
        self.tiles = TileCache(self._fetch_hash_tiles, capacity=256)

    def run(self) -> None:
        # Start at a tile boundary, so the first entry bundle is read whole.
        start = self.start - self.start % TILE_WIDTH
        frontier = merkle.Frontier.from_reader(start, self.tiles.read_hashes)
        self._check_old_root(frontier)
        for bundle in range(start // TILE_WIDTH, -(-self.new.size // TILE_WIDTH)):
            completed: list[tuple[int, int, bytes]] = []
            for offset, leaf in enumerate(self._bundle(bundle)):
                index = bundle * TILE_WIDTH + offset
                for level, node, h in frontier.append(merkle.leaf_hash(leaf)):
                    if level % TILE_HEIGHT == 0:
                        completed.append((level, node, h))
                self._check_old_root(frontier)
                if index >= self.start:
                    self._check_entry(index, leaf)
            self._check_tiles(completed)
        if frontier.root() != self.new.root:
            raise Misbehaviour(
                "inconsistent",
                f"the checkpoint of size {self.new.size} has root {self.new.root.hex()}, but "
                f"the checkpoint of size {self.old.size} verified before and the entries the "
                f"log serves make root {frontier.root().hex()}: the new tree does not extend "
                "the old one, or the checkpoint does not match the log's entries",
                self.evidence,
            )

    def _check_old_root(self, frontier: merkle.Frontier) -> None:
        if frontier.size == self.old.size and self.old.size and frontier.root() != self.old.root:
            raise Misbehaviour(
                "inconsistent",
                f"the tiles and entries the log serves now make root {frontier.root().hex()} for "
                f"its first {self.old.size} entries, not the root {self.old.root.hex()} of "
                "the checkpoint verified before: the log rewrote its history",
                self.evidence,
            )

    def _check_tiles(self, completed: list[tuple[int, int, bytes]]) -> None:
        served = self.tiles.read_hashes([(level, node) for level, node, _ in completed])
        for (level, node, h), got in zip(completed, served, strict=True):
            if got != h:
                ref = TileRef(level // TILE_HEIGHT, node >> TILE_HEIGHT)
                raise Misbehaviour(
                    "tile_mismatch",
                    f"hash tile {ref.path()} holds {got.hex()} at position "
                    f"{node % TILE_WIDTH}, but the log's entries hash to {h.hex()}",
                    self.evidence[-1:],
                )

    def _check_entry(self, index: int, leaf: bytes) -> None:
        try:
            statement, logged_at = parse_leaf(leaf)
            check_signature(statement)
        except (MalformedInput, InvalidSignature) as e:
            raise Misbehaviour(
                "invalid_statement", f"entry {index}: {e}", self.evidence[-1:]
            ) from None
        try:
            effects = self.view.add(statement, index=index, logged_at=logged_at)
        except LedgerError as e:
            raise Misbehaviour(
                "rule_violation", f"entry {index}: {e}", self.evidence[-1:]
            ) from None
        self.changes.add(statement, index=index, effects=effects)
        self.types[statement.type] += 1

    def _bundle(self, index: int) -> list[bytes]:
        width = tile_width_at(0, index, self.new.size)
        ref = TileRef(None, index, width)
        data, full = self._fetch_tile(ref)
        try:
            leaves = decode_entry_bundle(data)
        except MalformedInput as e:
            raise Misbehaviour("malformed", f"{ref.path()}: {e}", self.evidence[-1:]) from None
        if len(leaves) != (TILE_WIDTH if full else width):
            raise Misbehaviour(
                "malformed",
                f"{ref.path()} holds {len(leaves)} entries, not {width}",
                self.evidence[-1:],
            )
        return leaves[:width]

    def _fetch_hash_tiles(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        out = {}
        for level, index in sorted(keys):
            width = tile_width_at(level, index, self.new.size)
            ref = TileRef(level, index, width)
            data, full = self._fetch_tile(ref)
            if len(data) != (TILE_WIDTH if full else width) * merkle.HASH_SIZE:
                raise Misbehaviour(
                    "malformed",
                    f"{ref.path()} is {len(data)} bytes, not {width} hashes of 32 bytes",
                    self.evidence[-1:],
                )
            out[(level, index)] = data[: width * merkle.HASH_SIZE]
        return out

    def _fetch_tile(self, ref: TileRef) -> tuple[bytes, bool]:
        """Return the tile's bytes and whether they are of the full tile."""
        try:
            return self.fetch(ref.path()), ref.is_full
        except NotFound:
            if ref.is_full:
                raise
        # C2SP tlog-tiles: a partial tile may be gone once the full one exists.
        return self.fetch(TileRef(ref.level, ref.index).path()), True
