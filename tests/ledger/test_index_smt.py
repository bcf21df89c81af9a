"""The verifiable index's sparse Merkle tree against a naive reference written from its definition.

The reference below recomputes every hash from the set of leaves each time, as
the definition in ``cunzheng.ledger.index.smt`` reads; it shares no code with
the module. ``python -m tests.ledger.test_index_smt`` rewrites the known-answer
vectors from it (see tests/ledger/vectors/index/README.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cunzheng.ledger.canonical import canonical_json, loads
from cunzheng.ledger.encoding import decode_base64, encode_base64
from cunzheng.ledger.errors import InvalidProof, MalformedInput
from cunzheng.ledger.index import (
    EMPTY,
    IndexProof,
    IndexTree,
    index_root_line,
    parse_index_root_line,
    parse_proof,
    proof_json,
    root_of,
    smt,
    verify_absence,
    verify_presence,
)

VECTORS = Path(__file__).parent / "vectors" / "index" / "known-answers.json"
ZERO = bytes(32)

# --- the reference: the definition, read literally --------------------------------------


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def ref_path(key: str) -> bytes:
    return _sha(key.encode("utf-8"))


def ref_bit(path: bytes, i: int) -> int:
    return (path[i // 8] >> (7 - i % 8)) & 1


def ref_leaf(path: bytes, value: bytes) -> bytes:
    return _sha(b"\x10" + path + _sha(value))


def ref_hash(leaves: list[tuple[bytes, bytes]], depth: int) -> bytes:
    """Hash of the subtree at *depth* holding *leaves* (path, value), all sharing its prefix."""
    if not leaves:
        return ZERO
    if len(leaves) == 1:
        return ref_leaf(*leaves[0])
    left = [leaf for leaf in leaves if ref_bit(leaf[0], depth) == 0]
    right = [leaf for leaf in leaves if ref_bit(leaf[0], depth) == 1]
    return _sha(b"\x11" + ref_hash(left, depth + 1) + ref_hash(right, depth + 1))


def ref_root(m: dict[str, bytes]) -> bytes:
    return ref_hash([(ref_path(k), v) for k, v in m.items()], 0)


def ref_proof(m: dict[str, bytes], key: str) -> IndexProof:
    """Follow *key*'s path while it holds two or more leaves, collecting every sibling."""
    path = ref_path(key)
    on_path = [(ref_path(k), v) for k, v in m.items()]
    levels: list[bytes] = []
    while len(on_path) >= 2:
        depth = len(levels)
        mine = [leaf for leaf in on_path if ref_bit(leaf[0], depth) == ref_bit(path, depth)]
        theirs = [leaf for leaf in on_path if ref_bit(leaf[0], depth) != ref_bit(path, depth)]
        levels.append(ref_hash(theirs, depth + 1))
        on_path = mine
    other = None
    if on_path and on_path[0][0] != path:
        other = (on_path[0][0], _sha(on_path[0][1]))
    return compact(key, levels, other)


def compact(key: str, levels: list[bytes], other: tuple[bytes, bytes] | None) -> IndexProof:
    """Encode a proof's full list of siblings as depth, bitmap and non-empty siblings."""
    bits = 0
    for level in levels:
        bits = (bits << 1) | (level == ZERO)
    size = (len(levels) + 7) // 8
    bitmap = (bits << (8 * size - len(levels))).to_bytes(size, "big")
    siblings = tuple(level for level in levels if level != ZERO)
    return IndexProof(key, len(levels), siblings, bitmap, other)


