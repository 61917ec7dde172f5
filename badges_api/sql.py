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


def timestamp(value):
    """A datetime as the backend stores it (Django keeps naive UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)
