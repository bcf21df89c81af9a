"""Many rows into one table in one round trip, as each database does it fastest.

SQLite takes the driver's ``executemany`` (the statement runs in-process, per
row, without a round trip). PostgreSQL is given one ``INSERT ... SELECT FROM
unnest(...)`` with a typed array per column: one statement for the batch,
where ``executemany`` would send and adapt every row on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection


def insert_rows(
    conn: Connection,
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """Insert *rows* into *table*; *columns* are (name, PostgreSQL type) in the rows' order."""
    if not rows:
        return
    names = ", ".join(name for name, _ in columns)
    if conn.dialect.paramstyle == "qmark":
        marks = ", ".join(["?"] * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))
        return
    # %b: arrays sent in binary, without text escaping of every bytea element.
    arrays = ", ".join(f"%b::{kind}[]" for _, kind in columns)
    values = tuple(list(column) for column in zip(*rows, strict=True))
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})", values)
