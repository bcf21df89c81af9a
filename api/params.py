"""The rules of path and query parameters, as the OpenAPI document declares them.

Each route still checks its parameters itself and answers 400 with a message
that says what is wrong; these patterns say the same rules in the document, so
that a client (or a fuzzer) knows beforehand which values are well formed.
tests/api/test_param_rules.py checks each pattern against the parser it describes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

__all__ = [
    "AssetId",
    "CERTIFICATE_NUMBER",
    "HEX_DIGEST",
    "HEX_DIGEST_ANY_CASE",
    "LEAF_HASH",
    "RFC3339_UTC",
    "TILE_PATH",
    "rule",
]

# 32 bytes as 64 lowercase hex digits (ledger.bodies.hex_digest).
HEX_DIGEST = r"^[0-9a-f]{64}$"
# The same, in either case: GET /v1/evidence lowercases its sha256 first.
HEX_DIGEST_ANY_CASE = r"^[0-9a-fA-F]{64}$"
# A 32-byte hash in hex (either case) or canonical padded base64 (GET /log/proof/inclusion).
LEAF_HASH = r"^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)$"
# 1 to 64 characters, none of them white space as Python's str.isspace has it
# (api.routers.registry): spelt out, since \s means less in ECMAScript's patterns.
CERTIFICATE_NUMBER = (
    r"^[^\x09-\x0d\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{1,64}$"
)

_YEAR = r"[1-9][0-9]{3}"
_LEAP_YEAR = r"(?:[1-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:1[26]|[2468][048]|[3579][26])00)"
_MONTH_DAY = (
    r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)"
)
# An RFC 3339 UTC time that names a day of the calendar (ledger.clock.parse_time): years
# 1000 to 9999 (api.routers.registry), 29 February of leap years only, no leap second.
RFC3339_UTC = (
    rf"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?Z$"
)

_LEVEL = r"(?:entries|[0-9]|[1-5][0-9]|6[0-3])"
# A tile index in canonical form: up to seven 3-digit elements, the first of several not x000.
_TILE_INDEX = r"(?:x(?:[1-9][0-9]{2}|0[1-9][0-9]|00[1-9])/(?:x[0-9]{3}/){0,5})?[0-9]{3}"
_PARTIAL_WIDTH = r"(?:[1-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])"
# A C2SP tlog-tiles path below tile/ (ledger.tiles.parse_tile_path).
TILE_PATH = rf"^{_LEVEL}/{_TILE_INDEX}(?:\.p/{_PARTIAL_WIDTH})?$"


def rule(pattern: str) -> dict[str, Any]:
    """Return the ``json_schema_extra`` that declares *pattern* for a parameter the route checks itself."""
    return {"pattern": pattern}


AssetId = Annotated[
    str,
    Path(
        description="The asset's id, 64 lowercase hex digits.", json_schema_extra=rule(HEX_DIGEST)
    ),
]
