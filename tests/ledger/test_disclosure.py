"""Tests for ledger.disclosure: build, verify and attack disclosures of one record or file.

Proofs are checked against the naive RFC 9162 root of tests/ledger/test_fingerprint.py;
the negative vectors in tests/ledger/vectors/fingerprint/ are named after the mutation
they hold.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cunzheng.ledger import errors
from cunzheng.ledger.disclosure import (
    check_manifest,
    disclose_file,
    disclose_record,
    disclosure_json,
    parse_disclosure,
    verify_disclosure,
)
from cunzheng.ledger.errors import InvalidProof, LedgerError, MalformedInput
from cunzheng.ledger.fingerprint import item_salt, record_digest
from cunzheng.schemas.fingerprints import Disclosure, FileEntry, Manifest, disclosure_json_schema
from tests.ledger.test_fingerprint import (
    MASTER,
    VECTORS,
    ref_directory_root,
    ref_records_root,
    vector,
)


def records_manifest(records: list[bytes], salt: bytes | None = None) -> Manifest:
    digests = [
        record_digest(r, None if salt is None else item_salt(salt, i))
        for i, r in enumerate(records)
    ]
    return Manifest(
        kind="records",
        record_format="jsonl",
        salt=salt,
        records=digests,
        count=len(records),
        root=ref_records_root(records, salt),
    )


def directory_manifest(files: dict[str, bytes], salt: bytes | None = None) -> Manifest:
    entries = [FileEntry(path=p, sha256=hashlib.sha256(files[p]).digest()) for p in sorted(files)]
    return Manifest(
        kind="directory",
        salt=salt,
        files=entries,
        count=len(files),
        root=ref_directory_root(files, salt),
    )


RECORDS = [b'{"id":%d,"name":"holder %d"}' % (i, i) for i in range(13)]


def flip(raw: bytes, bit: int) -> bytes:
    b = bytearray(raw)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


def fails(data: bytes | str, *, root: bytes, count: int | None = None) -> LedgerError:
    with pytest.raises((InvalidProof, MalformedInput)) as e:
        verify_disclosure(data, root=root, count=count)
    return e.value


# -- Round trips ------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13])
@pytest.mark.parametrize("salt", [None, MASTER])
def test_every_record_of_small_datasets_round_trips(size: int, salt: bytes | None) -> None:
    records = RECORDS[:size]
    manifest = records_manifest(records, salt)
    for i, record in enumerate(records):
        data = disclosure_json(disclose_record(manifest, i, record))
        item = verify_disclosure(data, root=manifest.root, count=size)
        assert (item.scheme, item.index, item.size, item.record) == ("records", i, size, record)
        assert item.salt == (None if salt is None else item_salt(salt, i))
        assert item.describe() == f"record {i} of {size}"
        # The verifier sees this record and no other.
        others = [base64.b64encode(r).decode() for j, r in enumerate(records) if j != i]
        assert not any(o in data.decode() for o in others)
        if salt is not None:
            assert MASTER.hex() not in data.decode()


@pytest.mark.parametrize("salt", [None, MASTER])
def test_every_file_of_a_small_directory_round_trips(salt: bytes | None) -> None:
    files = {"a.txt": b"a", "b/c.txt": b"c", "b/d/e.bin": b"\x00\x01", "\u5f20\u4e09.csv": b"id\n"}
    manifest = directory_manifest(files, salt)
    check_manifest(manifest)
    for i, path in enumerate(sorted(files)):
        data = disclosure_json(disclose_file(manifest, path))
        item = verify_disclosure(data, root=manifest.root, count=len(files))
        assert (item.scheme, item.index, item.path) == ("directory", i, path)
        assert item.salt == (None if salt is None else item_salt(salt, i))
        assert item.sha256 == hashlib.sha256(files[path]).digest()


@given(st.lists(st.binary(max_size=40), min_size=1, max_size=70), st.data(), st.booleans())
@settings(max_examples=80, deadline=None)
def test_disclosures_round_trip(records: list[bytes], data: st.DataObject, salted: bool) -> None:
    salt = MASTER if salted else None
    manifest = records_manifest(records, salt)
    i = data.draw(st.integers(0, len(records) - 1))
    item = verify_disclosure(
        disclosure_json(disclose_record(manifest, i, records[i])), root=manifest.root
    )
    assert item.record == records[i] and item.index == i


@pytest.mark.parametrize(
    "name", ["disclosure-record.json", "disclosure-salted-record.json", "disclosure-file.json"]
)
def test_valid_vectors(name: str) -> None:
    v = vector(name)
    item = verify_disclosure(
        json.dumps(v["disclosure"]), root=bytes.fromhex(v["root"]), count=v["count"]
    )
    if "record" in v:
        assert item.record == v["record"].encode()
    else:
        assert item.path == v["path"]


def test_the_salted_vector_carries_the_records_own_salt() -> None:
    v = vector("disclosure-salted-record.json")
    assert v["disclosure"]["salt"] == item_salt(MASTER, v["disclosure"]["index"]).hex()


# -- Every single-bit change fails ----------------------------------------------------


@pytest.fixture(scope="module")
def salted() -> tuple[Manifest, Disclosure]:
    manifest = records_manifest(RECORDS, MASTER)
    return manifest, disclose_record(manifest, 6, RECORDS[6])


def mutated(d: Disclosure, **changes: Any) -> bytes:
    return disclosure_json(d.model_copy(update=changes))


def test_every_bit_of_the_record_salt_and_proof_matters(
    salted: tuple[Manifest, Disclosure],
) -> None:
    manifest, d = salted
    assert d.record is not None and d.salt is not None
    for bit in range(len(d.record) * 8):
        e = fails(mutated(d, record=flip(d.record, bit)), root=manifest.root)
        assert "record 6 of 13 is not in the dataset: root mismatch" in str(e)
    for bit in range(256):
        e = fails(mutated(d, salt=flip(d.salt, bit)), root=manifest.root)
        assert "root mismatch" in str(e)
    for k, h in enumerate(d.inclusion_proof):
        for bit in range(256):
            proof = list(d.inclusion_proof)
            proof[k] = flip(h, bit)
            assert "root mismatch" in str(
                fails(mutated(d, inclusion_proof=proof), root=manifest.root)
            )


def test_every_bit_of_the_index_size_and_root_matters(
    salted: tuple[Manifest, Disclosure],
) -> None:
    manifest, d = salted
    for bit in range(54):
        index = d.index ^ (1 << bit)
        e = fails(mutated(d, index=index), root=manifest.root, count=13)
        assert "root mismatch" in str(e) or f"index {index} is not less than the size" in str(e)
        size = d.size ^ (1 << bit)
        e = fails(mutated(d, size=size), root=manifest.root, count=13)
        assert f"the disclosure gives size {size}, the statement 13" in str(e)
    for bit in range(256):
        other = flip(manifest.root, bit)
        e = fails(disclosure_json(d), root=other, count=13)
        assert f"the disclosure is for root {manifest.root.hex()}, not {other.hex()}" in str(e)
        e = fails(mutated(d, root=other), root=manifest.root, count=13)
        assert "the disclosure is for root" in str(e)


@pytest.mark.parametrize("scheme", ["records", "directory"])
def test_every_bit_of_the_disclosure_file_matters(scheme: str) -> None:
    if scheme == "records":
        manifest = records_manifest(RECORDS[:5], MASTER)
        data = disclosure_json(disclose_record(manifest, 3, RECORDS[3]))
    else:
        manifest = directory_manifest({"a": b"1", "b/caf\u00e9": b"2", "c": b"3"}, MASTER)
        data = disclosure_json(disclose_file(manifest, "b/caf\u00e9"))
    verify_disclosure(data, root=manifest.root, count=manifest.count)
    for bit in range(len(data) * 8):
        fails(flip(data, bit), root=manifest.root, count=manifest.count)


def test_the_size_is_bound_only_by_the_statements_count() -> None:
    # RFC 9162 proofs commit to the tree's shape: record 0 of 7 and of 5 share a path shape.
    manifest = records_manifest(RECORDS[:7])
    d = disclose_record(manifest, 0, RECORDS[0])
    assert verify_disclosure(mutated(d, size=5), root=manifest.root).size == 5
    assert "gives size 5, the statement 7" in str(
        fails(mutated(d, size=5), root=manifest.root, count=7)
    )


# -- Negative vectors -------------------------------------------------------------------

NEGATIVE = sorted(
    p.name
    for p in sorted(VECTORS.glob("disclosure-*.json"))
    if p.name
    not in ("disclosure-record.json", "disclosure-salted-record.json", "disclosure-file.json")
)


def test_there_are_negative_vectors() -> None:
    assert len(NEGATIVE) >= 15


@pytest.mark.parametrize("name", NEGATIVE)
def test_negative_vectors(name: str) -> None:
    v = vector(name)
    data = v["disclosure_text"] if "disclosure_text" in v else json.dumps(v["disclosure"])
    error = getattr(errors, v["error"])
    with pytest.raises(error) as e:
        verify_disclosure(data, root=bytes.fromhex(v["root"]), count=v["count"])
    assert v["message"] in str(e.value)


# -- Building disclosures from a manifest ---------------------------------------------


def test_building_refuses_changed_data_and_damaged_manifests() -> None:
    manifest = records_manifest(RECORDS[:4], MASTER)
    with pytest.raises(InvalidProof, match="record 2 of the data does not match the manifest"):
        disclose_record(manifest, 2, RECORDS[3])
    with pytest.raises(MalformedInput, match="there is no record 4: the dataset holds 0 to 3"):
        disclose_record(manifest, 4, RECORDS[3])
    assert manifest.records is not None
    damaged = manifest.model_copy(update={"records": [manifest.records[1], *manifest.records[1:]]})
    with pytest.raises(InvalidProof, match="do not give its root"):
        check_manifest(damaged)
    files = directory_manifest({"a": b"1", "b": b"2"})
    with pytest.raises(MalformedInput, match="the manifest lists no file 'c'"):
        disclose_file(files, "c")
    with pytest.raises(InvalidProof, match="the file changed after it was fingerprinted"):
        disclose_file(files, "a", digest=record_digest(b"other", None))
    with pytest.raises(MalformedInput, match="disclose a record by its index, not a file"):
        disclose_file(manifest, "a")
    with pytest.raises(MalformedInput, match="disclose a file by its path, not a record"):
        disclose_record(files, 0, b"1")
    with pytest.raises(MalformedInput, match="the dataset is empty"):
        disclose_record(records_manifest([]), 0, b"")


def test_verify_refuses_a_root_of_the_wrong_length() -> None:
    manifest = records_manifest(RECORDS[:2])
    data = disclosure_json(disclose_record(manifest, 0, RECORDS[0]))
    with pytest.raises(MalformedInput, match="a dataset root has 32 bytes, not 31"):
        verify_disclosure(data, root=manifest.root[:31])


def test_disclosure_format() -> None:
    manifest = records_manifest(RECORDS[:3])
    d = json.loads(disclosure_json(disclose_record(manifest, 1, RECORDS[1])))
    assert list(d) == ["format", "scheme", "root", "size", "index", "record", "inclusion_proof"]
    assert d["format"] == "cunzheng.disclosure/v1" and d["root"] == manifest.root.hex()
    assert base64.b64decode(d["record"]) == RECORDS[1]
    assert parse_disclosure(json.dumps(d)).index == 1
    schema = disclosure_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["properties"]["format"]["const"] == "cunzheng.disclosure/v1"


def test_a_disclosed_record_carries_its_plain_sha256_and_own_salt() -> None:
    manifest = records_manifest(RECORDS[:3], MASTER)
    item = verify_disclosure(
        disclosure_json(disclose_record(manifest, 2, RECORDS[2])), root=manifest.root
    )
    assert manifest.records is not None and item.sha256 == hashlib.sha256(RECORDS[2]).digest()
    assert record_digest(RECORDS[2], item.salt) == manifest.records[2]


def test_vectors_directory_is_listed_in_its_readme() -> None:
    readme = (VECTORS / "README.md").read_text()
    for name in ("records-small.csv", "records-salted.json", "directory-small.json"):
        assert name in readme
    assert Path(VECTORS / "records-small.csv").exists()
