"""The errors every part of the ledger raises.

Each error carries a message written for a person: what did not hold and,
where it helps, what to do. ``WIRE`` says how each travels over HTTP (the
API answers with it in ``api.errors``, the client reads answers back with
it); the command line prints the message and exits 1.
"""

from __future__ import annotations

from typing import Final


class LedgerError(Exception):
    """Base class of all errors raised by the ledger."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class MalformedInput(LedgerError):
    """Input bytes or text that do not parse as the format they claim to be."""


class InvalidProof(LedgerError):
    """A Merkle proof, a tile or a checkpoint that does not check out."""


class InvalidSignature(LedgerError):
    """A signature that is missing, malformed or does not verify."""


class RequestOutsideWindow(InvalidSignature):
    """A signed request whose time is too far from the server's clock to be accepted now."""


class RuleViolation(LedgerError):
    """A well-formed statement that the rules refuse; ``reason_code`` names the rule."""

    def __init__(self, reason_code: str, detail: str) -> None:
        super().__init__(f"{reason_code}: {detail}")
        self.reason_code = reason_code
        self.detail = detail


class NotFound(LedgerError):
    """Something asked for that the log does not hold (yet)."""


class Conflict(LedgerError):
    """A request that contradicts the state of the log, such as a size beyond its end."""


class RequestReplayed(Conflict):
    """A signed request that was already used once: each signature is good for one request."""


class Unavailable(LedgerError):
    """The log cannot answer now (for example a commit that took too long); try again."""


# How each error travels over HTTP: its status and the "error" code of the answer's body
# (a rule violation's code is its reason code). Subclasses come before their parents.
# The API answers with it (``api.errors``) and the client reads answers back with it.
WIRE: Final[tuple[tuple[type[LedgerError], int, str], ...]] = (
    (MalformedInput, 400, "malformed_input"),
    (RequestOutsideWindow, 401, "request_outside_window"),
    (RequestReplayed, 409, "request_replayed"),
    (InvalidSignature, 422, "invalid_signature"),
    (InvalidProof, 422, "invalid_proof"),
    (RuleViolation, 422, "rule_violation"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (Unavailable, 503, "unavailable"),
)
