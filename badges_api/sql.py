"""The few places where SQLite and PostgreSQL need different SQL for set-based work.

Bulk requests hand the database a whole list at once (a JSON array on SQLite, an array on
PostgreSQL) instead of one statement per row or a parameter per item.
"""

import orjson
from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def int_list(values: list[int]) -> tuple[str, object]:
    """SQL for "the integers in this parameter" and the parameter itself."""
    if is_postgres():
        return "SELECT unnest(%s::bigint[])", list(values)
    return "SELECT value FROM json_each(%s)", orjson.dumps(values).decode()


def rows_table(
    alias: str, columns: list[tuple[str, str]], rows: list[tuple | list]
) -> tuple[str, list]:
    """Many rows as a table to select FROM, named `alias` with `columns` (name, PostgreSQL array
    type): the FROM clause and its parameters (an array per column, or one JSON array)."""
    names = [name for name, _ in columns]
    if is_postgres():
        arrays = ", ".join(f"%s::{kind}[]" for _, kind in columns)
        return f"unnest({arrays}) AS {alias}({', '.join(names)})", [
            [row[i] for row in rows] for i in range(len(columns))
        ]
    fields = ", ".join(f"json_extract(value, '$[{i}]') AS {name}" for i, name in enumerate(names))
    return f"(SELECT {fields} FROM json_each(%s)) AS {alias}", [orjson.dumps(rows).decode()]


def timestamp(value):
    """A datetime as the backend stores it (Django keeps naive UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def insert_rows(
    table: str,
    *,
    varying: list[tuple[str, str]],
    rows: list[tuple | list],
    constant: dict[str, object],
) -> None:
    """One `INSERT ... SELECT` for many rows: `varying` columns come from `rows`, the rest are the same for all.

    `varying` names each per-row column with its PostgreSQL array type ("text", "bigint",
    "timestamptz"); values must already be in the backend's form (see `timestamp`).
    """
    if not rows:
        return
    names = [name for name, _ in varying] + list(constant)
    placeholders = ", ".join(["%s"] * len(constant))
    if is_postgres():
        arrays = ", ".join(f"%s::{kind}[]" for _, kind in varying)
        aliases = ", ".join(f"c{i}" for i in range(len(varying)))
        select = ", ".join(f"r.c{i}" for i in range(len(varying)))
        source, source_params = (
            f"FROM unnest({arrays}) AS r({aliases})",
            [[row[i] for row in rows] for i in range(len(varying))],
        )
    else:
        select = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(varying)))
        source, source_params = "FROM json_each(%s)", [orjson.dumps(rows).decode()]
    sql = f"INSERT INTO {table} ({', '.join(names)}) SELECT {select}, {placeholders} {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(constant.values()) + source_params)
