"""The JSON Schema of every statement body, one file per type, and of the signed statement around it.

The files in ``schemas/bodies/`` describe each type's body as
``ledger.bodies`` parses it (tests/api/test_openapi.py checks the two agree);
a statement is discriminated by its ``type``. The schemas state the shapes a
client can check before signing; the typed models remain the one parser, and
rules that need the log (``ledger.registry``) are beyond any schema.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "STATEMENT_REF",
    "body_schema",
    "body_schemas",
    "component_name",
    "openapi_components",
    "statement_schema",
]

_BASE64_KEY = "^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$"
_BASE64_SIGNATURE = "^[A-Za-z0-9+/]{85}[AQgw]==$"
_TIME = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$"
_SUFFIX = ".schema.json"
# Where the OpenAPI document keeps the statement schema, for the request bodies that use it.
STATEMENT_REF = "#/components/schemas/Statement"


@cache
def body_schemas() -> dict[str, dict[str, Any]]:
    """Return the JSON Schema (draft 2020-12) of each statement type's body, keyed by type."""
    folder = resources.files("cunzheng.schemas").joinpath("bodies")
    out = {}
    for item in sorted(folder.iterdir(), key=lambda f: f.name):
        if item.name.endswith(_SUFFIX):
            out[item.name.removesuffix(_SUFFIX)] = json.loads(item.read_text(encoding="utf-8"))
    return out


def body_schema(type_: str) -> dict[str, Any]:
    """Return the JSON Schema of the body of a statement of *type_*; KeyError for an unknown type."""
    return body_schemas()[type_]


def component_name(type_: str, *, part: str = "Statement") -> str:
    """Return the OpenAPI component name of *type_*'s statement or body: ``asset.apply`` -> ``AssetApplyStatement``."""
    words = type_.replace(".", "_").split("_")
    return "".join(w.capitalize() for w in words) + part


def _envelope(type_: str, body: dict[str, Any]) -> dict[str, Any]:
    signature = {"type": "string", "pattern": _BASE64_SIGNATURE}
    key = {"type": "string", "pattern": _BASE64_KEY}
    return {
        "type": "object",
        "title": f"{type_} statement",
        "description": f"A signed {type_} statement.",
        "properties": {
            "type": {"const": type_},
            "signer": {**key, "description": "The submitter's Ed25519 public key (base64)."},
            "signed_at": {"type": "string", "pattern": _TIME, "description": "RFC 3339 UTC."},
            "body": body,
            "signature": {
                **signature,
                "description": "Ed25519 signature over cunzheng/statement/v1\\n and the "
                "RFC 8785 canonical JSON of the statement without its signatures (base64).",
            },
            "cosignatures": {
                "type": "array",
                "minItems": 1,
                "maxItems": 8,
                "description": "Further signers, sorted by key, none the signer.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["signer", "signature"],
                    "properties": {"signer": key, "signature": signature},
                },
            },
        },
        "required": ["type", "signer", "signed_at", "body", "signature"],
        "additionalProperties": False,
    }


def statement_schema() -> dict[str, Any]:
    """Return a standalone JSON Schema of a signed statement of any type, discriminated by ``type``."""
    defs = {component_name(t): _envelope(t, _bare(schema)) for t, schema in body_schemas().items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Statement",
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in defs],
        "$defs": defs,
    }


def openapi_components() -> dict[str, dict[str, Any]]:
    """Return the OpenAPI component schemas: each body, each type's statement, and ``Statement``."""
    out: dict[str, dict[str, Any]] = {}
    mapping = {}
    for type_, schema in body_schemas().items():
        body, statement = component_name(type_, part="Body"), component_name(type_)
        out[body] = _bare(schema)
        out[statement] = _envelope(type_, {"$ref": f"#/components/schemas/{body}"})
        mapping[type_] = f"#/components/schemas/{statement}"
    out["Statement"] = {
        "description": "A signed statement; its type says which body it carries.",
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    }
    return out


def _bare(schema: dict[str, Any]) -> dict[str, Any]:
    """Return *schema* without the keywords that belong only to a schema file of its own."""
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
