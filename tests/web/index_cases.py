"""Index proof cases for tests/web/index.test.js, with the Python verdict on each.

Starts from the known answers in tests/ledger/vectors/index/known-answers.json
and mutates their proofs, values and roots; for every case prints what
cunzheng.ledger.index makes of it (parse_proof, then verify_presence or
verify_absence): nothing, or the error's class and message. Also checkpoint
extension lines and what parse_index_root_line reads from them.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cunzheng.ledger.errors import LedgerError
from cunzheng.ledger.index import (
    IndexTree,
    checkpoint_index_root,
    index_root_line,
    parse_index_root_line,
    parse_proof,
    proof_json,
    verify_absence,
    verify_presence,
)
from cunzheng.ledger.note import Checkpoint
from cunzheng.schemas.bundles import IndexProofJson

VECTORS = Path(__file__).parents[1] / "ledger" / "vectors" / "index" / "known-answers.json"
Case = dict[str, Any]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def flip(text: str, byte: int = 0) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[byte] ^= 0x01
    return b64(bytes(raw))


def outcome(root: bytes, key: str, value: bytes | None, proof_obj: Any) -> dict[str, Any]:
    try:
        proof = parse_proof(proof_obj)
        if value is None:
            verify_absence(root, key, proof)
        else:
            verify_presence(root, key, value, proof)
    except LedgerError as e:
        return {"error": type(e).__name__, "message": e.message}
    return {"error": None}


def case(name: str, root: bytes, key: str, value: bytes | None, proof: Any) -> Case:
    return {
        "name": name,
        "root": b64(root),
        "key": key,
        "value": None if value is None else b64(value),
        "proof": proof,
        **outcome(root, key, value, proof),
    }


def known_cases() -> list[Case]:
    out = []
    for vector in json.loads(VECTORS.read_text())["cases"]:
        root = bytes.fromhex(vector["root"])
        values = {m["key"]: m["value"].encode() for m in vector["map"]}
        for n, item in enumerate(vector["proofs"]):
            value = values.get(item["key"]) if item["present"] else None
            out.append(case(f"{vector['name']}/{n}", root, item["key"], value, item["proof"]))
    return out


def mutated_cases() -> list[Case]:
    """Each mutation of a deep presence proof and of both kinds of absence proof."""
    vectors = {v["name"]: v for v in json.loads(VECTORS.read_text())["cases"]}
    shared = vectors["shared-prefix"]
    root = bytes.fromhex(shared["root"])
    values = {m["key"]: m["value"].encode() for m in shared["map"]}
    present = next(p for p in shared["proofs"] if p["present"] and p["proof"]["depth"] > 8)
    absent_empty = next(
        p for p in shared["proofs"] if not p["present"] and p["proof"]["other"] is None
    )
    sixteen = vectors["sixteen-assets"]
    absent_other = next(
        p for p in sixteen["proofs"] if not p["present"] and p["proof"]["other"] is not None
    )
    root16 = bytes.fromhex(sixteen["root"])
    key, value, proof = present["key"], values[present["key"]], present["proof"]

    def edit(change: Callable[[dict[str, Any]], Any], source: dict[str, Any] = proof) -> Any:
        p = copy.deepcopy(source)
        change(p)
        return p

    def set_(member: str, v: Any) -> Callable[[dict[str, Any]], None]:
        return lambda p: p.__setitem__(member, v)

    def empty_written_out(p: dict[str, Any]) -> None:
        bitmap = bytearray(base64.b64decode(p["empty_bitmap"]))
        first = next(i for i in range(p["depth"]) if bitmap[i >> 3] >> (7 - (i & 7)) & 1)
        bitmap[first >> 3] &= ~(1 << (7 - (first & 7)))
        before = sum(1 for i in range(first) if not bitmap[i >> 3] >> (7 - (i & 7)) & 1)
        p["siblings"].insert(before, b64(bytes(32)))
        p["empty_bitmap"] = b64(bytes(bitmap))

    def deepest_empty(p: dict[str, Any]) -> None:
        # One level deeper with an EMPTY sibling: consistent in itself, not canonical.
        depth = p["depth"] + 1
        bitmap = bytearray(base64.b64decode(p["empty_bitmap"]).ljust((depth + 7) // 8, b"\0"))
        bitmap[(depth - 1) >> 3] |= 1 << (7 - ((depth - 1) & 7))
        p["depth"], p["empty_bitmap"] = depth, b64(bytes(bitmap))

    other = absent_other["proof"]
    out = [
        case(
            "presence/sibling-flipped",
            root,
            key,
            value,
            edit(lambda p: p["siblings"].__setitem__(0, flip(p["siblings"][0]))),
        ),
        case(
            "presence/last-sibling-flipped",
            root,
            key,
            value,
            edit(lambda p: p["siblings"].__setitem__(-1, flip(p["siblings"][-1], 31))),
        ),
        case("presence/value-altered", root, key, value + b" ", proof),
        case("presence/root-flipped", bytes([root[0] ^ 1]) + root[1:], key, value, proof),
        case("presence/root-short", root[:31], key, value, proof),
        case(
            "presence/bitmap-bit-flipped",
            root,
            key,
            value,
            edit(set_("empty_bitmap", flip(proof["empty_bitmap"]))),
        ),
        case(
            "presence/bit-beyond-depth",
            root,
            key,
            value,
            edit(
                lambda p: p.__setitem__(
                    "empty_bitmap",
                    b64(
                        base64.b64decode(p["empty_bitmap"])[:-1]
                        + bytes([base64.b64decode(p["empty_bitmap"])[-1] | 1])
                    ),
                )
            ),
        ),
        case(
            "presence/bitmap-too-long",
            root,
            key,
            value,
            edit(set_("empty_bitmap", b64(base64.b64decode(proof["empty_bitmap"]) + b"\0"))),
        ),
        case("presence/sibling-dropped", root, key, value, edit(lambda p: p["siblings"].pop())),
        case("presence/empty-written-out", root, key, value, edit(empty_written_out)),
        case("presence/deepest-empty", root, key, value, edit(deepest_empty)),
        case("presence/depth-minus-one", root, key, value, edit(set_("depth", proof["depth"] - 1))),
        case("presence/depth-257", root, key, value, edit(set_("depth", 257))),
        case("presence/depth-string", root, key, value, edit(set_("depth", "3"))),
        case("presence/depth-true", root, key, value, edit(set_("depth", True))),
        case("presence/other-key", root, key + "x", value, edit(set_("key", key + "x"))),
        case("presence/proof-of-another-key", root, key, value, edit(set_("key", "asset:0"))),
        case("presence/empty-key", root, "", value, edit(set_("key", ""))),
        case("presence/key-not-string", root, key, value, edit(set_("key", 7))),
        case(
            "presence/sibling-not-canonical",
            root,
            key,
            value,
            edit(lambda p: p["siblings"].__setitem__(0, p["siblings"][0][:-2] + "B=")),
        ),
        case(
            "presence/sibling-short",
            root,
            key,
            value,
            edit(lambda p: p["siblings"].__setitem__(0, b64(bytes(31)))),
        ),
        case("presence/siblings-not-list", root, key, value, edit(set_("siblings", "x"))),
        case("presence/unknown-member", root, key, value, edit(set_("value", 1))),
        case("presence/missing-depth", root, key, value, edit(lambda p: p.pop("depth"))),
        case("presence/not-object", root, key, value, [proof]),
        case("presence/as-absence", root, key, None, proof),
        case("absence-empty/ok", root, absent_empty["key"], None, absent_empty["proof"]),
        case("absence-empty/as-presence", root, absent_empty["key"], b"{}", absent_empty["proof"]),
        case(
            "absence-empty/sibling-flipped",
            root,
            absent_empty["key"],
            None,
            edit(
                lambda p: p["siblings"].__setitem__(0, flip(p["siblings"][0])),
                absent_empty["proof"],
            ),
        ),
        case("absence-other/as-presence", root16, absent_other["key"], b"{}", other),
        case(
            "absence-other/path-flipped-late",
            root16,
            absent_other["key"],
            None,
            edit(lambda p: p["other"].__setitem__("path", flip(p["other"]["path"], 31)), other),
        ),
        case(
            "absence-other/path-flipped-early",
            root16,
            absent_other["key"],
            None,
            edit(lambda p: p["other"].__setitem__("path", flip(p["other"]["path"], 0)), other),
        ),
        case(
            "absence-other/value-hash-flipped",
            root16,
            absent_other["key"],
            None,
            edit(
                lambda p: p["other"].__setitem__("value_hash", flip(p["other"]["value_hash"])),
                other,
            ),
        ),
        case(
            "absence-other/own-path",
            root16,
            absent_other["key"],
            None,
            edit(
                lambda p: p["other"].__setitem__(
                    "path", b64(__import__("hashlib").sha256(absent_other["key"].encode()).digest())
                ),
                other,
            ),
        ),
        case(
            "absence-other/extra-member",
            root16,
            absent_other["key"],
            None,
            edit(lambda p: p["other"].__setitem__("key", "x"), other),
        ),
        case(
            "absence-other/not-object",
            root16,
            absent_other["key"],
            None,
            edit(set_("other", "x"), other),
        ),
        case(
            "absence-other/dropped",
            root16,
            absent_other["key"],
            None,
            edit(set_("other", None), other),
        ),
    ]
    return out


def unicode_case() -> Case:
    """A map with a non-ASCII key, built by the tree, proved both ways."""
    tree = IndexTree({"holder:张三🙂": b'{"assets":[]}', "asset:1": b"{}"})
    return case(
        "unicode-key",
        tree.root(),
        "holder:张三🙂",
        b'{"assets":[]}',
        proof_json(tree.prove("holder:张三🙂")),
    )


def bundle_form_case() -> Case:
    """A proof as a bundle may carry it, without "other": the bundle model fills in null."""
    shared = next(
        v for v in json.loads(VECTORS.read_text())["cases"] if v["name"] == "shared-prefix"
    )
    item = next(p for p in shared["proofs"] if not p["present"] and p["proof"]["other"] is None)
    bare = {k: v for k, v in item["proof"].items() if k != "other"}
    dumped = IndexProofJson.model_validate(bare).model_dump()
    out = case("bundle-form/other-absent", bytes.fromhex(shared["root"]), item["key"], None, dumped)
    return {**out, "proof": bare}


def line_cases() -> list[dict[str, Any]]:
    root = b64(bytes(range(32)))
    lines = [
        f"cunzheng-index sha256:{root}",
        "cunzheng-index sha512:" + root,
        "cunzheng-index",
        "cunzheng-index sha256:" + root[:-2] + "B=",
        "cunzheng-index sha256:" + b64(bytes(31)),
        "cunzheng-indexes sha256:" + root,
        "other line",
        "",
    ]
    out = []
    for line in lines:
        try:
            parsed = parse_index_root_line(line)
        except LedgerError as e:
            out.append({"line": line, "error": type(e).__name__, "message": e.message})
        else:
            out.append(
                {"line": line, "error": None, "root": None if parsed is None else b64(parsed)}
            )
    return out


def checkpoint_cases() -> list[dict[str, Any]]:
    """Checkpoint note bodies and the index root checkpoint_index_root reads from each."""
    root = bytes(range(32))
    bodies = [
        Checkpoint("example.com/log", 7, bytes(32), (index_root_line(root),)),
        Checkpoint("example.com/log", 7, bytes(32), ("other extension", index_root_line(root))),
        Checkpoint("example.com/log", 3, bytes(32)),
        Checkpoint("example.com/log", 9, bytes(32), (index_root_line(root),) * 2),
    ]
    out = []
    for cp in bodies:
        try:
            found = checkpoint_index_root(cp)
        except LedgerError as e:
            out.append({"body": cp.body(), "error": type(e).__name__, "message": e.message})
        else:
            out.append({"body": cp.body(), "error": None, "root": found and b64(found)})
    return out


if __name__ == "__main__":
    print(
        json.dumps(
            {
                "cases": [*known_cases(), *mutated_cases(), unicode_case(), bundle_form_case()],
                "lines": line_cases(),
                "checkpoints": checkpoint_cases(),
            },
            ensure_ascii=False,
        )
    )
