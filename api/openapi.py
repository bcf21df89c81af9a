"""The API's OpenAPI document and its browsable page, served without any network.

Every error a route answers is declared with the project's error body
(``ProblemOut``), never FastAPI's ``HTTPValidationError``: a request that fails
validation is answered 400 ``malformed_input`` (``api.errors``). Routes that
need a signed request say so with ``openapi_extra=SIGNED`` (the
``CunzhengSignature`` security scheme); the
statement routes' request bodies reference the statement schemas of
``schemas.statements``. ``/docs`` is Swagger UI from the ``swagger-ui-bundle-v2``
package, served from this app's own ``/docs/static/``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from cunzheng.schemas.log import ProblemOut
from cunzheng.schemas.registry import ConfidentialDeposit
from cunzheng.schemas.statements import openapi_components

__all__ = [
    "BODY_PROBLEMS",
    "PROBLEMS",
    "SECURITY_SCHEME",
    "SIGNED",
    "install",
    "json_body",
    "problems",
]

# What each error status means here; a route may say more about its own case.
PROBLEMS: dict[int, str] = {
    400: "malformed_input: a parameter or the body does not parse or has the wrong shape "
    "(FastAPI's request validation errors are answered so too).",
    401: "signature_required: the request has no Authorization: Cunzheng credentials (the "
    "WWW-Authenticate header names the scheme); request_outside_window: the signed request's "
    "time is too far from the server's clock.",
    404: "not_found: the log holds no such thing (yet).",
    408: "request_timeout: the body did not arrive in full in time; the connection is closed.",
    409: "conflict: the request contradicts the log (a size beyond it, an index beyond a size); "
    "request_replayed for a signed request used before.",
    413: "body_too_large: the body is beyond this route's limit; the connection is closed.",
    415: "unsupported_media_type: the body is not sent as application/json.",
    422: "invalid_signature, invalid_proof, or a registry rule's reason code "
    "(e.g. licence.overlaps_exclusive): well-formed, but refused.",
    503: "unavailable: the log could not do it in time; asking again is safe.",
}
# Statuses every route that takes a JSON body may answer before it runs.
BODY_PROBLEMS = (400, 408, 413, 415)
SECURITY_SCHEME = "CunzhengSignature"
_SIGNED_REQUEST = {
    "type": "http",
    "scheme": "Cunzheng",
    "description": "A signed request: `Authorization: Cunzheng key=<base64 Ed25519 public key>, "
    "time=<RFC 3339 UTC>, sig=<base64 signature>`, the signature over the method, the path "
    "with its query, the time and the SHA-256 of the body (docs/api.md). Each signature is "
    "accepted once, within a window of the server's clock.",
}
# openapi_extra of a route that depends on api.auth.signing_key: it needs a signed request.
SIGNED: dict[str, Any] = {"security": [{SECURITY_SCHEME: []}]}
# The JSON bodies that routes read and check themselves (for messages of their own), declared
# with json_body(model) and so added to the document's components.
_READ_BODIES: tuple[type[BaseModel], ...] = (ConfidentialDeposit,)
_COMPONENT = "#/components/schemas/{model}"
_DEFAULT_VALIDATION = ("ValidationError", "HTTPValidationError")
_STATIC = "/docs/static"


def problems(*statuses: int, **said: str) -> dict[int | str, dict[str, Any]]:
    """Return a ``responses=`` mapping declaring *statuses* with the project's error body.

    A status's description is PROBLEMS' unless *said* gives one as ``s404="..."``.
    """
    return {
        status: {"model": ProblemOut, "description": said.get(f"s{status}", PROBLEMS[status])}
        for status in sorted(statuses)
    }


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """Return the ``openapi_extra`` declaring a required JSON request body of *model*'s shape.

    For a route that reads its body itself; *model* must be one of ``_READ_BODIES``.
    """
    if model not in _READ_BODIES:
        raise ValueError(f"{model.__name__} is not among the declared request bodies")
    schema = {"$ref": _COMPONENT.format(model=model.__name__)}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def install(app: FastAPI) -> None:
    """Give *app* its corrected OpenAPI document and an offline ``/docs`` page."""
    app.openapi = lambda: _document(app)  # type: ignore[method-assign]
    _install_docs(app)


def _document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        doc = get_openapi(
            title=app.title,
            version=app.version,
            openapi_version=app.openapi_version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        components = doc.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        for name in _DEFAULT_VALIDATION:
            schemas.pop(name, None)
        schemas.update(openapi_components())
        for model in _READ_BODIES:
            schema = model.model_json_schema(ref_template=_COMPONENT)
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = _SIGNED_REQUEST
        for item in doc.get("paths", {}).values():
            for operation in item.values():
                _drop_default_422(operation)
        app.openapi_schema = doc
    return app.openapi_schema


def _drop_default_422(operation: dict[str, Any]) -> None:
    """Drop FastAPI's default 422: this app answers request validation errors 400 (api.errors)."""
    responses = operation.get("responses", {})
    default = responses.get("422", {}).get("content", {}).get("application/json", {})
    if default.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
        del responses["422"]


def _install_docs(app: FastAPI) -> None:
    # Imported here: the bundle is only read when the app is built, never by the core.
    from swagger_ui_bundle import swagger_ui_path

    app.mount(_STATIC, StaticFiles(directory=swagger_ui_path), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{app.title} — API",
            swagger_js_url=f"{root}{_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{root}{_STATIC}/favicon-32x32.png",
            oauth2_redirect_url=root + "/docs/oauth2-redirect",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
