"""The OpenAPI document tells the truth: valid, errors in the project's body, signed reads marked, statement bodies as schemas; /docs works offline."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cunzheng.ledger.bodies import BODY_TYPES, StatementBody
from cunzheng.ledger.errors import MalformedInput
from cunzheng.schemas.statements import body_schemas, statement_schema
from tests.conftest import registration

jsonschema = pytest.importorskip("jsonschema")

ID = "ab" * 32
KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
KEY2 = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
TIME = "2026-01-31T08:00:00Z"
PARTICULARS = {
    "name": "Traffic flows",
    "industry": "transport",
    "scenario": "planning",
    "source": "sensors",
    "legality": "collected under licence",
    "scale": {"records": 1000, "bytes": 65536},
    "update_frequency": "daily",
    "structure": "csv",
    "processing_rules": "hourly means",
}
EVENT = {"asset": ID, "prev": "cd" * 32}
# One well-formed body of each statement type.
VALID: dict[str, dict[str, Any]] = {
    "evidence.timestamp": {"sha256": ID, "media_type": "text/csv"},
    "evidence.dataset": {"root": ID, "scheme": "records", "count": 3, "format": "csv"},
    "party.register": {
        "kind": "exchange",
        "name": "Shanghai Data Exchange",
        "key": KEY,
        "registry_id_type": "foreign_company",
        "registry_id": "HRB 12345",
    },
    "party.attest": {
        "party": ID,
        "name": "Zhang San",
        "registry_id_type": "resident_id",
        "registry_id": "11010519491231002X",
    },
    "party.rotate_key": {"party": ID, "old_key": KEY, "new_key": KEY2},
    "party.revoke_key": {"party": ID, "key": KEY, "from": TIME},
    "log.settings": {
        "publicity_days": 10,
        "term_days": 1095,
        "systems": {"sh": {"certificate": "SH[0-9]{8}", "registration_number": "[0-9]+"}},
    },
    "asset.apply": {
        "registrar": ID,
        "system": "sh",
        "particulars": {k: v for k, v in PARTICULARS.items() if k != "source"},
        "confidential": {"source": "ef" * 32},
        "fingerprint": ID,
    },
    "asset.change": {**EVENT, "particulars": {"name": "New name"}},
    "asset.publicize": {**EVENT, "until": TIME},
    "asset.register": {**EVENT, "certificate": "SH00000001", "expires": TIME},
    "asset.version": {**EVENT, "fingerprint": ID},
    "asset.renew": {**EVENT, "expires": TIME},
    "asset.cancel": {**EVENT},
    "asset.revoke": {**EVENT, "objection": ID},
    "asset.transfer": {**EVENT, "to": ID},
    "asset.pledge": {**EVENT, "pledgee": ID, "terms_sha256": ID},
    "asset.release": {**EVENT},
    "access.read": {"reader": ID, "asset": ID, "fields": ["source"]},
    "licence.grant": {
        **EVENT,
        "licensee": ID,
        "kind": "exclusive",
        "scope": ["analytics"],
        "territory": ["CN"],
        "start": TIME,
        "end": "2027-01-31T08:00:00.5Z",
        "sublicensing": False,
        "fee_terms_sha256": ID,
    },
    "licence.accept": {"licence": ID},
    "licence.terminate": {"licence": ID},
    "objection.file": {"asset": ID, "evidence_sha256": ID, "grounds": "copied data"},
    "objection.decide": {**EVENT, "objection": ID, "outcome": "upheld", "effect": "suspend"},
}
# Bodies that break a rule across members, which a schema can still state.
CROSS_MEMBER: list[tuple[str, dict[str, Any]]] = [
    ("evidence.dataset", {"root": ID, "scheme": "directory", "count": 3, "format": "csv"}),
    (
        "party.register",
        {"kind": "court", "name": "A court", "key": KEY, "registry_id_type": "uscc"},
    ),
    (
        "party.attest",
        {"party": ID, "name": "X", "registry_id_type": "uscc", "registry_id": "not a code"},
    ),
    (
        "asset.apply",
        {"registrar": ID, "system": "sh", "particulars": {"name": "only"}, "fingerprint": ID},
    ),
    (
        "asset.apply",
        {
            "registrar": ID,
            "system": "sh",
            "particulars": PARTICULARS,
            "confidential": {"source": "ef" * 32},
            "fingerprint": ID,
        },
    ),
    ("asset.register", {**EVENT, "certificate": "   ", "expires": TIME}),
    ("licence.grant", {**VALID["licence.grant"], "scope": ["a", "a"]}),
]
# A value of another JSON type than each schema type, for the mutations below.
WRONG = {"string": 7, "integer": "7", "boolean": "true", "array": "x", "object": ["x"]}


def _validator(schema: dict[str, Any]) -> Any:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _parses(type_: str, body: dict[str, Any]) -> bool:
    model: type[StatementBody] = BODY_TYPES[type_]
    try:
        model.parse(body)
    except MalformedInput:
        return False
    return True


def _mutations(schema: dict[str, Any], body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Return bodies that each break *body* in one member: one missing, one unknown, one mistyped."""
    out = [("unknown member", {**body, "no_such_member": 1})]
    for key in schema["required"]:
        out.append((f"without {key}", {k: v for k, v in body.items() if k != key}))
    for key, member in schema["properties"].items():
        if "enum" in member:
            out.append((f"{key} not in enum", {**body, key: "no-such-value"}))
        elif member.get("type") in WRONG:
            out.append((f"{key} mistyped", {**body, key: WRONG[member["type"]]}))
    return out


