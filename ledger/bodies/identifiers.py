"""Registry ids of parties, typed and checked where a published rule exists.

- ``uscc``: 统一社会信用代码 (GB 32100-2015), 18 characters from
  ``0-9A-HJ-NP-RTUWXY``; the 18th is a check character over the first 17,
  with weights 3^(i-1) mod 31 and check = 31 - (sum mod 31), 31 giving 0.
- ``resident_id``: 居民身份证号码 (GB 11643-1999), 17 digits and an ISO 7064
  MOD 11-2 check character (``0-9`` or ``X``).
- ``foreign_company``: a company number of another jurisdiction, free-form
  (no rule is known to check it).

A body without a type keeps the old meaning: a declared text, not checked.
"""

from __future__ import annotations

import re

from cunzheng.ledger.errors import MalformedInput

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# ASCII digits only, matched in full: a Unicode digit or a trailing newline is not part of a code.
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_MOD11_2 = "10X98765432"
REGISTRY_ID_TYPES = ("uscc", "resident_id", "foreign_company")


def uscc_check_character(first17: str) -> str:
    """Return the GB 32100-2015 check character of the first 17 characters of a credit code."""
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def resident_id_check_character(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character of the first 17 digits of an ID card number."""
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    return _MOD11_2[total % 11]


def check_registry_id(kind: str, value: str, what: str) -> None:
    """Return None if *value* is a well-formed registry id of type *kind*, else raise MalformedInput."""
    if kind == "uscc":
        if not _USCC.fullmatch(value):
            raise MalformedInput(
                f"{what}: {value!r} is not a 统一社会信用代码: 18 characters from 0-9 and "
                "A-Z without I, O, S, V and Z, positions 3 to 8 digits (GB 32100-2015)"
            )
        if value[17] != uscc_check_character(value[:17]):
            raise MalformedInput(
                f"{what}: the check character of 统一社会信用代码 {value} is wrong "
                f"(GB 32100-2015 gives {uscc_check_character(value[:17])}); check for a typing error"
            )
    elif kind == "resident_id":
        if not _RESIDENT_ID.fullmatch(value):
            raise MalformedInput(
                f"{what}: a resident ID card number is 17 digits and a check character 0-9 or X"
            )
        if value[17] != resident_id_check_character(value[:17]):
            raise MalformedInput(
                f"{what}: the check character of the resident ID card number is wrong "
                "(ISO 7064 MOD 11-2); check for a typing error"
            )
    elif kind != "foreign_company":
        raise MalformedInput(
            f"{what}: registry_id_type must be one of {', '.join(REGISTRY_ID_TYPES)}"
        )
