"""Receipts: the fast JSON form equals the model's, and parsing names what is wrong."""

from __future__ import annotations

import orjson
import pytest
from nacl.signing import SigningKey

from cunzheng.ledger import merkle
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.receipts import build_receipt, parse_receipt, receipt_bytes, receipt_json
from cunzheng.ledger.statements import cosign, make_leaf
from tests.conftest import SIGNED_AT, evidence


@pytest.mark.parametrize("cosigned", [False, True])
def test_fast_receipt_json_is_the_model_dumped(cosigned: bool) -> None:
    statement = evidence(SigningKey.generate(), 3)
    if cosigned:
        statement = cosign(statement, SigningKey.generate())
    leaf = make_leaf(statement, SIGNED_AT)
    args = {
        "leaf": leaf,
        "index": 3,
        "tree_size": 9,
        "proof": [merkle.leaf_hash(b"x")] * 3,
        "checkpoint": "o\n9\nr\n",
    }
    model = build_receipt(**args)  # type: ignore[arg-type]
    fast = receipt_bytes(**args)  # type: ignore[arg-type]
    assert parse_receipt(fast) == model
    assert orjson.loads(fast) == orjson.loads(receipt_json(model))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "other/v1"}, "format"),
        ({"index": -1}, "index"),
        ({"inclusion_proof": ["AAAA"]}, "inclusion_proof"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_receipts_name_the_field(change: dict[str, object], message: str) -> None:
    leaf = make_leaf(evidence(SigningKey.generate(), 1), SIGNED_AT)
    good = orjson.loads(receipt_bytes(leaf=leaf, index=0, tree_size=1, proof=[], checkpoint="c"))
    with pytest.raises(MalformedInput, match=message):
        parse_receipt(orjson.dumps({**good, **change}))