def test_every_statement_type_has_a_body_schema() -> None:
    """ledger.bodies' registry and the schema files name the same types."""
    assert set(body_schemas()) == set(BODY_TYPES)


@pytest.mark.parametrize("type_", sorted(BODY_TYPES))
def test_body_schema_agrees_with_the_typed_model(type_: str) -> None:
    """The sample body is valid to both; every one-member break is refused by both."""
    schema = body_schemas()[type_]
    model = BODY_TYPES[type_]
    if model.REQUIRED or model.OPTIONAL:
        assert set(schema["required"]) == set(model.REQUIRED)
        assert set(schema["properties"]) == set(model.REQUIRED) | set(model.OPTIONAL)
    validator = _validator(schema)
    body = VALID[type_]
    assert _parses(type_, body)
    assert validator.is_valid(body), list(validator.iter_errors(body))
    for what, broken in _mutations(schema, body):
        assert not _parses(type_, broken), what
        assert not validator.is_valid(broken), what


@pytest.mark.parametrize(("type_", "body"), CROSS_MEMBER)
def test_cross_member_rules_are_in_the_schema_too(type_: str, body: dict[str, Any]) -> None:
    """A body that breaks a rule between members is refused by the schema and the model alike."""
    assert not _parses(type_, body)
    assert not _validator(body_schemas()[type_]).is_valid(body)


def test_a_signed_statement_validates_against_the_statement_schema(holder: Any) -> None:
    """A real signed statement is valid; with another type's body, it is not."""
    statement = registration(holder).to_json()
    validator = _validator(statement_schema())
    assert validator.is_valid(statement), list(validator.iter_errors(statement))
    wrong = {**statement, "type": "evidence.timestamp"}
    assert not validator.is_valid(wrong)


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    doc: dict[str, Any] = response.json()
    return doc


def test_openapi_document_is_valid(document: dict[str, Any]) -> None:
    """openapi-spec-validator accepts the document."""
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(copy.deepcopy(document))


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(p, m, op) for p, item in document["paths"].items() for m, op in item.items()]


def test_every_error_response_is_the_projects_problem_body(document: dict[str, Any]) -> None:
    """No HTTPValidationError anywhere; every 4xx/5xx declared has the {error, detail} body."""
    assert "HTTPValidationError" not in str(document)
    assert "ValidationError" not in document["components"]["schemas"]
    for path, method, operation in _operations(document):
        errors = {s: r for s, r in operation["responses"].items() if s[0] in "45"}
        if operation.get("parameters") or "requestBody" in operation:
            assert errors, f"{method} {path} takes input but declares no error response"
        for status, response in errors.items():
            ref = response["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ProblemOut", (method, path, status)


def test_request_validation_errors_are_400_in_the_projects_body(client: TestClient) -> None:
    """FastAPI's request validation errors are answered 400 malformed_input, as documented."""
    for url in ("/log/entries/not-a-number", "/v1/evidence", "/log/proof/consistency?old=-1"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert set(response.json()) == {"error", "detail"}
        assert response.json()["error"] == "malformed_input"


def test_signed_reads_declare_their_security_scheme(
    document: dict[str, Any], client: TestClient
) -> None:
    """The confidential routes need a signed request, and say so; others do not."""
    scheme = document["components"]["securitySchemes"]["CunzhengSignature"]
    assert scheme["type"] == "http" and scheme["scheme"] == "Cunzheng"
    signed = {(p, m) for p, m, op in _operations(document) if "security" in op}
    assert signed == {
        ("/v1/assets/{asset_id}/confidential", "get"),
        ("/v1/assets/{asset_id}/confidential", "put"),
    }
    response = client.get(f"/v1/assets/{ID}/confidential")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Cunzheng"
    assert "signed request" in response.json()["detail"]
    deposit = document["paths"]["/v1/assets/{asset_id}/confidential"]["put"]["requestBody"]
    assert deposit["required"] and deposit["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ConfidentialDeposit"
    }


def test_statement_routes_reference_the_statement_schemas(document: dict[str, Any]) -> None:
    """The request bodies of the statement routes are the statement schema, one per type by its type."""
    one = document["paths"]["/v1/statements"]["post"]["requestBody"]["content"]
    assert one["application/json"]["schema"] == {"$ref": "#/components/schemas/Statement"}
    batch = document["paths"]["/v1/statements/batch"]["post"]["requestBody"]["content"]
    assert batch["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/Statement"
    }
    statement = document["components"]["schemas"]["Statement"]
    assert set(statement["discriminator"]["mapping"]) == set(BODY_TYPES)


def test_docs_load_every_asset_from_the_app_itself(client: TestClient) -> None:
    """/docs names no other host, and every script and style it names is served here."""
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    urls += re.findall(r"""url: ?["']([^"']+)["']""", page.text)
    assert any(u.endswith(".js") for u in urls) and any(u.endswith(".css") for u in urls)
    assert not re.search(r"https?://", page.text), "the page loads something from another host"
    for url in urls:
        assert url.startswith("/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content, url
