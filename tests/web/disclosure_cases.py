"""Disclosure cases for tests/web/disclosure.test.js, with the Python verdict on each.

Every disclosure vector of tests/ledger/vectors/fingerprint/, and further
mutations of the valid ones (field types, members, proofs), each with what
cunzheng.ledger.disclosure.verify_disclosure makes of it: the disclosed item,
or the error's class and message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cunzheng.ledger.disclosure import verify_disclosure
from cunzheng.ledger.errors import LedgerError

VECTORS = Path(__file__).parents[1] / "ledger" / "vectors" / "fingerprint"


def verdict(text: str, root: str, count: int | None) -> dict[str, Any]:
    try:
        item = verify_disclosure(text, root=bytes.fromhex(root), count=count)
    except LedgerError as e:
        return {"error": type(e).__name__, "message": e.message}
    return {
        "error": None,
        "item": {
            "scheme": item.scheme,
            "index": item.index,
            "size": item.size,
            "root": item.root.hex(),
            "sha256": item.sha256.hex(),
            "salt": None if item.salt is None else item.salt.hex(),
            "record": None if item.record is None else item.record.hex(),
            "path": item.path,
            "describe": item.describe(),
        },
    }


def case(name: str, text: str, root: str, count: int | None) -> dict[str, Any]:
    return {"name": name, "text": text, "root": root, "count": count, **verdict(text, root, count)}


def vector_cases() -> list[dict[str, Any]]:
    out = []
    for path in sorted(VECTORS.glob("disclosure-*.json")):
        v = json.loads(path.read_text())
        text = v.get("disclosure_text") or json.dumps(v["disclosure"], ensure_ascii=False)
        out.append(case(path.stem, text, v["root"], v["count"]))
    return out


def mutation_cases() -> list[dict[str, Any]]:
    record = json.loads((VECTORS / "disclosure-record.json").read_text())
    file = json.loads((VECTORS / "disclosure-file.json").read_text())
    d, root, count = record["disclosure"], record["root"], record["count"]
    f = file["disclosure"]

    def with_(base: dict[str, Any], **changes: Any) -> str:
        out = {k: v for k, v in {**base, **changes}.items() if v is not ...}
        return json.dumps(out, ensure_ascii=False)

    texts = {
        "size-as-string": with_(d, size="6"),
        "size-as-float": with_(d, size=6.0),
        "size-fraction": with_(d, size=6.5),
        "size-true": with_(d, size=True),
        "size-zero": with_(d, size=0),
        "size-word": with_(d, size="six"),
        "index-negative": with_(d, index=-1),
        "index-null": with_(d, index=None),
        "index-missing": with_(d, index=...),
        "format-missing": with_(d, format=...),
        "scheme-file": with_(d, scheme="file"),
        "extra-first": json.dumps({"aaa": 1, **d}),
        "extra-and-bad-size": with_(d, aaa=1, size="x"),
        "root-number": with_(d, root=5),
        "record-number": with_(d, record=5),
        "record-not-base64": with_(d, record="abc"),
        "proof-not-list": with_(d, inclusion_proof="x"),
        "proof-item-bad": with_(d, inclusion_proof=[d["inclusion_proof"][0], "x"]),
        "two-bad-fields": with_(d, root="x", size="y"),
        "record-and-path": with_(d, path="a"),
        "path-number": with_(f, path=5),
        "directory-with-record": with_(f, record=d["record"]),
        "directory-no-sha256": with_(f, sha256=None),
        "salt-null": with_(d, salt=None),
        "not-object": json.dumps([d]),
        "duplicate-key": json.dumps(d)[:-1] + ', "size": 6}',
        "index-beyond-proof": with_(d, index=5),
        "size-bigger": with_(d, size=9),
        "file-index-altered": with_(f, index=2),
    }
    out = [
        case(name, text, root, count)
        for name, text in texts.items()
        if "directory" not in name and not name.startswith(("path", "file"))
    ]
    out += [
        case(name, text, file["root"], file["count"])
        for name, text in texts.items()
        if "directory" in name or name.startswith(("path", "file"))
    ]
    out.append(case("count-not-given", json.dumps(d), root, None))
    out.append(case("root-short", json.dumps(d), root[:62], count))
    return out


if __name__ == "__main__":
    print(json.dumps({"cases": [*vector_cases(), *mutation_cases()]}, ensure_ascii=False))