def expand(proof: IndexProof) -> list[bytes]:
    it = iter(proof.siblings)
    bitmap = proof.empty_bitmap
    return [ZERO if (bitmap[i // 8] >> (7 - i % 8)) & 1 else next(it) for i in range(proof.depth)]


def ref_fold(start: bytes, path: bytes, levels: list[bytes]) -> bytes:
    h = start
    for i in reversed(range(len(levels))):
        pair = levels[i] + h if ref_bit(path, i) else h + levels[i]
        h = _sha(b"\x11" + pair)
    return h


# --- strategies ---------------------------------------------------------------------------

keys = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
pool = st.sampled_from([f"asset:{i:02x}" for i in range(24)])
values = st.binary(max_size=24)
maps = st.dictionaries(keys, values, max_size=40)
some_maps = st.dictionaries(keys, values, min_size=2, max_size=40)
writes = st.tuples(pool | keys, st.none() | values)


# --- roots --------------------------------------------------------------------------------


@given(maps)
def test_root_matches_reference(m: dict[str, bytes]) -> None:
    expected = ref_root(m)
    assert IndexTree(m).root() == expected
    assert root_of(m) == expected
    assert root_of(list(m.items())) == expected


def test_empty_and_single_leaf_roots() -> None:
    assert IndexTree().root() == EMPTY == ZERO
    assert root_of([]) == ZERO
    tree = IndexTree()
    tree.set("asset:00", b"{}")
    assert tree.root() == ref_leaf(ref_path("asset:00"), b"{}")
    tree.delete("asset:00")
    assert tree.root() == ZERO and len(tree) == 0


@settings(max_examples=150)
@given(st.lists(writes, max_size=80), st.booleans())
def test_writes_one_at_a_time_match_reference(
    ops: list[tuple[str, bytes | None]], bulk: bool
) -> None:
    model: dict[str, bytes] = {}
    with mock.patch.object(smt, "_BULK_SHARE", smt._BULK_SHARE if bulk else 0):
        tree = IndexTree()
        for key, value in ops:
            if value is None:
                tree.delete(key)
                model.pop(key, None)
            else:
                tree.set(key, value)
                model[key] = value
            assert tree.root() == ref_root(model)
    assert dict(tree.items()) == model and len(tree) == len(model)
    assert all(tree.get(k) == v for k, v in model.items())


@settings(max_examples=150)
@given(st.lists(st.lists(writes, max_size=30), max_size=8), st.booleans())
def test_batches_match_reference(batches: list[list[tuple[str, bytes | None]]], bulk: bool) -> None:
    model: dict[str, bytes] = {}
    with mock.patch.object(smt, "_BULK_SHARE", smt._BULK_SHARE if bulk else 0):
        tree = IndexTree()
        for batch in batches:
            tree.update(batch)
            for key, value in batch:
                if value is None:
                    model.pop(key, None)
                else:
                    model[key] = value
            assert tree.root() == ref_root(model)
            assert root_of(tree.items()) == tree.root()
    assert dict(tree.items()) == model


@given(maps, st.randoms(use_true_random=False))
def test_root_does_not_depend_on_insertion_order(m: dict[str, bytes], rnd: Any) -> None:
    shuffled = list(m.items())
    rnd.shuffle(shuffled)
    with mock.patch.object(smt, "_BULK_SHARE", 0):
        tree = IndexTree()
        for key, value in shuffled:
            tree.set(key, value)
    assert tree.root() == IndexTree(m).root()


def test_copy_is_independent() -> None:
    tree = IndexTree({"a": b"1", "b": b"2"})
    old = tree.copy()
    tree.set("c", b"3")
    assert old.root() == ref_root({"a": b"1", "b": b"2"})
    assert tree.root() == ref_root({"a": b"1", "b": b"2", "c": b"3"})


def test_bad_writes_are_refused() -> None:
    tree = IndexTree()
    with pytest.raises(MalformedInput, match="empty"):
        tree.set("", b"x")
    with pytest.raises(MalformedInput, match="surrogate"):
        tree.set("asset:\ud800", b"x")
    with pytest.raises(TypeError):
        tree.set("asset:00", "not bytes")  # type: ignore[arg-type]
    assert len(tree) == 0


# --- proofs: completeness -----------------------------------------------------------------


@given(maps)
def test_every_present_key_has_a_verifying_proof_equal_to_the_reference(
    m: dict[str, bytes],
) -> None:
    tree = IndexTree(m)
    root = tree.root()
    for key, value in m.items():
        proof = tree.prove(key)
        assert proof == ref_proof(m, key)
        verify_presence(root, key, value, proof)
        assert parse_proof(loads(canonical_json(proof_json(proof)))) == proof


@given(maps, st.lists(keys, max_size=10))
def test_absent_keys_have_verifying_proofs_equal_to_the_reference(
    m: dict[str, bytes], absent: list[str]
) -> None:
    tree = IndexTree(m)
    root = tree.root()
    for key in absent:
        if key in m:
            continue
        proof = tree.prove(key)
        assert proof == ref_proof(m, key)
        verify_absence(root, key, proof)
        assert parse_proof(proof_json(proof)) == proof


# --- proofs: soundness --------------------------------------------------------------------


@given(some_maps, st.data())
def test_presence_proof_fails_for_a_changed_value(m: dict[str, bytes], data: Any) -> None:
    tree = IndexTree(m)
    key = data.draw(st.sampled_from(sorted(m)))
    with pytest.raises(InvalidProof, match="root mismatch"):
        verify_presence(tree.root(), key, m[key] + b"\x00", tree.prove(key))


@given(some_maps, st.data())
def test_presence_proof_fails_for_another_key(m: dict[str, bytes], data: Any) -> None:
    tree = IndexTree(m)
    key, other = data.draw(st.permutations(sorted(m)))[:2]
    with pytest.raises(InvalidProof, match="for another key"):
        verify_presence(tree.root(), key, m[key], tree.prove(other))
    relabelled = dataclasses.replace(tree.prove(other), key=key)
    with pytest.raises(InvalidProof):
        verify_presence(tree.root(), key, m[key], relabelled)
    with pytest.raises(InvalidProof):
        verify_presence(tree.root(), key, m[other], relabelled)


@given(some_maps, st.data())
def test_presence_proof_fails_with_a_flipped_bit(m: dict[str, bytes], data: Any) -> None:
    tree = IndexTree(m)
    key = data.draw(st.sampled_from(sorted(m)))
    proof = tree.prove(key)
    # Two or more keys: the path ends below the root, with at least one sibling.
    i = data.draw(st.integers(0, len(proof.siblings) - 1))
    bit = data.draw(st.integers(0, 255))
    sibling = bytearray(proof.siblings[i])
    sibling[bit // 8] ^= 0x80 >> (bit % 8)
    siblings = proof.siblings[:i] + (bytes(sibling),) + proof.siblings[i + 1 :]
    with pytest.raises(InvalidProof):
        verify_presence(tree.root(), key, m[key], dataclasses.replace(proof, siblings=siblings))
    j = data.draw(st.integers(0, 8 * len(proof.empty_bitmap) - 1))
    bitmap = bytearray(proof.empty_bitmap)
    bitmap[j // 8] ^= 0x80 >> (j % 8)
    with pytest.raises(InvalidProof):
        verify_presence(
            tree.root(), key, m[key], dataclasses.replace(proof, empty_bitmap=bytes(bitmap))
        )


@given(some_maps, st.data())
def test_presence_proof_fails_truncated_or_at_a_wrong_depth(m: dict[str, bytes], data: Any) -> None:
    tree = IndexTree(m)
    key = data.draw(st.sampled_from(sorted(m)))
    proof = tree.prove(key)
    levels = expand(proof)
    root, value = tree.root(), m[key]
    mutants = {
        "deepest level dropped": compact(key, levels[:-1], None),
        "top level dropped": compact(key, levels[1:], None),
        "last sibling dropped": dataclasses.replace(proof, siblings=proof.siblings[:-1]),
        "depth one less": dataclasses.replace(proof, depth=proof.depth - 1),
        "depth one more": dataclasses.replace(proof, depth=proof.depth + 1),
        "an empty level added": compact(key, [*levels, ZERO], None),
        "a sibling level added": compact(key, [*levels, _sha(b"x")], None),
        "an empty level inserted at the top": compact(key, [ZERO, *levels], None),
        "no levels": compact(key, [], None),
    }
    for name, mutant in mutants.items():
        with pytest.raises(InvalidProof):
            verify_presence(root, key, value, mutant)
            pytest.fail(f"{name} passed")


@given(maps, keys, values)
def test_absence_proof_fails_once_the_key_is_present(
    m: dict[str, bytes], key: str, value: bytes
) -> None:
    m.pop(key, None)
    tree = IndexTree(m)
    before = tree.prove(key)
    verify_absence(tree.root(), key, before)
    tree.set(key, value)
    with pytest.raises(InvalidProof):
        verify_absence(tree.root(), key, before)
    with pytest.raises(InvalidProof):
        verify_absence(tree.root(), key, tree.prove(key))
    verify_presence(tree.root(), key, value, tree.prove(key))
    # An absence proof that ended at an empty subtree is, siblings and all, the
    # presence proof of a key written into that subtree: the verifier's start differs.
    if before.other is not None:
        with pytest.raises(InvalidProof):
            verify_presence(tree.root(), key, value, before)


@given(some_maps, keys, st.data())
def test_absence_proof_refuses_an_other_leaf_off_the_keys_path(
    m: dict[str, bytes], key: str, data: Any
) -> None:
    m.pop(key, None)
    tree = IndexTree(m)
    proof = tree.prove(key)
    path = ref_path(key)
    # A leaf whose path leaves the key's within the proof's depth, and a root forged to
    # match it: only the prefix check stands between this proof and a hidden key.
    strangers = [
        k for k in m if _shared_bits(ref_path(k), path) < proof.depth and (k, m[k]) != proof.other
    ]
    if proof.depth == 0 or not strangers:
        return
    stranger = data.draw(st.sampled_from(sorted(strangers)))
    other = (ref_path(stranger), _sha(m[stranger]))
    forged_root = ref_fold(_sha(b"\x10" + other[0] + other[1]), path, expand(proof))
    with pytest.raises(InvalidProof, match="leading bits"):
        verify_absence(forged_root, key, dataclasses.replace(proof, other=other))


def test_absence_proof_refuses_the_keys_own_leaf() -> None:
    m = {"asset:01": b"a", "asset:02": b"b", "asset:03": b"c"}
    tree = IndexTree(m)
    proof = tree.prove("asset:01")
    own = (ref_path("asset:01"), _sha(b"a"))
    with pytest.raises(InvalidProof, match="own leaf"):
        verify_absence(tree.root(), "asset:01", dataclasses.replace(proof, other=own))
    with pytest.raises(InvalidProof, match="root mismatch"):
        verify_absence(tree.root(), "asset:01", proof)


def test_presence_refuses_an_absence_proof_and_names_the_key() -> None:
    tree = IndexTree({"asset:01": b"a"})
    proof = tree.prove("asset:02")
    assert proof.other is not None and proof.depth == 0
    with pytest.raises(InvalidProof, match=r"^index proof for asset:02: .*absence"):
        verify_presence(tree.root(), "asset:02", b"a", proof)


def test_non_canonical_proofs_are_refused() -> None:
    m = {f"asset:{i}": b"v" for i in range(50)}
    tree = IndexTree(m)
    key = "asset:7"
    proof = tree.prove(key)
    written_out = dataclasses.replace(proof, siblings=(*proof.siblings[:-1], ZERO))
    with pytest.raises(InvalidProof, match="written out"):
        verify_presence(tree.root(), key, b"v", written_out)
    deeper = compact(key, [*expand(proof), ZERO], None)
    with pytest.raises(InvalidProof, match="canonical"):
        verify_presence(tree.root(), key, b"v", deeper)


def test_error_messages_shorten_long_keys() -> None:
    key = "asset:" + "ab12" * 16
    tree = IndexTree({key: b"v", "asset:00": b"w"})
    with pytest.raises(InvalidProof) as caught:
        verify_presence(tree.root(), key, b"other", tree.prove(key))
    assert str(caught.value).startswith("index proof for asset:ab12…: root mismatch")


# --- proof encoding -----------------------------------------------------------------------


def _valid_json() -> dict[str, Any]:
    m = {f"asset:{i}": b"v" for i in range(20)}
    proof = IndexTree(m).prove("asset:absent")
    assert proof.other is not None and proof.depth >= 2
    return proof_json(proof)


def _set(path: tuple[str, ...], value: Any) -> Any:
    def mutate(obj: dict[str, Any]) -> None:
        target = obj
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _drop(*path: str) -> Any:
    def mutate(obj: dict[str, Any]) -> None:
        target = obj
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


def _bitmap_padding(obj: dict[str, Any]) -> None:
    depth = obj["depth"]
    raw = bytearray(decode_base64(obj["empty_bitmap"], what="x"))
    assert depth % 8, "the fixture proof needs unused bitmap bits"
    raw[-1] |= 1
    obj["empty_bitmap"] = encode_base64(bytes(raw))


MALFORMED = {
    "key-missing": _drop("key"),
    "member-unknown": _set(("extra",), 1),
    "key-not-string": _set(("key",), 7),
    "key-empty": _set(("key",), ""),
    "depth-boolean": _set(("depth",), True),
    "depth-negative": _set(("depth",), -1),
    "depth-over-256": _set(("depth",), 257),
    "depth-string": _set(("depth",), "3"),
    "siblings-not-array": _set(("siblings",), "AAAA"),
    "sibling-31-bytes": _set(("siblings",), [encode_base64(b"\x01" * 31)]),
    "sibling-unpadded": _set(("siblings",), [encode_base64(b"\x01" * 32).rstrip("=")]),
    "sibling-noncanonical-bits": _set(("siblings",), [encode_base64(b"\x01" * 32)[:-2] + "B="]),
    "sibling-written-out-empty": lambda obj: obj["siblings"].__setitem__(-1, encode_base64(ZERO)),
    "siblings-one-missing": lambda obj: obj["siblings"].pop(),
    "bitmap-too-long": lambda obj: obj.__setitem__(
        "empty_bitmap", encode_base64(decode_base64(obj["empty_bitmap"], what="x") + b"\0")
    ),
    "bitmap-padding-bit-set": _bitmap_padding,
    "bitmap-not-base64": _set(("empty_bitmap",), "!!"),
    "other-not-object": _set(("other",), "AAAA"),
    "other-path-missing": _drop("other", "path"),
    "other-member-unknown": _set(("other", "key"), "asset:1"),
    "other-path-31-bytes": _set(("other", "path"), encode_base64(b"\x01" * 31)),
    "other-value-hash-not-string": _set(("other", "value_hash"), None),
}


def test_valid_json_parses() -> None:
    obj = _valid_json()
    assert proof_json(parse_proof(obj)) == obj


@pytest.mark.parametrize("mutation", sorted(MALFORMED))
def test_malformed_proof_json_is_refused(mutation: str) -> None:
    obj = _valid_json()
    MALFORMED[mutation](obj)
    with pytest.raises(MalformedInput):
        parse_proof(obj)


@pytest.mark.parametrize("obj", [None, [], "proof", 3])
def test_proof_json_must_be_an_object(obj: object) -> None:
    with pytest.raises(MalformedInput, match="JSON object"):
        parse_proof(obj)


# --- the checkpoint line ------------------------------------------------------------------


def test_index_root_line_round_trips() -> None:
    root = root_of({"asset:00": b"{}", "asset:01": b"{}"})
    line = index_root_line(root)
    assert line == "cunzheng-index sha256:" + encode_base64(root)
    assert parse_index_root_line(line) == root
    assert parse_index_root_line(index_root_line(EMPTY)) == EMPTY


@pytest.mark.parametrize(
    "line", ["", "cunzheng-indexes sha256:AAAA", "origin.example/log", "witness — abc"]
)
def test_other_lines_are_not_index_lines(line: str) -> None:
    assert parse_index_root_line(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "cunzheng-index",
        "cunzheng-index ",
        "cunzheng-index sha512:" + encode_base64(ZERO),
        "cunzheng-index sha256:" + encode_base64(ZERO[:31]),
        "cunzheng-index sha256:" + encode_base64(ZERO).rstrip("="),
        "cunzheng-index sha256:" + encode_base64(ZERO) + " ",
    ],
)
def test_malformed_index_lines_are_refused(line: str) -> None:
    with pytest.raises(MalformedInput):
        parse_index_root_line(line)


# --- known answers ------------------------------------------------------------------------


def _shared_bits(a: bytes, b: bytes) -> int:
    x = int.from_bytes(a, "big") ^ int.from_bytes(b, "big")
    return 256 - x.bit_length()


def _asset(i: int) -> str:
    return "asset:" + _sha(b"asset %d" % i).hex()


def _document(key: str, i: int) -> bytes:
    return canonical_json({"key": key, "head": _sha(b"head %d" % i).hex()})


def _near(key: str, bits: int, *, exclude: set[str]) -> str:
    """The first key party:<n> whose path shares at least *bits* leading bits with *key*'s."""
    n = 0
    while True:
        candidate = f"party:{n}"
        if candidate not in exclude and _shared_bits(ref_path(candidate), ref_path(key)) >= bits:
            return candidate
        n += 1


def _vector_maps() -> dict[str, tuple[dict[str, bytes], list[str]]]:
    """Name -> (map, keys to prove); the rule is spelled out in vectors/index/README.md."""
    assets = {_asset(i): _document(_asset(i), i) for i in range(16)}
    near_a = _near(_asset(0), 10, exclude=set())
    near_b = _near(_asset(0), 12, exclude={near_a})
    clustered = {_asset(0): _document(_asset(0), 0), near_a: b"{}", near_b: b"{}"}
    absent_near = _near(_asset(0), 8, exclude=set(clustered))
    return {
        "empty": ({}, [_asset(0)]),
        "one-key": ({_asset(0): _document(_asset(0), 0)}, [_asset(0), _asset(1)]),
        "two-keys": (
            {_asset(i): _document(_asset(i), i) for i in range(2)},
            [_asset(0), _asset(1), _asset(2)],
        ),
        "sixteen-assets": (assets, [*assets, *(_asset(i) for i in range(16, 20))]),
        "shared-prefix": (clustered, [*clustered, absent_near, _asset(1)]),
    }


def generate_known_answers() -> dict[str, Any]:
    """The known-answer vectors, computed by the reference implementation alone."""
    cases = []
    for name, (m, prove) in _vector_maps().items():
        proofs = []
        for key in prove:
            proof = ref_proof(m, key)
            proofs.append(
                {
                    "key": key,
                    "path": ref_path(key).hex(),
                    "present": key in m,
                    "proof": proof_json(proof),
                }
            )
        cases.append(
            {
                "name": name,
                "map": [
                    {
                        "key": k,
                        "value": v.decode("utf-8"),
                        "path": ref_path(k).hex(),
                        "leaf_hash": ref_leaf(ref_path(k), v).hex(),
                    }
                    for k, v in sorted(m.items())
                ],
                "root": ref_root(m).hex(),
                "proofs": proofs,
            }
        )
    return {"cases": cases}


def _load_vectors() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))
    return data


def test_known_answers_come_from_the_reference() -> None:
    assert _load_vectors() == generate_known_answers()


@pytest.mark.parametrize("case", list(_vector_maps()))
def test_known_answers(case: str) -> None:
    (vector,) = [c for c in _load_vectors()["cases"] if c["name"] == case]
    m = {item["key"]: item["value"].encode("utf-8") for item in vector["map"]}
    root = bytes.fromhex(vector["root"])
    assert IndexTree(m).root() == root
    assert root_of(m) == root
    tree = IndexTree(m)
    for item in vector["proofs"]:
        key, proof = item["key"], parse_proof(item["proof"])
        assert tree.prove(key) == proof
        if item["present"]:
            verify_presence(root, key, m[key], proof)
        else:
            verify_absence(root, key, proof)


def test_known_answers_cover_every_way_a_proof_ends() -> None:
    ends = set()
    for vector in _load_vectors()["cases"]:
        for item in vector["proofs"]:
            proof = item["proof"]
            ends.add("presence" if item["present"] else "other" if proof["other"] else "empty")
            if ZERO in expand(parse_proof(proof)):
                ends.add("empty sibling")
    assert ends == {"presence", "other", "empty", "empty sibling"}


if __name__ == "__main__":
    VECTORS.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(generate_known_answers(), indent=2, ensure_ascii=False) + "\n"
    VECTORS.write_text(text, encoding="utf-8")
    print(f"wrote {VECTORS}")
