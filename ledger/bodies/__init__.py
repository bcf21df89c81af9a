"""The statement types this log accepts and the shape of each one's body.

Shapes only: whether a well-formed statement is allowed, given the log
before it, is decided by ``ledger.registry``.
"""

from collections.abc import Callable

from cunzheng.ledger.bodies.assets import ASSET_CHECKS
from cunzheng.ledger.bodies.core import (
    CORE_CHECKS,
    PARTY_KINDS,
    Body,
    hex_digest,
    public_key,
    require_keys,
)

# The statement types this log accepts, each with the check of its body.
BODY_CHECKS: dict[str, Callable[[Body], None]] = {**CORE_CHECKS, **ASSET_CHECKS}

__all__ = ["BODY_CHECKS", "PARTY_KINDS", "Body", "hex_digest", "public_key", "require_keys"]
