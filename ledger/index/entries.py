"""The index's keys and leaf documents: what each accepted statement changes in the map.

The verifiable index (``ledger.index.smt``) maps string keys to values; the
log commits the map's root in every checkpoint, so that a bundle can prove
both what the registry holds about a key and that nothing was left out. This
module defines the keys and the documents, version 1, for anyone who
recomputes the map: the sequencer after each batch, ``cunzheng rebuild``,
the monitor, and the offline verifier.

Keys are ASCII strings, ``<kind>:<name>``; ids are the lower-case hex
SHA-256 of a statement (as ``Statement.hash.hex()``), indexes are entry
indexes in the log. A value is the RFC 8785 canonical JSON
(``ledger.canonical``) of one object:

``asset:<asset id>`` -> ``{"events": [index, ...]}``
    every entry the rules accepted as bearing on the asset: its own events
    (``asset.*``), licences on it (``licence.*``), objections to it
    (``objection.*``) and logged reads of its confidential particulars
    (``access.read``) -- exactly the assets an entry's registry effects name
    (``Effects.assets``), which the store keeps as the asset's history;
``fingerprint:<hex digest>`` -> ``{"assets": [asset id, ...]}``
    every asset whose application or new version (``asset.version``) bore
    this fingerprint;
``certificate:<number>`` -> ``{"asset": asset id}``
    the asset registered (``asset.register``) under this certificate number
    (the rules issue a number once; were one reused, the first asset stays);
``registration:<number>`` -> ``{"asset": asset id}``
    likewise for the registration number an ``asset.register`` may carry;
``party:<party id>`` -> ``{"events": [index, ...]}``
    the party's own ``party.*`` entries: its registration, the attestation
    of its identity (``party.attest``) and the rotation and revocation of its
    keys (any ``party.*`` entry whose effects register or change the party
    or one of its keys, or whose body names the party);
``holder:<party id>`` -> ``{"assets": [asset id, ...]}``
    every asset the party has ever held: its application and transfers to it;
``licensee:<party id>`` -> ``{"assets": [asset id, ...]}``
    every asset on which the party was ever granted a licence;
``pledgee:<party id>`` -> ``{"assets": [asset id, ...]}``
    every asset ever pledged to the party;
``settings:log`` -> ``{"events": [index, ...]}``
    every ``log.settings`` entry of the log: the registry settings it put in
    force from its index on (``ledger.registry.policy``). A log that never
    stated its settings has no such key, and runs under ``DEFAULT_POLICY``;
    its absence is proved like any other, so a bundle proves which settings
    entries there are and a verifier replays under the log's own settings.

Indexes are in log order and asset ids in the order of their first
occurrence; a list never shrinks and an id appears in it once. Statements
the rules refuse are not in the log and change nothing; an
``evidence.*`` entry changes no key.

The checkpoint carries the root as the extension line
``cunzheng-index sha256:<base64 root>`` (``ledger.index.smt``), at most one.
Checkpoints signed before a log kept the index have no such line; once a
log's checkpoint carries one, every later checkpoint does.

``index_changes`` is the one definition: given the documents as they stand
before an accepted statement, the statement, its index and the effects the
rules returned for it, it returns the keys it changes and their new values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cunzheng.ledger.canonical import canonical_json, loads
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.index.proofs import parse_index_root_line
from cunzheng.ledger.note import Checkpoint
from cunzheng.ledger.registry import Asset, Effects, Licence
from cunzheng.ledger.statements import Statement

__all__ = ["SETTINGS_KEY", "IndexChanges", "Lookup", "checkpoint_index_root", "index_changes"]

SETTINGS_KEY = "settings:log"
"""The key listing every ``log.settings`` entry of the log."""

Lookup = Callable[[str], bytes | None]
"""Return the stored value of an index key, or None if the map does not hold it."""


def index_changes(
    lookup: Lookup, statement: Statement, *, index: int, effects: Effects
) -> dict[str, bytes]:
    """Return the index keys that the statement accepted at *index* changes, with their new values."""
    docs = _Documents(lookup)
    docs.take(statement, index, effects)
    return docs.encode(docs.dirty)


def checkpoint_index_root(checkpoint: Checkpoint) -> bytes | None:
    """Return the index root *checkpoint* commits to, or None if it has no index line."""
    roots = [r for r in map(parse_index_root_line, checkpoint.extensions) if r is not None]
    if len(roots) > 1:
        raise MalformedInput(
            f"the checkpoint of size {checkpoint.size} has {len(roots)} index lines"
        )
    return roots[0] if roots else None


class IndexChanges:
    """The changes of several statements in a row, each seeing those before it, over a base lookup.

    The documents are parsed once and encoded once however many statements
    change them, so a batch costs one pass over each document it touches.
    """

    def __init__(self, base: Lookup) -> None:
        self._docs = _Documents(base)

    def add(self, statement: Statement, *, index: int, effects: Effects) -> None:
        """Take in the changes of the statement accepted at *index*."""
        self._docs.take(statement, index, effects)

    def changed(self) -> dict[str, bytes]:
        """Return every key the statements added so far changed, with its value after them."""
        return self._docs.encode(self._docs.dirty)


def _parties(statement: Statement, effects: Effects) -> Iterable[bytes]:
    if not statement.type.startswith("party."):
        return ()
    ids = [p.id for p in effects.parties] + [k.party for k in effects.keys]
    return dict.fromkeys(ids + list(statement.content.named_parties))


class _Documents:
    """Documents read once from a lookup, changed in place, and encoded when asked."""

    def __init__(self, lookup: Lookup) -> None:
        self._lookup = lookup
        self._docs: dict[str, dict[str, Any]] = {}
        # The members of each list held, for a membership test that does not scan it.
        self._members: dict[str, set[int | str]] = {}
        self.dirty: set[str] = set()

    def take(self, statement: Statement, index: int, effects: Effects) -> None:
        if effects.settings is not None:
            self._append(SETTINGS_KEY, "events", index)
        for asset_id in dict.fromkeys(effects.assets):
            self._append(f"asset:{asset_id.hex()}", "events", index)
        for party_id in _parties(statement, effects):
            self._append(f"party:{party_id.hex()}", "events", index)
        for obj in effects.objects:
            if isinstance(obj, Asset):
                named = obj.id.hex()
                self._append(f"fingerprint:{obj.fingerprint.hex()}", "assets", named)
                self._append(f"holder:{obj.holder.hex()}", "assets", named)
                if obj.pledgee is not None:
                    self._append(f"pledgee:{obj.pledgee.hex()}", "assets", named)
                if obj.certificate is not None:
                    self._first(f"certificate:{obj.certificate}", {"asset": named})
                if obj.registration_number is not None:
                    self._first(f"registration:{obj.registration_number}", {"asset": named})
            elif isinstance(obj, Licence):
                self._append(f"licensee:{obj.licensee.hex()}", "assets", obj.asset.hex())

    def encode(self, keys: Iterable[str]) -> dict[str, bytes]:
        return {key: canonical_json(self._docs[key]) for key in sorted(keys)}

    def _doc(self, key: str) -> dict[str, Any]:
        doc = self._docs.get(key)
        if doc is None:
            value = self._lookup(key)
            doc = {} if value is None else _parse(key, value)
            self._docs[key] = doc
        return doc

    def _append(self, key: str, member: str, item: int | str) -> None:
        items = self._doc(key).setdefault(member, [])
        seen = self._members.get(key)
        if seen is None:
            seen = self._members[key] = set(items)
        if item not in seen:
            seen.add(item)
            items.append(item)
            self.dirty.add(key)

    def _first(self, key: str, value: Mapping[str, Any]) -> None:
        doc = self._doc(key)
        if not doc:
            doc.update(value)
            self.dirty.add(key)


def _parse(key: str, value: bytes) -> dict[str, Any]:
    doc = loads(value, what=f"the index document of {key}")
    if not isinstance(doc, dict):
        raise MalformedInput(f"the index document of {key} is not a JSON object")
    return doc
