"""What a monitor keeps between runs: the last checkpoint it verified and the registry so far.

The state is JSON: the signed checkpoint note (opened again with the log's
key when it is read, so its size and root are never taken from the file
unsigned), the parties, keys and registry objects that the entries up to
it established, and the leaves of the verifiable index they make (``index``:
key to document text), so the next run replays the rules and recomputes
the index over new entries only. A state written before monitors kept the
index has no ``index`` member; the next run then replays from entry 0.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import orjson

from cunzheng.ledger.bodies import LogSettings
from cunzheng.ledger.clock import format_time, parse_time
from cunzheng.ledger.errors import LedgerError, MalformedInput
from cunzheng.ledger.note import Checkpoint, Verifier, open_checkpoint
from cunzheng.ledger.registry import KeyRecord, Party, Policy
from cunzheng.ledger.registry.memory import MemoryRegistry
from cunzheng.ledger.registry.state import from_doc, kind_of_object, to_doc

STATE_FORMAT = "cunzheng.monitor-state/v1"
_Record = TypeVar("_Record", Party, KeyRecord)


@dataclass(frozen=True)
class MonitorState:
    """The last checkpoint a monitor verified, its note, and the registry its entries built."""

    note: str
    checkpoint: Checkpoint
    registry: MemoryRegistry = field(compare=False, repr=False)
    # The index leaves the entries up to the checkpoint make; None: not kept (an older state).
    index: dict[str, bytes] | None = field(default=None, compare=False, repr=False)

    def to_json(self, log_key: Verifier) -> bytes:
        """Return the state as JSON for the monitor's state file."""
        registry = self.registry
        index = {} if self.index is None else {"index": _index_doc(self.index)}
        return orjson.dumps(
            {
                "format": STATE_FORMAT,
                "log_key": log_key.to_string(),
                "checkpoint": self.note,
                "parties": [_doc(p) for p in registry.parties.values()],
                "keys": [_doc(k) for k in registry.keys.values()],
                "objects": [
                    {"kind": kind_of_object(o), **to_doc(o)} for o in registry.objects.values()
                ],
                "settings": registry.settings.body(),
                **index,
            },
            option=orjson.OPT_INDENT_2,
        )

    @classmethod
    def from_json(cls, data: bytes, log_key: Verifier) -> MonitorState:
        """Return the state in a state file written for the log with *log_key*."""
        try:
            obj = orjson.loads(data)
            if obj["format"] != STATE_FORMAT:
                raise ValueError(f"it is not a {STATE_FORMAT} file")
            if obj["log_key"] != log_key.to_string():
                raise ValueError(f"it was written for another log key, {obj['log_key']}")
            note = obj["checkpoint"]
            checkpoint, _ = open_checkpoint(note, log_key, origin=log_key.name)
            registry = MemoryRegistry()
            for doc in obj["parties"]:
                party = _undoc(Party, doc)
                registry.parties[party.id] = party
            for doc in obj["keys"]:
                record = _undoc(KeyRecord, doc)
                registry.keys[record.key] = record
            for doc in obj["objects"]:
                kind = doc.pop("kind")
                thing = from_doc(kind, doc)
                registry.objects[(kind, thing.id)] = thing
            if "settings" in obj:  # absent in a state written before log.settings existed
                registry.settings = Policy.from_body(LogSettings.parse(obj["settings"]))
            index = None if "index" not in obj else _index_undoc(obj["index"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, LedgerError) as e:
            raise MalformedInput(f"monitor state: {e}") from None
        return cls(note, checkpoint, registry, index)


def copy_registry(registry: MemoryRegistry) -> MemoryRegistry:
    """Return a copy of *registry* that can change without changing it."""
    return MemoryRegistry(
        parties=dict(registry.parties),
        keys=dict(registry.keys),
        objects=dict(registry.objects),
        settings=registry.settings,
    )


def _index_doc(index: dict[str, bytes]) -> dict[str, str]:
    # Index values are canonical JSON text, kept as strings to stay readable.
    return {key: value.decode() for key, value in sorted(index.items())}


def _index_undoc(doc: Any) -> dict[str, bytes]:
    if not isinstance(doc, dict) or not all(isinstance(v, str) for v in doc.values()):
        raise ValueError("index must be an object of strings")
    return {key: value.encode() for key, value in doc.items()}


def _doc(value: Party | KeyRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        v = getattr(value, f.name)
        doc[f.name] = v.hex() if isinstance(v, bytes) else _time(v)
    return doc


def _time(value: Any) -> Any:
    return format_time(value) if isinstance(value, datetime) else value


def _undoc(cls: type[_Record], doc: dict[str, Any]) -> _Record:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        v = doc.get(f.name, f.default if f.default is not dataclasses.MISSING else None)
        hint = str(f.type)
        if v is not None and "bytes" in hint:
            v = bytes.fromhex(v)
        elif v is not None and "datetime" in hint:
            v = parse_time(v)
        values[f.name] = v
    return cls(**values)
