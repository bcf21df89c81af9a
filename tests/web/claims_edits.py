"""Court-answer bundles read and altered, for tests/web/claims_bundles.py.

The alterations are those of a party hiding or rewriting an event: drop an
entry, add one, change the claimed answer or an index document, break a
signature or the checkpoint, re-sign the checkpoint without its index line.
Each takes the bundle as a JSON object and changes it in place; ``edit``
applies one to a bundle's text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from cunzheng.ledger.note import open_checkpoint, sign_checkpoint
from tests.ledger.registry_world import World

Edit = Callable[[dict[str, Any]], None]


def edit(data: bytes, change: Edit) -> bytes:
    obj = json.loads(data)
    change(obj)
    return json.dumps(obj).encode()


def registry_indexes(data: bytes) -> list[int]:
    return [e["index"] for e in json.loads(data)["entries"] if e["role"] == "registry"]


def last_registry(data: bytes) -> int:
    return registry_indexes(data)[-1]


def registry_entry(data: bytes) -> dict[str, Any]:
    return next(e for e in json.loads(data)["entries"] if e["role"] == "registry")


def drop(obj: dict[str, Any], index: int, *, claim: bool) -> None:
    obj["entries"] = [e for e in obj["entries"] if e["index"] != index]
    if claim:
        obj["claim"]["entries"].remove(index)


def add(obj: dict[str, Any], entry: dict[str, Any]) -> None:
    add_entry(obj, entry)
    obj["claim"]["entries"] = sorted([*obj["claim"]["entries"], entry["index"]])


def add_entry(obj: dict[str, Any], entry: dict[str, Any]) -> None:
    obj["entries"] = sorted([*obj["entries"], entry], key=lambda e: e["index"])


def pledge_held(obj: dict[str, Any]) -> None:
    answer = obj["claim"]["answer"]
    answer["pledged"].append(answer["holds"][0])


def odd_items(obj: dict[str, Any]) -> None:
    obj["claim"]["answer"]["holds"].extend([{"id": 5}, {"x": 1}, "zz", True])


def nested(depth: int) -> Any:
    return [] if depth == 0 else [nested(depth - 1)]


def first_proof(obj: dict[str, Any], prefix: str) -> dict[str, Any]:
    return next(i for i in obj["index"] if i["key"].startswith(prefix))


def break_signature(obj: dict[str, Any], index: int) -> None:
    entry = next(e for e in obj["entries"] if e["index"] == index)
    entry["statement"]["signed_at"] = "2026-01-01T00:00:00.000000Z"


def break_checkpoint(obj: dict[str, Any]) -> None:
    note = obj["checkpoint"]
    head, sep, rest = note.partition("\n")
    size, _, tail = rest.partition("\n")
    obj["checkpoint"] = head + sep + str(int(size) + 1) + "\n" + tail


def resign(w: World, note: str) -> str:
    """Return the checkpoint *note* signed again by the log's key without its index line."""
    cp, _ = open_checkpoint(note, w.log.signer.verifier())
    return sign_checkpoint(replace(cp, extensions=()), w.log.signer)
