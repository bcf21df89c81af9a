"""The HTTP face of the log: ``app.create_app`` builds the FastAPI app, ``witness_app`` a witness's.

Routers are thin: they parse, call one ledger service and return a schema;
``errors`` maps ledger errors to status codes in one place.
"""

__all__ = [
    "app",
    "auth",
    "deps",
    "errors",
    "json_route",
    "limits",
    "routers",
    "server",
    "witness_app",
]
