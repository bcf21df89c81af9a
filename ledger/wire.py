"""Files on the wire (receipts, bundles, manifests, disclosures) parsed into their models.

Each file is JSON read into a Pydantic model of ``cunzheng.schemas``; the
model's validation errors become one ``MalformedInput`` that names the file,
its format and the first field that is wrong. Pure.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cunzheng.ledger.canonical import loads
from cunzheng.ledger.errors import MalformedInput

__all__ = ["parse_model", "validation_message"]

_M = TypeVar("_M", bound=BaseModel)


def validation_message(error: ValidationError, *, what: str, fmt: str) -> str:
    """Return a person's message for *error*: which *what* file, its format, the first field wrong."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or what
    # Pydantic prefixes the messages of our own validators; the field says enough.
    message = first["msg"].removeprefix("Value error, ")
    return f"{what} is not a valid {fmt} file: {where}: {message}"


def parse_model(model: type[_M], data: bytes | str, *, what: str, fmt: str) -> _M:
    """Return the *model* held as JSON in *data*, or raise MalformedInput naming the field wrong."""
    obj: Any = loads(data, what=what)
    try:
        return model.model_validate(obj)
    except ValidationError as error:
        raise MalformedInput(validation_message(error, what=what, fmt=fmt)) from None
